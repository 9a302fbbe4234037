"""A past week (Innovationsveckan 2019, its programme open) beside the test week, and solutions in
it: activities that took place there, published through the whole pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from innovationsweek.accounts.service import get_user_by_email
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.runtime import Runtime
from tests.conftest import run_jobs
from tests.reminders.conftest import week  # noqa: F401 (fixture)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PAST = "innovationsveckan-2019"
HOW_TO_REUSE = "<p>Börja med en verksamhet; mallarna finns i bilderna.</p>"


@dataclass
class PastWeek:
    slug: str
    starts_at: datetime

    def at(self, day: int, hour: int) -> str:
        return (self.starts_at + timedelta(days=day, hours=hour - 8)).isoformat()


@pytest.fixture
def past(runtime: Runtime, week: Any) -> PastWeek:
    """Innovationsveckan 2019, which still takes late submissions (so the tests can publish there
    through the API) and whose programme is open."""
    starts = datetime(2019, 9, 30, 8, 0, tzinfo=STOCKHOLM)
    with runtime.database.unit_of_work() as session:
        edition = Edition(
            slug=PAST,
            name={"sv": "Innovationsveckan 2019", "da": "Innovationsugen 2019", "en": "Innovation Week 2019"},
            theme={"sv": "Att sprida och involvera"},
            timezone="Europe/Stockholm",
            starts_at=starts,
            ends_at=starts + timedelta(days=4, hours=8),
            submissions_open_at=datetime(2019, 4, 4, tzinfo=STOCKHOLM),
            submissions_close_at=utcnow() + timedelta(days=30),
            programme_open=True,
            themes=[{"key": "spread", "label": {"sv": "Sprida"}}, {"key": "involve", "label": {"sv": "Involvera"}}],
        )
        edition.coordinators.append(EditionCoordinator(user=get_user_by_email(session, "marianne@skl.se")))
        session.add(edition)
    return PastWeek(PAST, starts)


def answered(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def publish_in(client: Any, runtime: Runtime, week: Any, slug: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> int:
    """An activity of edition ``slug`` drafted, submitted, checked and approved."""
    headers = headers or week.organiser
    activity_id = answered(client.post(f"/api/v1/editions/{slug}/activities", json=body, headers=headers), 201)["id"]
    answered(client.post(f"/api/v1/activities/{activity_id}/submit", headers=headers))
    run_jobs(runtime)
    answered(client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator))
    run_jobs(runtime)
    return activity_id


def solution(client: Any, runtime: Runtime, week: Any, past: PastWeek, *, material: bool = True, **overrides: Any) -> int:
    """A 2019 activity of Linköping that took place, with its report's material approved."""
    body = week.study_visit(**{"starts_at": past.at(1, 13), "ends_at": past.at(1, 15), **overrides})
    activity_id = publish_in(client, runtime, week, past.slug, body)
    if material:
        report = {"links": [{"title": "Bilder (PDF)", "url": f"{week.link_server}/ok/bilder.pdf"}], "how_to_reuse": HOW_TO_REUSE}
        answered(client.put(f"/api/v1/activities/{activity_id}/report", json=report, headers=week.organiser))
        run_jobs(runtime)
        answered(client.post(f"/api/v1/activities/{activity_id}/report/review", json={"decision": "approve"}, headers=week.coordinator))
        run_jobs(runtime)
    return activity_id


def public(client: Any, activity_id: int) -> dict[str, Any]:
    return answered(client.get(f"/api/v1/programme/activities/{activity_id}"))
