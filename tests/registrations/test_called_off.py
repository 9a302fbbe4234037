"""An activity that will not take place as registered for (withdrawn from the programme, or
cancelled) tells everyone holding a seat or a place on the waitlist, by email in the language
each registered in, through the outbox, once; an activity that is published cannot be deleted."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from innovationsweek.activities import service as activities

from innovationsweek.notifications.models import Email
from innovationsweek.outbox import OutboxMessage
from innovationsweek.registrations.models import RegistrationStatus
from tests.activities.test_concurrent_edits import wait_until_blocked
from tests.conftest import problem_of, run_jobs, sent_messages
from tests.registrations.conftest import cancel_token, participant, publish, register, registrations_of

PEOPLE = {"sv@example.org": "sv", "da@example.org": "da", "en@example.org": "en"}


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def registered_in_three_languages(client, runtime, week) -> int:
    """A published activity with two seats, taken in Swedish and Danish; English waits; a fourth
    person cancelled before anything happened."""
    activity_id = publish(client, runtime, week, capacity=2)
    for address, language in PEOPLE.items():
        assert register(client, activity_id, participant(address, language=language)).status_code == 201
    assert register(client, activity_id, participant("gone@example.org", language="sv")).status_code == 201
    client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'gone@example.org')}")
    run_jobs(runtime)
    assert [r.status for r in registrations_of(runtime, activity_id)] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    ]
    return activity_id


def mails_about(runtime, address: str, subject_start: str) -> list:
    return [m for m in sent_messages(runtime, address) if m["Subject"].startswith(subject_start)]


def send_email_messages(runtime) -> list[OutboxMessage]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == "send_email")))


def test_withdrawing_a_published_activity_tells_each_registrant_once_in_their_language(client, runtime, open_week):
    activity_id = registered_in_three_languages(client, runtime, open_week)
    title = open_week.webcast()["title"]

    response = client.post(f"/api/v1/activities/{activity_id}/withdraw", headers={**open_week.organiser, "Accept-Language": "sv"})
    run_jobs(runtime)
    again = client.post(f"/api/v1/activities/{activity_id}/withdraw", headers=open_week.organiser)
    run_jobs(runtime)
    run_jobs(runtime)  # a job run twice sends nothing twice

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "withdrawn"
    assert again.status_code == 409 and problem_of(again)["state"] == "withdrawn"
    subjects = {"sv": "Återtagen: ", "da": "Trukket tilbage: ", "en": "Withdrawn: "}
    openings = {
        "sv": f"Tyvärr har ”{title}” dragits tillbaka från programmet och blir inte av som det annonserats.",
        "da": f"Desværre er »{title}« trukket tilbage fra programmet og finder ikke sted som annonceret.",
        "en": f"Unfortunately, “{title}” has been withdrawn from the programme and will not take place as announced.",
    }
    for address, language in PEOPLE.items():
        [told] = mails_about(runtime, address, subjects[language])
        assert told["Subject"] == subjects[language] + title
        assert openings[language] in text_of(told)
        for other in set(PEOPLE.values()) - {language}:
            assert openings[other].split("”")[0].split("»")[0] not in text_of(told)
    assert mails_about(runtime, "gone@example.org", "Återtagen") == []
    # Through the outbox: each mail was a committed email row with its send job, done once.
    with runtime.database.sessions() as session:
        withdrawn_rows = session.scalars(
            sa.select(Email).where(Email.to_address.in_(PEOPLE), sa.or_(*(Email.subject.startswith(s) for s in subjects.values())))
        ).all()
    assert len(withdrawn_rows) == 3 and all(row.sent_at is not None and row.attempts == 1 for row in withdrawn_rows)
    jobs = {m.args[0]: m for m in send_email_messages(runtime)}
    assert all(jobs[row.id].completed_at is not None for row in withdrawn_rows)
    # The registrations stay as they were, a record of who was told.
    assert [r.status for r in registrations_of(runtime, activity_id)][:3] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]


def test_cancelling_tells_each_registrant_once_and_a_second_cancel_tells_nobody(client, runtime, open_week):
    activity_id = registered_in_three_languages(client, runtime, open_week)

    first = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Talaren är sjuk."}, headers=open_week.organiser)
    again = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Igen."}, headers=open_week.organiser)
    withdraw = client.post(f"/api/v1/activities/{activity_id}/withdraw", headers=open_week.organiser)
    run_jobs(runtime)
    run_jobs(runtime)

    assert first.status_code == 200 and again.status_code == 409 and withdraw.status_code == 409
    subjects = {"sv": "Inställt: ", "da": "Aflyst: ", "en": "Cancelled: "}
    for address, language in PEOPLE.items():
        [told] = mails_about(runtime, address, subjects[language])
        assert "Talaren är sjuk." in text_of(told) and "Igen." not in text_of(told)
        assert mails_about(runtime, address, "Withdrawn") == []
    assert mails_about(runtime, "gone@example.org", "Inställt") == []


def test_a_published_activity_cannot_be_deleted_so_nobody_loses_their_place_untold(client, runtime, open_week):
    activity_id = registered_in_three_languages(client, runtime, open_week)
    emails_before = {address: len(sent_messages(runtime, address)) for address in PEOPLE}

    response = client.delete(f"/api/v1/activities/{activity_id}", headers=open_week.organiser)
    run_jobs(runtime)

    assert response.status_code == 409
    assert problem_of(response)["allowed"] == ["withdraw"]
    assert client.get(f"/api/v1/programme/activities/{activity_id}").status_code == 200
    assert {address: len(sent_messages(runtime, address)) for address in PEOPLE} == emails_before
    assert len(registrations_of(runtime, activity_id)) == 4


def test_a_cancel_racing_a_withdrawal_loses_and_nobody_is_told_twice(client, runtime, open_week, people):
    activity_id = registered_in_three_languages(client, runtime, open_week)
    answers = {}

    def olga_cancels() -> None:
        answers["olga"] = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Sjuk."}, headers=open_week.organiser)

    olga = threading.Thread(target=olga_cancels)
    with runtime.database.sessions() as kims_request:
        # Kim's withdrawal has told the registrants (in the outbox) but is not committed yet.
        activities.withdraw(kims_request, people.actor("kim@linkoping.se"), activity_id)
        olga.start()
        wait_until_blocked(runtime, olga)  # Olga's request read the published activity and waits for its row
        kims_request.commit()
    olga.join()
    run_jobs(runtime)

    assert answers["olga"].status_code == 409, answers["olga"].get_data(as_text=True)
    for address in PEOPLE:
        told = [m["Subject"] for m in sent_messages(runtime, address)][-1:]
        assert told[0].split(":")[0] in {"Återtagen", "Trukket tilbage", "Withdrawn"}
        assert not [s for s in (m["Subject"] for m in sent_messages(runtime, address)) if s.split(":")[0] in {"Inställt", "Aflyst", "Cancelled"}]
