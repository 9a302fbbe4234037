"""A participant's erasure gives up their place at once: a freed seat goes to the first person
waiting, in the same request, and nothing is sent to the erased person any more, not even a
reminder planned before."""

from __future__ import annotations

import sqlalchemy as sa

from innovationsweek.db import utcnow
from innovationsweek.jobs.reminders import plan_and_send
from innovationsweek.privacy import service as privacy
from innovationsweek.registrations.models import RegistrationStatus
from innovationsweek.reminders.models import Reminder
from tests.conftest import run_jobs, sent_messages
from tests.registrations.conftest import cancel_token, participant, publish, register, registrations_of

ERASURE = "/api/v1/privacy/erasure-requests/{token}/confirm"


def participant_reminders(runtime) -> dict[int, Reminder]:
    with runtime.database.sessions() as session:
        return {r.registration_id: r for r in session.scalars(sa.select(Reminder).where(Reminder.kind == "participant"))}


def confirm_erasure(client, settings, address: str):
    token = privacy.erasure_token(address, secret_key=settings.secret_key)
    return client.post(ERASURE.format(token=token), headers={"Accept": "application/json"})


def test_an_erasure_that_frees_a_seat_promotes_the_first_waiting_at_once_and_cancels_the_erased_reminders(
    client, runtime, settings, open_week
):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("seat@example.org", language="sv"))
    register(client, activity_id, participant("anna@example.org", language="da"))
    register(client, activity_id, participant("bo@example.org", language="en"))
    run_jobs(runtime)
    plan_and_send(runtime.database, utcnow())  # the seat's reminder, the day before, is planned
    seat, anna, bo = (r.id for r in registrations_of(runtime, activity_id))
    assert participant_reminders(runtime)[seat].cancelled_at is None

    response = confirm_erasure(client, settings, "seat@example.org")

    # At once, in the erasure's own transaction: no job or clock has run yet.
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["erased_registrations"] == 1
    after = {r.id: r for r in registrations_of(runtime, activity_id)}
    assert (after[seat].status, after[seat].email, after[seat].erased_at is not None) == (RegistrationStatus.CANCELLED, None, True)
    assert after[anna].status == RegistrationStatus.CONFIRMED and after[anna].promoted_at is not None
    assert after[bo].status == RegistrationStatus.WAITLISTED
    erased_reminder = participant_reminders(runtime)[seat]
    assert (erased_reminder.sent_at, erased_reminder.cancel_reason) == (None, "erased")

    run_jobs(runtime)
    [promoted] = [m for m in sent_messages(runtime, "anna@example.org") if m["Subject"].startswith("Du har fået en plads")]
    assert "Der er blevet en plads ledig" in promoted.get_body(("plain",)).get_content()
    assert [part.get_content_type() for part in promoted.iter_attachments()] == ["text/calendar"]
    assert sent_messages(runtime, "seat@example.org") == []  # what was written to them went too
    assert sent_messages(runtime, "bo@example.org")[-1]["Subject"].startswith("Waitlist: ")

    # Later runs: the promoted person is reminded in their turn; the erased one never is.
    plan_and_send(runtime.database, utcnow())
    due = participant_reminders(runtime)[anna].due_at
    plan_and_send(runtime.database, due)
    run_jobs(runtime)
    reminders = participant_reminders(runtime)
    assert reminders[anna].sent_at == due
    assert (reminders[seat].sent_at, reminders[seat].cancel_reason) == (None, "erased")
    assert [m["Subject"].split(":")[0] for m in sent_messages(runtime, "anna@example.org")][-1] == "Påmindelse"


def test_confirming_the_erasure_again_moves_nobody_else(client, runtime, settings, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    for address in ("seat@example.org", "anna@example.org", "bo@example.org"):
        register(client, activity_id, participant(address))
    run_jobs(runtime)

    first = confirm_erasure(client, settings, "seat@example.org")
    again = confirm_erasure(client, settings, "seat@example.org")
    run_jobs(runtime)

    assert (first.get_json()["erased_registrations"], again.get_json()["erased_registrations"]) == (1, 0)
    assert [r.status for r in registrations_of(runtime, activity_id)] == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert [m["Subject"].split(":")[0] for m in sent_messages(runtime, "anna@example.org")].count("Du har fått en plats") == 1


def test_erasing_someone_waiting_frees_no_seat_and_the_next_one_moves_up(client, runtime, settings, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    for address in ("seat@example.org", "anna@example.org", "bo@example.org"):
        register(client, activity_id, participant(address))
    run_jobs(runtime)

    confirm_erasure(client, settings, "anna@example.org")
    client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'seat@example.org')}")
    run_jobs(runtime)

    assert [r.status for r in registrations_of(runtime, activity_id)] == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
    ]

