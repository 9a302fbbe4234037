"""Participants register with consent, get a confirmation with a calendar entry and a secret
cancel link, and the waitlist moves up when someone cancels."""

from __future__ import annotations

import json
import re
from datetime import datetime

import icalendar
import pytest
import sqlalchemy as sa

from innovationsweek.registrations import service as registrations_service
from innovationsweek.registrations.models import Registration, RegistrationStatus
from tests.conftest import count_rows, emails_to, problem_of, run_jobs, sent_messages
from tests.pages.test_sign_in import csrf_token
from tests.registrations.conftest import (
    NOTICE,
    PUBLIC_URL,
    TOKEN,
    participant,
    publish,
    register,
    registrations_of,
    cancel_token,
    token_in,
)


def test_registering_confirms_a_seat_and_keeps_the_consent_given(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)

    response = register(client, activity_id, headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"status": "confirmed", "activity_id": activity_id}
    [registration] = registrations_of(runtime, activity_id)
    assert (registration.name, registration.email, registration.phone) == ("Anna Andersson", "anna@example.org", "+46 13 22 20 00")
    assert registration.photo_consent is True
    assert (registration.consent_text, registration.consent_version) == (NOTICE["en"], "2026-1")
    assert registration.consented_at is not None
    assert registration.cancel_token_hash not in response.get_data(as_text=True)


def test_the_consent_text_is_the_registrations_language_else_the_first_the_edition_has(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id, participant("a@example.org"))
    register(client, activity_id, participant("b@example.org", language="en"))
    with runtime.database.unit_of_work() as session:  # an edition without a Danish notice
        session.get_one(Registration, registrations_of(runtime, activity_id)[0].id).activity.edition.privacy_notice = {
            "sv": NOTICE["sv"], "en": NOTICE["en"]
        }
    register(client, activity_id, participant("c@example.org", language="da"))

    stored = [(r.language, r.consent_text) for r in registrations_of(runtime, activity_id)]
    assert stored == [("sv", NOTICE["sv"]), ("en", NOTICE["en"]), ("da", NOTICE["sv"])]


def test_the_confirmation_mail_has_the_calendar_entry_and_a_cancel_link(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id, participant("Anna@Example.org"))
    run_jobs(runtime)

    [message] = sent_messages(runtime, "anna@example.org")
    assert message["Subject"] == f"Anmälan bekräftad: {open_week.webcast()['title']}"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Hej Anna Andersson!") and "Hi Anna" not in text  # the edition's language: Swedish
    assert f"{PUBLIC_URL}/registrations/iwr_" in text
    assert re.search(r"/registrations/iwr_[A-Za-z0-9_-]+\?lang=sv\n", text)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    [event] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["uid"]) == f"activity-{activity_id}@innovationsweek"
    assert event.decoded("dtstart") == datetime.fromisoformat(open_week.webcast()["starts_at"])
    # The link works: its page shows the activity and cancels nobody.
    token = token_in(text)
    page = client.get(f"/registrations/{token}?lang=sv")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert open_week.webcast()["title"] in page.get_data(as_text=True)
    assert f'action="/registrations/{token}?lang=sv"' in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert [r.status for r in registrations_of(runtime, activity_id)] == [RegistrationStatus.CONFIRMED]


def test_the_link_of_older_mails_leads_to_the_page_in_its_language(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)
    token = cancel_token(runtime, "anna@example.org")
    older = client.get(f"/api/v1/registrations/{token}?lang=da")
    assert older.status_code == 303
    assert older.headers["Location"] == f"/registrations/{token}?lang=da"
    assert older.headers["Referrer-Policy"] == "no-referrer"
    page = client.get(older.headers["Location"])
    assert '<html lang="da"' in page.get_data(as_text=True) and "Afmeld" in page.get_data(as_text=True)


def test_the_page_form_and_delete_cancel_and_cancelling_again_changes_nothing(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id, participant("a@example.org"))
    register(client, activity_id, participant("b@example.org"))
    run_jobs(runtime)
    first = cancel_token(runtime, "a@example.org")
    second = cancel_token(runtime, "b@example.org")

    # The page's button posts its form, with the form's CSRF token.
    shown = client.get(f"/registrations/{first}?lang=sv")
    page = client.post(f"/registrations/{first}?lang=sv", data={"csrf_token": csrf_token(shown)})
    deleted = client.delete(f"/api/v1/registrations/{second}")

    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Din anmälan är avbokad" in page.get_data(as_text=True)
    assert deleted.status_code == 204
    assert [r.status for r in registrations_of(runtime, activity_id)] == [RegistrationStatus.CANCELLED] * 2
    assert all(r.cancelled_at is not None for r in registrations_of(runtime, activity_id))
    assert client.delete(f"/api/v1/registrations/{first}").status_code == 204
    assert client.post(f"/registrations/{second}", data={"csrf_token": csrf_token(shown)}).status_code == 200
    again = client.get(f"/registrations/{first}?lang=sv")
    assert again.status_code == 200 and "avbokad" in again.get_data(as_text=True) and "<form" not in again.get_data(as_text=True)


def test_the_button_without_its_csrf_token_cancels_nothing(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)
    token = cancel_token(runtime, "anna@example.org")
    refused = client.post(f"/registrations/{token}?lang=en", data={})
    assert refused.status_code == 400
    assert "The form had expired" in refused.get_data(as_text=True) and "<form" in refused.get_data(as_text=True)
    assert [r.status for r in registrations_of(runtime, activity_id)] == [RegistrationStatus.CONFIRMED]


# A NUL in the link is refused before any view (tests/api/test_hostile_input.py).
@pytest.mark.parametrize("token", ["iwr_forged", "iwr_" + "A" * 43, "something-else"])
def test_an_unknown_or_forged_link_finds_nothing(client, runtime, open_week, token):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)

    deleted = client.delete(f"/api/v1/registrations/{token}")
    page = client.get(f"/registrations/{token}")
    form = client.post(f"/registrations/{token}")

    assert deleted.status_code == 404
    problem_of(deleted)
    assert (page.status_code, page.mimetype) == (404, "text/html")
    assert (form.status_code, form.mimetype) == (404, "text/html")
    assert [r.status for r in registrations_of(runtime, activity_id)] == [RegistrationStatus.CONFIRMED]


def test_when_full_people_are_waitlisted_in_order(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=2)

    answers = [register(client, activity_id, participant(f"p{n}@example.org")).get_json() for n in range(5)]

    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [a.get("position_on_waitlist") for a in answers] == [None, None, 1, 2, 3]
    run_jobs(runtime)
    [waiting] = sent_messages(runtime, "p3@example.org")
    assert waiting["Subject"].startswith("Väntelista: ")
    assert "nummer 2 på väntelistan" in waiting.get_body(("plain",)).get_content()
    assert list(waiting.iter_attachments()) == []  # no seat, no calendar entry yet


def test_a_cancellation_gives_the_seat_to_the_first_on_the_waitlist_who_is_told(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    for n in range(3):
        register(client, activity_id, participant(f"p{n}@example.org"))
    run_jobs(runtime)

    response = client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'p0@example.org')}")
    run_jobs(runtime)

    assert response.status_code == 204
    first, second, third = registrations_of(runtime, activity_id)
    assert (first.status, second.status, third.status) == ("cancelled", "confirmed", "waitlisted")
    assert second.promoted_at is not None and third.promoted_at is None
    told = sent_messages(runtime, "p1@example.org")
    assert [m["Subject"].split(":")[0] for m in told] == ["Väntelista", "Du har fått en plats"]
    [calendar] = list(told[1].iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    # The one still waiting has moved up, as the reminder to someone registering again says.
    register(client, activity_id, participant("p2@example.org"))
    run_jobs(runtime)
    assert "som nummer 1" in sent_messages(runtime, "p2@example.org")[-1].get_body(("plain",)).get_content()


def test_the_same_address_again_gets_exactly_the_first_answer_and_a_reminder_with_a_new_link(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=3)
    first = register(client, activity_id, participant("anna@example.org"))
    old_link = cancel_token(runtime, "anna@example.org")

    again = register(client, activity_id, participant("ANNA@Example.org", name="Anna A."))

    assert (again.status_code, again.get_data()) == (first.status_code, first.get_data())
    assert (first.status_code, first.get_json()) == (201, {"status": "confirmed", "activity_id": activity_id})
    [registration] = registrations_of(runtime, activity_id)  # no second seat
    assert (registration.name, registration.status) == ("Anna Andersson", "confirmed")
    run_jobs(runtime)
    confirmation, reminder = sent_messages(runtime, "anna@example.org")
    assert reminder["Subject"] == f"Redan anmäld: {open_week.webcast()['title']}"
    text = reminder.get_body(("plain",)).get_content()
    assert "Du är redan anmäld" in text and "har kvar din plats" in text
    [calendar] = list(reminder.iter_attachments())
    assert calendar.get_content_type() == "text/calendar"
    # The new link works and replaces the old one.
    assert client.get(f"/registrations/{old_link}").status_code == 404
    assert client.get(f"/registrations/{token_in(text)}").status_code == 200


def test_registering_again_when_full_answers_what_a_newcomer_is_told_not_ones_own_place(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("anna@example.org"))
    register(client, activity_id, participant("bo@example.org"))

    again = register(client, activity_id, participant("anna@example.org"))
    newcomer = register(client, activity_id, participant("cecilia@example.org"))

    assert (again.status_code, again.get_data()) == (newcomer.status_code, newcomer.get_data())
    assert again.get_json() == {"status": "waitlisted", "activity_id": activity_id, "position_on_waitlist": 2}
    assert [(r.email, r.status) for r in registrations_of(runtime, activity_id)] == [
        ("anna@example.org", "confirmed"), ("bo@example.org", "waitlisted"), ("cecilia@example.org", "waitlisted")
    ]
    run_jobs(runtime)
    assert "har kvar din plats" in sent_messages(runtime, "anna@example.org")[-1].get_body(("plain",)).get_content()


def test_stored_emails_hold_no_working_cancel_link(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("anna@example.org"))
    register(client, activity_id, participant("bo@example.org"))
    register(client, activity_id, participant("bo@example.org"))  # the reminder, with a new link
    run_jobs(runtime)

    with runtime.database.engine.connect() as connection:
        stored = json.dumps([list(row) for row in connection.execute(sa.text("SELECT * FROM emails"))], default=str)
        stored += json.dumps([list(row) for row in connection.execute(sa.text("SELECT * FROM outbox"))], default=str)
    for token in TOKEN.findall(stored):
        assert client.delete(f"/api/v1/registrations/{token}").status_code == 404
        assert client.get(f"/registrations/{token}").status_code == 404
    assert TOKEN.findall(stored) == []
    assert "[cancel link: only in the email as sent]" in stored
    # The mails as sent have working links.
    for address in ("anna@example.org", "bo@example.org"):
        assert client.get(f"/registrations/{cancel_token(runtime, address)}").status_code == 200
    assert [r.status for r in registrations_of(runtime, activity_id)] == ["confirmed", "waitlisted"]


def test_someone_who_cancelled_may_register_again(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)
    client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'anna@example.org')}")

    again = register(client, activity_id)

    assert again.status_code == 201
    assert [r.status for r in registrations_of(runtime, activity_id)] == ["cancelled", "confirmed"]


def test_a_filled_honeypot_looks_registered_but_registers_nothing(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("human@example.org"))

    response = register(client, activity_id, participant("bot@example.org", website="https://spam.example"))

    assert response.status_code == 201
    assert response.get_json() == {"status": "waitlisted", "activity_id": activity_id, "position_on_waitlist": 1}
    assert [r.email for r in registrations_of(runtime, activity_id)] == ["human@example.org"]
    assert emails_to(runtime, "bot@example.org") == []


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"email": "not-an-address"}, "/email"),
        ({"email": "anna@example.org\r\nBcc: x@example.org"}, "/email"),
        ({"consent": None}, "/consent"),
        ({"consent": False}, "/consent"),
        ({"consent": "yes"}, "/consent"),
        ({"photo_consent": None}, "/photo_consent"),
        ({"photo_consent": 1}, "/photo_consent"),
        ({"name": ""}, "/name"),
        ({"name": "   "}, "/name"),
        ({"workplace": None}, "/workplace"),
        ({"phone": "ring mig"}, "/phone"),
        ({"is_admin": True}, "/is_admin"),
    ],
)
def test_invalid_registrations_are_refused_by_field(client, runtime, open_week, changes, pointer):
    activity_id = publish(client, runtime, open_week)
    body = {k: v for k, v in (participant() | changes).items() if v is not None}

    response = register(client, activity_id, body)

    assert response.status_code == 422
    assert pointer in [error["pointer"] for error in problem_of(response)["errors"]]
    assert registrations_of(runtime, activity_id) == []
    assert emails_to(runtime, "anna@example.org") == []


def test_activities_outside_an_open_programme_are_not_found(client, runtime, open_week):
    published = publish(client, runtime, open_week)
    draft = client.post("/api/v1/editions/test-week/activities", json=open_week.webcast(title="Utkast"), headers=open_week.organiser).get_json()["id"]

    assert register(client, draft).status_code == 404
    assert register(client, 999_999).status_code == 404
    client.patch("/api/v1/editions/test-week", json={"programme_open": False}, headers=open_week.coordinator)
    closed = register(client, published)
    assert closed.status_code == 404
    assert "open programme" in problem_of(closed)["detail"]
    assert count_rows(runtime, "registrations") == 0


@pytest.mark.parametrize(
    ("registration", "reason"),
    [({"mode": "none"}, "not_registered_here"), ({"mode": "external", "url": "https://anmalan.example.org/"}, "not_registered_here")],
)
def test_activities_that_take_no_registrations_here_say_so(client, runtime, open_week, registration, reason):
    activity_id = publish(client, runtime, open_week, registration=registration)

    response = register(client, activity_id)

    assert response.status_code == 409
    assert problem_of(response)["reason"] == reason


def test_a_cancelled_activity_tells_its_registrants_and_takes_nobody_new(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("seat@example.org"))
    register(client, activity_id, participant("waiting@example.org"))
    client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'waiting@example.org')}")
    register(client, activity_id, participant("next@example.org"))

    response = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Talaren är sjuk."}, headers=open_week.organiser)
    run_jobs(runtime)

    assert response.status_code == 200
    for address in ("seat@example.org", "next@example.org"):
        told = sent_messages(runtime, address)[-1]
        assert told["Subject"].startswith("Inställt: ")
        assert "Talaren är sjuk." in told.get_body(("plain",)).get_content()
    assert len(sent_messages(runtime, "waiting@example.org")) == 1  # had cancelled: not told
    refused = register(client, activity_id, participant("late@example.org"))
    assert refused.status_code == 409
    assert problem_of(refused)["reason"] == "cancelled"


def test_registration_closed_by_the_organiser_is_refused_until_reopened(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    client.post(f"/api/v1/activities/{activity_id}/registration/close", headers=open_week.organiser)

    closed = register(client, activity_id)
    client.post(f"/api/v1/activities/{activity_id}/registration/open", headers=open_week.organiser)
    reopened = register(client, activity_id)

    assert closed.status_code == 409
    assert problem_of(closed)["reason"] == "closed"
    assert reopened.status_code == 201


def test_an_activity_that_has_started_takes_no_registrations(client, runtime, open_week, monkeypatch):
    activity_id = publish(client, runtime, open_week)
    later = datetime.fromisoformat(open_week.webcast()["starts_at"])
    monkeypatch.setattr(registrations_service, "utcnow", lambda: later)

    response = register(client, activity_id)

    assert response.status_code == 409
    assert problem_of(response)["reason"] == "started"


def test_without_a_privacy_notice_nobody_can_consent_so_nobody_registers(client, runtime, week):
    activity_id = publish(client, runtime, week)

    response = register(client, activity_id)

    assert response.status_code == 409
    assert problem_of(response)["reason"] == "no_privacy_notice"


def test_the_public_programme_never_shows_participants(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)

    public = client.get(f"/api/v1/programme/activities/{activity_id}").get_data(as_text=True)
    programme = client.get("/api/v1/editions/test-week/programme").get_data(as_text=True)

    for text in (public, programme):
        assert "anna@example.org" not in text and "Anna Andersson" not in text


def test_erased_registrations_have_no_working_link(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)
    register(client, activity_id)
    token = cancel_token(runtime, "anna@example.org")
    with runtime.database.unit_of_work() as session:
        session.execute(
            sa.update(Registration).values(name=None, email=None, workplace=None, position=None, phone=None, erased_at=sa.func.now())
        )

    assert client.delete(f"/api/v1/registrations/{token}").status_code == 404
