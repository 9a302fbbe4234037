"""A week whose edition has a privacy notice, activities published with registration here, and
helpers to register, read the mail that was sent and follow its cancel link."""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format, RegistrationMode, Revision, RevisionState
from innovationsweek.activities.service import content_of
from innovationsweek.config import Settings
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.programme import service as programme
from innovationsweek.registrations.models import Registration
from innovationsweek.runtime import Runtime
from tests.activities.conftest import Week, week  # noqa: F401 (fixture)
from tests.conftest import run_jobs, sent_messages

PUBLIC_URL = "https://anmalan.innovationsveckan.example"
ACTIVITIES = "/api/v1/editions/test-week/activities"
NOTICE = {
    "sv": "Din anmälan är ett aktivt samtycke till att arrangören behandlar dina personuppgifter.",
    "en": "Registering is an active consent to the organiser processing your personal data.",
    "da": "Din tilmelding er et aktivt samtykke til, at arrangøren behandler dine personoplysninger.",
}
TOKEN = re.compile(r"/registrations/(iwr_[A-Za-z0-9_-]+)")
_addresses = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_url=PUBLIC_URL)


@pytest.fixture
def open_week(week: Week, runtime: Runtime) -> Week:
    """The week, its edition with a privacy notice (version 2026-1) to consent to."""
    with runtime.database.unit_of_work() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        edition.privacy_notice = NOTICE
        edition.privacy_notice_version = "2026-1"
    return week


def publish(client, runtime: Runtime, week: Week, *, capacity: int | None = 3, **overrides: Any) -> int:
    """An activity approved into the programme, taking registrations here for ``capacity`` seats
    (``registration=`` in overrides for another mode)."""
    body = week.webcast(registration={"mode": "internal", "capacity": capacity}) | overrides
    response = client.post(ACTIVITIES, json=body, headers=week.organiser)
    assert response.status_code == 201, response.get_json()
    activity_id = response.get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    response = client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()
    run_jobs(runtime)
    return activity_id


def seed_activity(session, *, capacity: int) -> int:
    """Straight into the database, without the moderation jobs: an open programme whose edition
    has a privacy notice, and one activity published in it with ``capacity`` seats."""
    starts = utcnow().replace(microsecond=0) + timedelta(days=60)
    edition = Edition(
        slug="seeded-week",
        name={"sv": "Seedad vecka"},
        theme={"sv": "Tema"},
        timezone="Europe/Stockholm",
        starts_at=starts,
        ends_at=starts + timedelta(days=4),
        submissions_open_at=starts - timedelta(days=90),
        submissions_close_at=starts - timedelta(days=10),
        programme_open=True,
        privacy_notice=NOTICE,
        privacy_notice_version="2026-1",
    )
    organisation = Organisation(name="Norrköpings kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
    activity = Activity(
        edition=edition,
        organisation=organisation,
        status=ActivityStatus.DRAFT,
        title="Workshop: tjänstedesign",
        format=Format.WORKSHOP,
        attendance_mode=AttendanceMode.ONLINE,
        starts_at=starts + timedelta(hours=2),
        ends_at=starts + timedelta(hours=4),
        registration_mode=RegistrationMode.INTERNAL,
        registration_capacity=capacity,
    )
    session.add_all([edition, organisation, activity])
    session.flush()
    activity.status = ActivityStatus.PUBLISHED
    activity.approved_revision = Revision(activity=activity, number=1, state=RevisionState.APPROVED, content=content_of(activity))
    session.flush()
    programme.publish(session, activity.id)
    return activity.id


def participant(email: str = "anna@example.org", **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Anna Andersson",
        "email": email,
        "workplace": "Region Östergötland",
        "position": "Verksamhetsutvecklare",
        "phone": "+46 13 22 20 00",
        "photo_consent": True,
        "consent": True,
    }
    return body | overrides


def register(client, activity_id: int, body: dict[str, Any] | None = None, *, address: str | None = None, **kwargs: Any):
    """POST a registration, from an address of its own unless given (the rate limit counts per
    address)."""
    remote = address or f"192.0.2.{next(_addresses) % 250 + 1}"
    return client.post(
        f"/api/v1/programme/activities/{activity_id}/registrations",
        json=participant() if body is None else body,
        environ_base={"REMOTE_ADDR": remote},
        **kwargs,
    )


def cancel_token(runtime: Runtime, address: str) -> str:
    """The cancel token in the last email sent to ``address`` that has one (the jobs run first):
    the link as the participant got it, which the stored email does not keep."""
    run_jobs(runtime)
    texts = [message.get_body(("plain",)).get_content() for message in sent_messages(runtime, address)]
    return token_in(next(text for text in reversed(texts) if TOKEN.search(text)))


def token_in(text: str) -> str:
    match = TOKEN.search(text)
    assert match, text
    return match.group(1)


def registrations_of(runtime: Runtime, activity_id: int) -> list[Registration]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(Registration).where(Registration.activity_id == activity_id).order_by(Registration.id)))
