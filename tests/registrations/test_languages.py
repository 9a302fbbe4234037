"""A registration is made in one language (the body's ``language``, else Accept-Language, else
the edition's own): its consent text is the notice in that language, and every email about it
is written in that language only, whoever's action caused the email."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import count_rows, problem_of, run_jobs, sent_messages, written_day
from tests.registrations.conftest import NOTICE, cancel_token, participant, publish, register, registrations_of

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Words only a mail in that language has: the greeting, the facts' labels, the cancel line.
WORDS = {
    "sv": ("Hej Anna Andersson!", "När: ", "Arrangör: ", "Avboka", "Länken är personlig"),
    "da": ("Kære Anna Andersson", "Hvornår: ", "Arrangør: ", "Afmeld", "Linket er personligt"),
    "en": ("Hi Anna Andersson,", "When: ", "Organiser: ", "Cancel", "The link is personal"),
}
SUBJECTS = {"sv": "Anmälan bekräftad: ", "da": "Tilmelding bekræftet: ", "en": "Registration confirmed: "}


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def assert_only(language: str, text: str) -> None:
    for word in WORDS[language]:
        assert word in text, (word, text)
    for other in set(WORDS) - {language}:
        for word in WORDS[other]:
            if not any(word in mine for mine in WORDS[language]):
                assert word not in text, (other, word, text)


def spoken_times(week, language: str) -> str:
    start = datetime.fromisoformat(week.webcast()["starts_at"]).astimezone(STOCKHOLM)
    end = datetime.fromisoformat(week.webcast()["ends_at"]).astimezone(STOCKHOLM)
    if language == "en":
        return f"{written_day(start, 'en')} at {start:%-I:%M}\u202f{start:%p}–{end:%-I:%M}\u202f{end:%p}"  # CLDR's narrow space
    separator = "." if language == "da" else ":"
    return f"{written_day(start, language)} kl. {start:%H}{separator}{start:%M}–{end:%H}{separator}{end:%M}"


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_registering_in_a_language_keeps_its_notice_and_confirms_in_it_alone(client, runtime, open_week, language):
    activity_id = publish(client, runtime, open_week)

    response = register(client, activity_id, participant(language=language), headers={"Accept-Language": "sv"})
    run_jobs(runtime)

    assert response.status_code == 201, response.get_json()
    [registration] = registrations_of(runtime, activity_id)
    assert (registration.language, registration.consent_text, registration.consent_version) == (language, NOTICE[language], "2026-1")
    [message] = sent_messages(runtime, "anna@example.org")
    assert message["Subject"] == SUBJECTS[language] + open_week.webcast()["title"]
    text = text_of(message)
    assert spoken_times(open_week, language) in text
    assert f"?lang={language}\n" in text  # the cancel page follows the language
    assert_only(language, text)
    assert [part.get_content_type() for part in message.iter_attachments()] == ["text/calendar"]


def test_without_a_language_field_accept_language_decides_then_the_editions_own(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)

    register(client, activity_id, participant("a@example.org"), headers={"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"})
    register(client, activity_id, participant("b@example.org"), headers={"Accept-Language": "fr-FR"})
    register(client, activity_id, participant("c@example.org"))
    run_jobs(runtime)

    assert [r.language for r in registrations_of(runtime, activity_id)] == ["da", "sv", "sv"]  # the week is named in Swedish
    assert sent_messages(runtime, "a@example.org")[0]["Subject"].startswith(SUBJECTS["da"])
    assert sent_messages(runtime, "b@example.org")[0]["Subject"].startswith(SUBJECTS["sv"])


@pytest.mark.parametrize("language", ["fi", "DA", "", "sv-SE", 7, None])
def test_an_unknown_language_is_refused_naming_the_field_and_registers_nobody(client, runtime, open_week, language):
    activity_id = publish(client, runtime, open_week)
    emails_before = count_rows(runtime, "emails")

    response = register(client, activity_id, participant(language=language))

    assert response.status_code == 422
    assert "language" in str(problem_of(response))
    assert registrations_of(runtime, activity_id) == []
    assert count_rows(runtime, "emails") == emails_before


def test_the_waitlist_and_the_already_registered_mail_keep_the_language_registered_in(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("seat@example.org", language="sv"))
    register(client, activity_id, participant(language="da"))

    again = register(client, activity_id, participant(language="en"), headers={"Accept-Language": "en"})
    run_jobs(runtime)

    assert again.status_code == 201
    waitlisted, reminded = sent_messages(runtime, "anna@example.org")
    title = open_week.webcast()["title"]
    assert waitlisted["Subject"] == f"Venteliste: {title}"
    assert f"»{title}« er fuldt booket. Du er nummer 1 på ventelisten" in text_of(waitlisted)
    assert reminded["Subject"] == f"Allerede tilmeldt: {title}"
    assert "Du står allerede på ventelisten" in text_of(reminded)
    assert "Nogen (forhåbentlig dig) har tilmeldt denne adresse igen" in text_of(reminded)
    for message in (waitlisted, reminded):
        assert "Kære Anna Andersson" in text_of(message)
        for foreign in ("Hej", "Hi ", "väntelistan", "waitlist", "registered"):
            assert foreign not in text_of(message)


def test_the_promotion_mail_is_in_the_waiting_persons_language_not_the_cancellers(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=1)
    register(client, activity_id, participant("seat@example.org", language="sv"))
    register(client, activity_id, participant(language="da"))
    run_jobs(runtime)

    client.delete(f"/api/v1/registrations/{cancel_token(runtime, 'seat@example.org')}", headers={"Accept-Language": "sv"})
    run_jobs(runtime)

    promoted = sent_messages(runtime, "anna@example.org")[-1]
    assert promoted["Subject"] == f"Du har fået en plads: {open_week.webcast()['title']}"
    text = text_of(promoted)
    assert "Der er blevet en plads ledig: Du er nu tilmeldt" in text
    assert f"Hvornår: {spoken_times(open_week, 'da')}" in text
    assert "Hej" not in text and "plats" not in text
    assert [part.get_content_type() for part in promoted.iter_attachments()] == ["text/calendar"]


def test_an_activity_cancelled_by_a_swedish_organiser_is_announced_in_each_registrations_language(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=5)
    for address, language in (("sv@example.org", "sv"), ("da@example.org", "da"), ("en@example.org", "en")):
        register(client, activity_id, participant(address, language=language))

    client.post(
        f"/api/v1/activities/{activity_id}/cancel",
        json={"reason": "Talaren är sjuk."},
        headers={**open_week.organiser, "Accept-Language": "sv"},
    )
    run_jobs(runtime)

    title = open_week.webcast()["title"]
    told = {language: sent_messages(runtime, f"{language}@example.org")[-1] for language in ("sv", "da", "en")}
    assert told["sv"]["Subject"] == f"Inställt: {title}"
    assert told["da"]["Subject"] == f"Aflyst: {title}"
    assert told["en"]["Subject"] == f"Cancelled: {title}"
    assert f"Tyvärr har ”{title}” ställts in." in text_of(told["sv"])
    assert f"Desværre er »{title}« blevet aflyst." in text_of(told["da"])
    assert "Arrangørens begrundelse: Talaren är sjuk." in text_of(told["da"])
    assert f"Unfortunately, “{title}” has been cancelled." in text_of(told["en"])
    assert "Tyvärr" not in text_of(told["da"]) + text_of(told["en"])
