"""The capacity holds under concurrent registrations: many people, each in a transaction of
their own, all at once for the last seats, in PostgreSQL and in the embedded SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from innovationsweek import migrate
from innovationsweek.db import Database
from innovationsweek.registrations import service as registrations
from innovationsweek.registrations.models import Registration, RegistrationStatus
from tests.registrations.conftest import PUBLIC_URL, seed_activity

PEOPLE = 40
SEATS = 10


@pytest.fixture
def postgres(runtime) -> Iterator[sessionmaker]:
    """Sessions on an engine with a connection for every person, so that all of them really are
    in the database at once (the runtime's pool would queue them)."""
    engine = sa.create_engine(runtime.database.engine.url, pool_size=PEOPLE, max_overflow=0)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[sessionmaker]:
    """The embedded mode's database, as the API opens it."""
    database = Database(f"sqlite:///{tmp_path / 'innovationsweek.db'}")
    migrate.upgrade(database.engine)
    yield database.sessions
    database.engine.dispose()


def race(sessions: sessionmaker, activity_id: int) -> dict[int, registrations.Receipt]:
    """PEOPLE threads register at the same moment, each committing its own transaction."""
    start = threading.Barrier(PEOPLE)
    receipts: dict[int, registrations.Receipt] = {}
    errors: list[BaseException] = []

    def person(number: int) -> None:
        try:
            start.wait(timeout=30)
            with sessions() as session, session.begin():
                receipts[number] = registrations.register(
                    session,
                    activity_id,
                    registrations.Participant(
                        name=f"Deltagare {number}",
                        email=f"person{number}@example.org",
                        workplace="Kommunen",
                        position="Handläggare",
                        photo_consent=False,
                    ),
                    language="sv",
                    public_url=PUBLIC_URL,
                )
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=person, args=(number,)) for number in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert errors == []
    return receipts


def assert_seats_taken_in_turn(sessions: sessionmaker, activity_id: int, receipts: dict[int, registrations.Receipt]) -> None:
    with sessions() as session:
        rows = list(session.scalars(sa.select(Registration).where(Registration.activity_id == activity_id).order_by(Registration.id)))
        told = session.scalar(sa.text("SELECT count(DISTINCT to_address) FROM emails WHERE to_address LIKE 'person%'"))
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = [r for r in rows if r.status == RegistrationStatus.WAITLISTED]
    assert (len(confirmed), len(waiting)) == (SEATS, PEOPLE - SEATS)
    # One at a time: the seats went to the first ten in, the waitlist is in the order they came,
    # and everyone was told the place they got.
    assert max(r.id for r in confirmed) < min(r.id for r in waiting)
    by_email = {f"person{number}@example.org": receipt for number, receipt in receipts.items()}
    assert [by_email[r.email].position_on_waitlist for r in waiting] == list(range(1, PEOPLE - SEATS + 1))
    assert all(by_email[r.email].status == RegistrationStatus.CONFIRMED for r in confirmed)
    assert told == PEOPLE


def test_concurrent_registrations_never_exceed_the_capacity_in_postgresql(postgres):
    with postgres() as session, session.begin():
        activity_id = seed_activity(session, capacity=SEATS)

    receipts = race(postgres, activity_id)

    assert_seats_taken_in_turn(postgres, activity_id, receipts)


@pytest.mark.embedded
def test_concurrent_registrations_never_exceed_the_capacity_in_the_embedded_sqlite(sqlite):
    with sqlite() as session, session.begin():
        activity_id = seed_activity(session, capacity=SEATS)

    receipts = race(sqlite, activity_id)

    assert_seats_taken_in_turn(sqlite, activity_id, receipts)
