"""Sending: each kind to the right people with the right content, once, through the outbox; the
real RQ path and the embedded mode run the job."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from innovationsweek import migrate
from innovationsweek.accounts.models import User
from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format, Revision, RevisionState
from innovationsweek.activities.service import content_of
from innovationsweek.app import create_app
from innovationsweek.config import Settings
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.outbox import OutboxMessage
from innovationsweek.queue import Clock, enqueue_periodic_jobs, run_worker
from innovationsweek.registrations.models import Registration, RegistrationStatus
from innovationsweek.reminders import service
from innovationsweek.runtime import Runtime
from tests.conftest import run_jobs, written_day
from tests.reminders.conftest import (
    ACTIVITIES,
    COORDINATOR,
    ORGANISERS,
    STOCKHOLM,
    local_day_at,
    mails,
    only,
    published,
    register,
    reminders,
    run,
    week,  # noqa: F401 (fixture)
)


def test_participants_of_a_webcast_get_the_join_link_the_day_before(client, runtime, week):
    activity_id = published(client, runtime, week, week.webcast(registration={"mode": "internal", "capacity": 30}))
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    due = only(runtime, "participant").due_at

    run(runtime, due - timedelta(minutes=1))
    assert only(runtime, "participant").sent_at is None
    run(runtime, due)

    [mail] = mails(runtime, to="anna@example.org")
    start = datetime.fromisoformat(week.at(1, 10)).astimezone(STOCKHOLM)
    day = written_day(start, "sv")
    assert mail.subject == f"Påminnelse: Webbsändning: Så sprider vi välfärdsteknik, {day} kl. {start:%H:%M}"
    assert f"Digitalt: {week.link_server}/ok/live" in mail.text
    assert f"När: {day} kl. {start:%H:%M}–{start + timedelta(hours=1):%H:%M}" in mail.text
    assert "Var:" not in mail.text
    assert "Hej Anna!" in mail.text
    assert only(runtime, "participant").sent_at == due


def test_a_participant_who_registered_in_danish_is_reminded_in_danish_only(client, runtime, week):
    activity_id = published(client, runtime, week, week.study_visit())
    register(runtime, activity_id, "anna@example.org", language="da")
    run(runtime, utcnow())
    run(runtime, only(runtime, "participant").due_at)

    [mail] = mails(runtime, to="anna@example.org")
    start = datetime.fromisoformat(week.at(1, 10)).astimezone(STOCKHOLM)
    day = written_day(start, "da")
    assert mail.subject == f"Påmindelse: Studiebesök: Digitala medarbetare i hemtjänsten, {day} kl. {start:%H.%M}"
    assert "Kære Anna" in mail.text
    assert f"Hvornår: {day} kl. {start:%H.%M}" in mail.text
    assert "Hvor: Stadshuset, Stora Torget 1, Linköping" in mail.text
    assert "Kan du ikke komme? Afmeld dig" in mail.text
    assert "Velkommen til »Studiebesök: Digitala medarbetare i hemtjänsten«" in mail.text
    for swedish in ("Hej", "Välkommen", "När:", "Var:", "Påminnelse", "Avboka"):
        assert swedish not in mail.text + mail.subject


def test_participants_of_a_study_visit_get_the_address(client, runtime, week):
    activity_id = published(client, runtime, week, week.study_visit(photo_notice="Vi fotograferar under besöket."))
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    run(runtime, only(runtime, "participant").due_at)

    [mail] = mails(runtime, to="anna@example.org")
    assert "Var: Stadshuset, Stora Torget 1, Linköping" in mail.text
    assert "Digitalt" not in mail.text
    assert "Vi fotograferar under besöket." in mail.text


def test_no_reminder_for_a_cancelled_seat_or_one_taken_after_the_reminder_was_due(client, runtime, week):
    activity_id = published(client, runtime, week)
    anna = register(runtime, activity_id, "anna@example.org")
    bertil = register(runtime, activity_id, "bertil@example.org")
    run(runtime, utcnow())
    due = local_day_at(week.at(1, 10), -1)
    late = register(runtime, activity_id, "cecilia@example.org", at=due + timedelta(hours=2))
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(Registration).where(Registration.email == "bertil@example.org").values(status=RegistrationStatus.CANCELLED))

    run(runtime, due + timedelta(hours=3))

    assert [m.to_address for m in mails(runtime) if m.subject.startswith("Påminnelse")] == ["anna@example.org"]
    outcome = {r.registration_id: (r.sent_at is not None, r.cancel_reason) for r in reminders(runtime, kind="participant")}
    assert outcome == {anna: (True, None), bertil: (False, "unplanned"), late: (False, "registered_after_due")}


def test_a_seat_cancelled_after_planning_is_not_reminded(client, runtime, week):
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(Registration).values(status=RegistrationStatus.CANCELLED, cancelled_at=utcnow()))

    run(runtime, only(runtime, "participant").due_at)

    assert mails(runtime, to="anna@example.org") == []
    assert only(runtime, "participant").cancel_reason == "registration_cancelled"


def test_a_reminder_job_run_twice_sends_once(client, runtime, week):
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    due = only(runtime, "participant").due_at

    first = run(runtime, due)
    second = run(runtime, due)
    run_jobs(runtime)

    assert first.sent >= 1 and second.sent == 0
    assert len(mails(runtime, to="anna@example.org")) == 1
    assert all(mail.sent_at is not None for mail in mails(runtime))


def test_two_runs_at_once_send_once_the_second_waits_for_the_first(client, runtime, week):
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    reminder = only(runtime, "participant")
    results: list[bool] = []

    first = runtime.database.sessions()
    assert service.send_reminder(first, reminder.id, reminder.due_at) is True  # claimed, not committed
    second = threading.Thread(target=lambda: results.append(_send_in_own_transaction(runtime, reminder.id, reminder.due_at)))
    second.start()
    _wait_until_blocked(runtime)
    first.commit()
    first.close()
    second.join(timeout=10)

    assert results == [False]
    assert len(mails(runtime, to="anna@example.org")) == 1


def _send_in_own_transaction(runtime: Runtime, reminder_id: int, now: datetime) -> bool:
    with runtime.database.unit_of_work() as session:
        return service.send_reminder(session, reminder_id, now)


def _wait_until_blocked(runtime: Runtime) -> None:
    """Until another connection waits for a row lock (PostgreSQL's own view of it)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with runtime.database.engine.connect() as connection:
            waiting = connection.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")
            )
        if waiting:
            return
        time.sleep(0.01)
    raise AssertionError("the second run never waited for the first")


def test_organisers_are_asked_to_check_a_week_before_and_to_report_the_day_after(client, runtime, week):
    activity_id = published(client, runtime, week, week.webcast(registration={"mode": "internal", "capacity": 30}))
    register(runtime, activity_id, "anna@example.org")
    register(runtime, activity_id, "bertil@example.org", status="waitlisted")
    pre_event, post_event = only(runtime, "pre_event"), only(runtime, "post_event")

    run(runtime, pre_event.due_at)
    checks = [m for m in mails(runtime) if m.subject.startswith("Kontrollera")]
    assert sorted(m.to_address for m in checks) == ORGANISERS
    assert "Anmälda: 1 av 30 platser, 1 på väntelistan" in checks[0].text
    assert f"Digitalt: {week.link_server}/ok/live" in checks[0].text

    run(runtime, post_event.due_at)
    reports = [m for m in mails(runtime) if m.subject.startswith("Rapportera")]
    assert sorted(m.to_address for m in reports) == ORGANISERS
    assert f"PUT /api/v1/activities/{activity_id}/report" in reports[0].text


def test_a_danish_organisation_is_reminded_in_danish_only(client, runtime, week):
    with runtime.database.unit_of_work() as session:
        session.get(Organisation, week.organisation_id).country = "DK"  # Linköping, as if Danish
    activity_id = published(client, runtime, week, week.webcast(registration={"mode": "internal", "capacity": 1}))
    register(runtime, activity_id, "anna@example.org")
    register(runtime, activity_id, "bertil@example.org", status="waitlisted")
    register(runtime, activity_id, "cecilia@example.org", status="waitlisted")

    run(runtime, only(runtime, "pre_event").due_at)

    checks = [m for m in mails(runtime) if m.subject == "Tjek inden Webbsändning: Så sprider vi välfärdsteknik"]
    assert sorted(m.to_address for m in checks) == ORGANISERS
    assert "Tilmeldte: 1 af 1 plads, 2 på ventelisten" in checks[0].text  # one seat: the singular
    assert "Viser programmet alt korrekt?" in checks[0].text
    for swedish in ("Anmälda", "Stämmer", "platser", "Ändra"):
        assert swedish not in checks[0].text


def test_a_draft_not_submitted_is_reminded_of_the_deadline_and_a_submitted_one_is_not(client, runtime, week):
    draft = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    submitted = client.post(ACTIVITIES, json=week.webcast(title="Inskickad"), headers=week.organiser).get_json()["id"]
    run(runtime, utcnow())
    client.post(f"/api/v1/activities/{submitted}/submit", headers=week.organiser)
    due = only(runtime, "draft_deadline", draft).due_at

    run(runtime, due)

    deadline_mails = [m for m in mails(runtime) if m.subject.startswith("Skicka in")]
    assert sorted(m.to_address for m in deadline_mails) == ORGANISERS
    assert week.webcast()["title"] in deadline_mails[0].text
    assert "Inskickad" not in " ".join(m.text for m in deadline_mails)


def test_an_unanswered_change_request_is_followed_up_with_the_coordinators_comment(client, runtime, week):
    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "request_changes", "comment": "Lägg till talarna."}, headers=week.coordinator)

    run(runtime, only(runtime, "changes_requested").due_at)

    [follow_up, *_] = [m for m in mails(runtime) if m.subject.startswith("Väntar på era ändringar")]
    assert "Lägg till talarna." in follow_up.text
    assert sorted(m.to_address for m in mails(runtime) if m.subject.startswith("Väntar")) == ORGANISERS


def test_the_coordinators_digest_goes_out_only_when_something_waits(client, runtime, week):
    today = utcnow()
    digest_time = local_day_at(today, 0, hour=8)
    run(runtime, digest_time)
    assert mails(runtime, to=COORDINATOR) == []
    assert only(runtime, "coordinator_digest").cancel_reason == "nothing_waiting"

    # Tomorrow two wait, one of them without a summary (a warning of the checks).
    for body in (week.webcast(), week.webcast(title="Utan sammanfattning", summary="")):
        activity_id = client.post(ACTIVITIES, json=body, headers=week.organiser).get_json()["id"]
        client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    tomorrow = digest_time + timedelta(days=1)
    run(runtime, tomorrow)
    run(runtime, tomorrow + timedelta(hours=1))

    [digest] = mails(runtime, to=COORDINATOR)
    assert digest.subject == "Granskningskön: 2 väntar (Testveckan)"
    assert "- missing_summary: 1" in digest.text
    assert "Utan fynd: 1" in digest.text
    assert "Granskningskön för Testveckan: 2 aktiviteter väntar på beslut." in digest.text
    assert "Äldst: ”Webbsändning: Så sprider vi välfärdsteknik”, inskickad" in digest.text
    assert "/ " not in digest.text + digest.subject  # Swedish only, no English beside it
    assert mails(runtime, to="olga@linkoping.se") == []


def test_smtp_down_keeps_the_reminders_mails_in_the_outbox(client, runtime, week, settings):
    closed_port = _free_port()
    down = dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=closed_port)
    runtime.settings = down  # the jobs read the mail settings from the runtime
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    due = only(runtime, "participant").due_at

    run(runtime, due)
    run_jobs(runtime)
    run(runtime, due + timedelta(minutes=1))

    [mail] = mails(runtime, to="anna@example.org")
    assert mail.sent_at is None
    assert mail.last_error.startswith("ConnectionRefusedError")
    assert only(runtime, "participant").sent_at == due  # handed to the outbox, once
    with runtime.database.sessions() as session:
        messages = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == "send_email")).all()
        assert [m.args for m in messages].count([mail.id]) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_periodic_job_runs_through_rq_and_sends_what_is_due_now(client, runtime, week):
    # Remind drafts 60 days before the deadline: for this week, that was ten days ago.
    settings = {"draft_deadline": {"days_before": [60]}}
    assert client.patch("/api/v1/editions/test-week", json={"reminder_settings": settings}, headers=week.coordinator).status_code == 200
    client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser)

    enqueue_periodic_jobs(runtime.redis, utcnow())
    run_jobs(runtime)  # the reminders job, then the send_email jobs it caused

    deadline_mails = [m for m in mails(runtime) if m.subject.startswith("Skicka in")]
    assert sorted(m.to_address for m in deadline_mails) == ORGANISERS
    assert all(m.sent_at is not None for m in deadline_mails)
    enqueue_periodic_jobs(runtime.redis, utcnow() + timedelta(minutes=5))  # the next period: runs again
    run_jobs(runtime)
    assert len([m for m in mails(runtime) if m.subject.startswith("Skicka in")]) == 2


@pytest.mark.embedded
def test_the_embedded_worker_sends_reminders_too(tmp_path: Path):
    embedded = Runtime(Settings(instance_path=tmp_path / "instance"))
    try:
        migrate.upgrade(embedded.database.engine)
        create_app(runtime=embedded)  # installs the runtime the jobs use
        now = utcnow()
        with embedded.database.unit_of_work() as session:
            _activity_in_review(session, now)

        Clock(embedded).tick(now)
        run_worker(embedded, burst=True)

        mail_files = list((tmp_path / "instance" / "mail").glob("*.eml"))
        assert len(mail_files) == 1
        assert "Granskningsk" in mail_files[0].read_text()
        with embedded.database.sessions() as session:
            assert [r.kind.value for r in session.scalars(sa.select(service.Reminder)) if r.sent_at] == ["coordinator_digest"]
    finally:
        embedded.close()


def _activity_in_review(session, now: datetime) -> None:
    """An edition taking submissions, its coordinator, and one activity waiting for review."""
    coordinator = User(email="samordnare@example.org", name="Samordnare", password_hash="x")
    edition = Edition(
        slug="embedded-week",
        name={"sv": "Inbäddade veckan"},
        theme={"sv": "Tema"},
        timezone="Europe/Stockholm",
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=34),
        submissions_open_at=now - timedelta(days=30),
        submissions_close_at=now + timedelta(days=20),
        reminder_settings={"coordinator_digest": {"hour": 0}},  # due from midnight: already due now
    )
    edition.coordinators.append(EditionCoordinator(user=coordinator))
    organisation = Organisation(name="Umeå kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
    activity = Activity(
        edition=edition,
        organisation=organisation,
        status=ActivityStatus.IN_REVIEW,
        title="Öppet hus",
        format=Format.WORKSHOP,
        attendance_mode=AttendanceMode.ONLINE,
        starts_at=now + timedelta(days=31),
        ends_at=now + timedelta(days=31, hours=2),
    )
    session.add_all([coordinator, edition, organisation, activity])
    session.flush()
    session.add(Revision(activity=activity, number=1, state=RevisionState.IN_REVIEW, content=content_of(activity)))
    session.flush()


def _choose_language(runtime: Runtime, email: str, language: str) -> None:
    with runtime.database.unit_of_work() as session:
        session.scalars(sa.select(User).where(User.email == email)).one().language = language


def test_an_organiser_who_chose_danish_is_reminded_in_danish_while_the_others_keep_swedish(client, runtime, week):
    _choose_language(runtime, "olga@linkoping.se", "da")
    activity_id = published(client, runtime, week, week.webcast(registration={"mode": "internal", "capacity": 30}))
    register(runtime, activity_id, "anna@example.org")

    run(runtime, only(runtime, "pre_event").due_at)

    [danish] = [m for m in mails(runtime, to="olga@linkoping.se") if m.subject.startswith("Tjek")]
    [swedish] = [m for m in mails(runtime, to="kim@linkoping.se") if m.subject.startswith("Kontrollera")]
    assert danish.subject == "Tjek inden Webbsändning: Så sprider vi välfärdsteknik"
    assert "Tilmeldte: 1 af 30 pladser" in danish.text
    assert "Anmälda" not in danish.text
    assert "Anmälda: 1 av 30 platser" in swedish.text


def test_a_coordinator_who_chose_danish_gets_the_digest_in_danish(client, runtime, week):
    _choose_language(runtime, COORDINATOR, "da")
    digest_time = local_day_at(utcnow(), 0, hour=8)
    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)

    run(runtime, digest_time)

    [digest] = mails(runtime, to=COORDINATOR)
    assert digest.subject == "Gennemgangskøen: 1 venter (Testveckan)"
    assert "Gennemgangskøen for Testveckan: 1 aktivitet venter på en afgørelse." in digest.text
    assert "Granskning" not in digest.subject + digest.text
