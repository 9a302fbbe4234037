"""Helpers for the reminder tests: published activities, seats taken, and reading what was planned
and written to the outbox. Time is driven by passing ``now`` to the job, never by sleeping."""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from innovationsweek.activities.models import Activity
from innovationsweek.db import utcnow
from innovationsweek.jobs.reminders import Run, plan_and_send
from innovationsweek.notifications.models import Email
from innovationsweek.registrations.models import Registration, RegistrationStatus
from innovationsweek.reminders.models import Reminder
from innovationsweek.runtime import Runtime
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.conftest import run_jobs

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ACTIVITIES = "/api/v1/editions/test-week/activities"
ORGANISERS = ["kim@linkoping.se", "olga@linkoping.se"]
COORDINATOR = "marianne@skl.se"


def published(client: Any, runtime: Runtime, week: Any, body: dict[str, Any] | None = None) -> int:
    """An activity through the whole pipeline: drafted, submitted, checked, approved."""
    response = client.post(ACTIVITIES, json=body or week.webcast(), headers=week.organiser)
    assert response.status_code == 201, response.get_json()
    activity_id = response.get_json()["id"]
    assert client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser).status_code == 200
    run_jobs(runtime)
    response = client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()
    run_jobs(runtime)
    return activity_id


def register(
    runtime: Runtime, activity_id: int, email: str, *, at: datetime | None = None, status: str = "confirmed", language: str = "sv"
) -> int:
    """A seat taken, written as the registrations service stores it."""
    with runtime.database.unit_of_work() as session:
        activity = session.get_one(Activity, activity_id)
        registration = Registration(
            activity_id=activity_id,
            edition_id=activity.edition_id,
            status=RegistrationStatus(status),
            name=email.split("@")[0].title(),
            email=email,
            workplace="Region Östergötland",
            position="Utvecklare",
            photo_consent=False,
            language=language,
            consent_text="Vi behandlar dina uppgifter för att administrera aktiviteten.",
            consent_version="1",
            cancel_token_hash=hashlib.sha256(f"{activity_id}:{email}".encode()).hexdigest(),
            created_at=at or utcnow(),
        )
        session.add(registration)
        session.flush()
        return registration.id


def run(runtime: Runtime, now: datetime) -> Run:
    """One run of the periodic reminders job, as if the clock said ``now``."""
    return plan_and_send(runtime.database, now)


def reminders(runtime: Runtime, *, kind: str | None = None, activity_id: int | None = None) -> list[Reminder]:
    query = sa.select(Reminder).order_by(Reminder.subject)
    if kind is not None:
        query = query.where(Reminder.kind == kind)
    if activity_id is not None:
        query = query.where(Reminder.activity_id == activity_id)
    with runtime.database.sessions() as session:
        return list(session.scalars(query))


def only(runtime: Runtime, kind: str, activity_id: int | None = None) -> Reminder:
    [reminder] = reminders(runtime, kind=kind, activity_id=activity_id)
    return reminder


def mails(runtime: Runtime, *, to: str | None = None) -> list[Email]:
    query = sa.select(Email).order_by(Email.id)
    if to is not None:
        query = query.where(Email.to_address == to)
    with runtime.database.sessions() as session:
        return list(session.scalars(query))


def local_day_at(moment: str | datetime, days: int, hour: int = 9) -> datetime:
    """``hour`` o'clock in Stockholm, ``days`` calendar days from the day of ``moment``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    day = moment.astimezone(STOCKHOLM).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), STOCKHOLM)


def set_times_of_approved_version(runtime: Runtime, activity_id: int, starts_at: datetime, ends_at: datetime) -> None:
    """Time passing: the approved version (what the public sees) now lies at these times."""
    with runtime.database.unit_of_work() as session:
        activity = session.get_one(Activity, activity_id)
        revision = activity.approved_revision
        revision.content = {**revision.content, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}
