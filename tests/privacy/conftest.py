"""The test week with activities at chosen times and registrations written straight to the
database (the registration API belongs to another module), plus ways to read what was mailed."""

from __future__ import annotations

import dataclasses
import itertools
import re
import secrets
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format, Revision, RevisionState
from innovationsweek.activities.service import content_of
from innovationsweek.config import Settings
from innovationsweek.editions.models import Edition
from innovationsweek.notifications.models import Email
from innovationsweek.programme import service as programme
from innovationsweek.registrations.models import PersonalDataAccess, Registration, RegistrationStatus
from innovationsweek.runtime import Runtime
from tests.activities.conftest import Week, week  # noqa: F401 (fixture)

PUBLIC_URL = "https://innovationsveckan.example"
ERASURE_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/api/v1/privacy/erasure-requests/[A-Za-z0-9_.-]+)")
_titles = itertools.count(1)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_url=PUBLIC_URL)


@dataclasses.dataclass
class Data:
    """Activities and registrations written directly, and what the tables hold afterwards."""

    runtime: Runtime
    week: Week

    def activity(self, starts_at: datetime, ends_at: datetime, *, edition: str = "test-week", title: str | None = None) -> int:
        with self.runtime.database.unit_of_work() as session:
            edition_id = session.scalar(sa.select(Edition.id).where(Edition.slug == edition))
            activity = Activity(
                edition_id=edition_id,
                organisation_id=self.week.organisation_id,
                status=ActivityStatus.PUBLISHED,
                title=title or f"Aktivitet {next(_titles)}",
                format=Format.WEBCAST,
                attendance_mode=AttendanceMode.ONLINE,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            session.add(activity)
            session.flush()
            return activity.id

    def register(
        self, activity_id: int, email: str, *, status: RegistrationStatus = RegistrationStatus.CONFIRMED, language: str = "sv", **fields: Any
    ) -> int:
        name = email.split("@")[0].title()
        with self.runtime.database.unit_of_work() as session:
            activity = session.get(Activity, activity_id)
            registration = Registration(
                activity_id=activity_id,
                edition_id=activity.edition_id,
                status=status,
                name=f"{name} Andersson",
                email=email,
                workplace=f"{name}s arbetsplats",
                position="Verksamhetsutvecklare",
                phone="+46 13 20 60 00",
                photo_consent=True,
                language=language,
                consent_text="Din anmälan är ett aktivt samtycke till att arrangören behandlar dina uppgifter.",
                consent_version="2026-1",
                cancel_token_hash=secrets.token_hex(32),
                **fields,
            )
            session.add(registration)
            session.flush()
            return registration.id

    def registration(self, registration_id: int) -> Registration:
        with self.runtime.database.sessions() as session:
            return session.get(Registration, registration_id)

    def registrations(self) -> list[Registration]:
        with self.runtime.database.sessions() as session:
            return list(session.scalars(sa.select(Registration).order_by(Registration.id)))

    def emails(self, to: str | None = None) -> list[Email]:
        with self.runtime.database.sessions() as session:
            query = sa.select(Email).order_by(Email.id)
            if to is not None:
                query = query.where(Email.to_address == to)
            return list(session.scalars(query))

    def access_log(self) -> list[PersonalDataAccess]:
        with self.runtime.database.sessions() as session:
            return list(session.scalars(sa.select(PersonalDataAccess).order_by(PersonalDataAccess.id)))

    def publish(self, activity_id: int) -> None:
        """Give the activity an approved revision of its working copy and put it in the programme."""
        with self.runtime.database.unit_of_work() as session:
            activity = session.get(Activity, activity_id)
            activity.approved_revision = Revision(activity=activity, number=1, state=RevisionState.APPROVED, content=content_of(activity))
            activity.status = ActivityStatus.PUBLISHED
            session.flush()
            programme.publish(session, activity_id)


@pytest.fixture
def data(runtime: Runtime, week: Week) -> Data:
    return Data(runtime, week)
