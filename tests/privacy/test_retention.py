"""Personal data goes once the edition's retention period has passed, counted from each
activity's own end; the registrations stay as anonymous counts."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rq.utils import import_attribute

from innovationsweek.editions.models import Edition
from innovationsweek.jobs import privacy as jobs
from innovationsweek.notifications.models import Email
from innovationsweek.notifications.service import send_mail
from innovationsweek.privacy import service as privacy
from innovationsweek.queue import PERIODIC_JOBS
from innovationsweek.registrations.models import RegistrationStatus
from tests.conftest import run_jobs

NOW = datetime(2031, 6, 1, 12, tzinfo=timezone.utc)


def set_retention(runtime, slug: str, days: int) -> None:
    with runtime.database.unit_of_work() as session:
        session.scalar(sa.select(Edition).where(Edition.slug == slug)).retention_days = days


def snapshot(data) -> list[tuple]:
    return [(r.id, r.status, r.name, r.email, r.erased_at) for r in data.registrations()]


def test_registrations_are_erased_once_the_retention_period_after_their_activity_has_passed(app, runtime, data):
    set_retention(runtime, "test-week", 30)
    # Same edition, different ends: the first ended 31 days before NOW, the second 29.
    first = data.activity(NOW - timedelta(days=31, hours=2), NOW - timedelta(days=31))
    second = data.activity(NOW - timedelta(days=29, hours=2), NOW - timedelta(days=29))
    gone = [
        data.register(first, "anna@example.org"),
        data.register(first, "bo@example.org", status=RegistrationStatus.WAITLISTED),
        data.register(first, "cecilia@example.org", status=RegistrationStatus.CANCELLED),
    ]
    kept = data.register(second, "anna@example.org")

    result = jobs.purge_expired_personal_data(NOW.isoformat())

    assert result["registrations"] == 3
    rows = {r.id: r for r in data.registrations()}
    for registration_id in gone:
        row = rows[registration_id]
        assert (row.name, row.email, row.workplace, row.position, row.phone) == (None,) * 5
        assert row.erased_at is not None
    # The anonymous counts stay as they were.
    assert [rows[i].status for i in gone] == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED]
    assert rows[kept].email == "anna@example.org"
    [entry] = data.access_log()
    assert (entry.action, entry.activity_id, entry.records, entry.actor_id) == ("retention_purge", first, 3, None)


def test_running_the_purge_again_changes_nothing(app, runtime, data):
    set_retention(runtime, "test-week", 30)
    ended = data.activity(NOW - timedelta(days=40, hours=1), NOW - timedelta(days=40))
    data.register(ended, "anna@example.org")
    data.register(data.activity(NOW, NOW + timedelta(hours=1)), "bo@example.org")
    jobs.purge_expired_personal_data(NOW.isoformat())
    after_first = snapshot(data)

    again = jobs.purge_expired_personal_data(NOW.isoformat())

    assert again == {"registrations": 0, "emails": 0, "mail_files": 0}
    assert snapshot(data) == after_first
    assert len(data.access_log()) == 1


def test_each_edition_counts_its_own_retention_period(app, runtime, data):
    set_retention(runtime, "test-week", 30)
    with runtime.database.unit_of_work() as session:
        other = session.scalar(sa.select(Edition).where(Edition.slug == "test-week"))
        session.add(
            Edition(
                slug="long-memory",
                name={"sv": "Långt minne"},
                theme={"sv": "Tema"},
                timezone="Europe/Copenhagen",
                starts_at=other.starts_at,
                ends_at=other.ends_at,
                submissions_open_at=other.submissions_open_at,
                submissions_close_at=other.submissions_close_at,
                retention_days=365,
            )
        )
    ended = NOW - timedelta(days=40)
    short = data.register(data.activity(ended - timedelta(hours=1), ended), "anna@example.org")
    long = data.register(data.activity(ended - timedelta(hours=1), ended, edition="long-memory"), "anna@example.org")

    jobs.purge_expired_personal_data(NOW.isoformat())

    assert data.registration(short).email is None
    assert data.registration(long).email == "anna@example.org"


def test_the_purge_works_in_batches(app, runtime, data, monkeypatch):
    set_retention(runtime, "test-week", 30)
    ended = data.activity(NOW - timedelta(days=40, hours=1), NOW - timedelta(days=40))
    for name in ("anna", "bo", "cecilia"):
        data.register(ended, f"{name}@example.org")
    with runtime.database.unit_of_work() as session:
        assert privacy.purge_expired_registrations(session, now=NOW, limit=2) == 2
    monkeypatch.setattr(jobs, "PURGE_BATCH", 1)

    assert jobs.purge_expired_personal_data(NOW.isoformat())["registrations"] == 1
    assert all(r.email is None for r in data.registrations())


def test_stored_emails_go_after_the_shortest_retention_period(app, runtime, data):
    set_retention(runtime, "test-week", 30)
    with runtime.database.unit_of_work() as session:
        old = send_mail(session, to="anna@example.org", subject="Gammalt", text="...").id
        young = send_mail(session, to="anna@example.org", subject="Nytt", text="...").id
        session.get(Email, old).created_at = NOW - timedelta(days=31)
        session.get(Email, young).created_at = NOW - timedelta(days=29)

    assert jobs.purge_expired_personal_data(NOW.isoformat())["emails"] == 1
    assert [mail.id for mail in data.emails()] == [young]


def test_eml_files_of_the_embedded_mode_go_after_the_same_retention_period(app, runtime, data):
    set_retention(runtime, "test-week", 30)
    with runtime.database.unit_of_work() as session:
        for subject in ("Gammalt", "Nytt"):
            send_mail(session, to="anna@example.org", subject=subject, text="...")
    run_jobs(runtime)  # the tests' settings have no SMTP host: the mail is written as .eml files
    mail = runtime.settings.instance_path / "mail"
    old, young = sorted(mail.glob("*.eml"), key=lambda path: "Nytt" in path.read_text())
    os.utime(old, ((NOW - timedelta(days=31)).timestamp(),) * 2)
    os.utime(young, ((NOW - timedelta(days=29)).timestamp(),) * 2)

    assert jobs.purge_expired_personal_data(NOW.isoformat())["mail_files"] == 1
    assert list(mail.glob("*.eml")) == [young]
    assert jobs.purge_expired_personal_data(NOW.isoformat())["mail_files"] == 0


def test_the_purge_runs_every_hour_on_the_maintenance_queue():
    [job] = [job for job in PERIODIC_JOBS if job.name == "purge-expired-personal-data"]

    assert (job.every, job.queue) == (timedelta(hours=1), "maintenance")
    assert import_attribute(job.function) is jobs.purge_expired_personal_data
