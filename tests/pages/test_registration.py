"""Registering on an activity's page (the demo's study visit next year, two seats): the form with
the consent text and its version, its CSRF token and honeypot, the API's rules with a message at
each field in sv, da and en, the notice changing under the visitor, the waitlist, the rate limit,
conflicts as pages, and the caching of a page that carries a visitor's token."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity
from innovationsweek.editions.models import Edition
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.registrations.models import Registration
from innovationsweek.translations import translations
from tests.conftest import count_rows, emails_to
from tests.pages.test_pages import activity_id, text_of

STUDY_VISIT = "Studiebesök: Digitala medarbetare i hemtjänsten"
WEBCAST = "Invigning av Innovationsveckan: Att sprida och involvera"
EXTERNAL = "Workshop: Patientens väg genom vården"
PERSON = {
    "name": "Karin Ek",
    "email": "karin.ek@example.org",
    "workplace": "Linköpings kommun",
    "position": "Verksamhetsutvecklare",
    "phone": "+46 13 20 60 00",
    "photo_consent": "no",
    "consent": "yes",
}


@pytest.fixture
def visit(demo_data, runtime) -> int:
    """The study visit of the demo's upcoming week, which takes registrations here."""
    with runtime.database.sessions() as session:
        return session.scalar(
            sa.select(Activity.id).join(Edition).where(Activity.title == STUDY_VISIT, Edition.slug != "innovationsveckan-2019")
        )


def form_page(client, visit: int, language: str = "en"):
    response = client.get(f"/activities/{visit}?lang={language}")
    assert response.status_code == 200
    return response


def hidden(response, name: str) -> str:
    return unescape(re.search(rf'name="{name}" value="([^"]*)"', response.text).group(1))


def post(client, visit: int, language: str = "en", *, token: bool = True, address: str = "198.51.100.1", **changes: str):
    page = form_page(client, visit, language)
    data = {**PERSON, "notice_version": hidden(page, "notice_version"), **changes}
    if token:
        data["csrf_token"] = hidden(page, "csrf_token")
    return client.post(f"/activities/{visit}/registrations?lang={language}", data=data, environ_base={"REMOTE_ADDR": address})


def stored(runtime, visit: int) -> list[Registration]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(Registration).where(Registration.activity_id == visit).order_by(Registration.id)))


def translated(language: str, message: str) -> str:
    return translations(language).gettext(message)


def field_error(response, field: str) -> str:
    found = re.search(rf'<p class="error-message" id="reg-{field}-error">(.*?)</p>', response.text, re.S)
    assert found, f"no message at {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", unescape(found.group(1))).split())


def test_the_form_shows_the_notice_in_the_pages_language_with_its_version_and_no_photo_choice_made(client, visit):
    for language, words in (("sv", "Din anmälan är ett aktivt samtycke"), ("da", "Din tilmelding er et aktivt samtykke"), ("en", "Registering is an active consent")):
        page = form_page(client, visit, language)

        assert re.search(rf'<div class="privacy-notice" lang="{language}" id="reg-notice">{words}', page.text)
        assert hidden(page, "notice_version") in text_of(page)
        assert "checked" not in re.search(r'<fieldset class="choice".*?</fieldset>', page.text, re.S).group(0)
        assert f'action="/activities/{visit}/registrations?lang={language}"' in page.text


def test_registering_confirms_in_the_pages_language_and_mails_the_address(client, runtime, visit):
    response = post(client, visit, "da")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = text_of(response)
    assert "Du er tilmeldt" in text
    assert "Se i din indbakke efter bekræftelsen og linket til at afmelde dig." in text
    assert f'href="/activities/{visit}"' in response.text
    [registration] = stored(runtime, visit)
    assert (registration.email, registration.photo_consent, registration.phone) == ("karin.ek@example.org", False, "+46 13 20 60 00")
    assert registration.consent_version == hidden(form_page(client, visit), "notice_version")
    assert len(emails_to(runtime, "karin.ek@example.org")) == 1


def test_without_the_csrf_token_nothing_is_registered(client, runtime, visit):
    response = post(client, visit, "sv", token=False)

    assert response.status_code == 400
    assert "Formuläret hade gått ut eller kom inte från den här sidan" in text_of(response)
    assert 'value="Karin Ek"' in response.text  # what was typed stays
    assert stored(runtime, visit) == []


def test_a_token_from_another_visitors_session_is_refused(app, runtime, visit):
    someone, attacker = app.test_client(), app.test_client()
    token = hidden(form_page(someone, visit), "csrf_token")
    form_page(attacker, visit)

    response = attacker.post(f"/activities/{visit}/registrations", data={**PERSON, "csrf_token": token, "notice_version": "2027-1"})

    assert response.status_code == 400
    assert stored(runtime, visit) == []


def test_a_filled_honeypot_gets_the_same_confirmation_and_nothing_is_stored(client, runtime, visit):
    emails = count_rows(runtime, "emails")  # the demo's own (its reuse link told Linköping)
    trapped = post(client, visit, website="https://spam.example")

    assert trapped.status_code == 200
    assert stored(runtime, visit) == [] and count_rows(runtime, "emails") == emails
    genuine = post(client, visit, email="someone.else@example.org")
    assert genuine.status_code == 200
    assert trapped.get_data() == genuine.get_data()


INVALID = [  # field, what is typed, the message the visitor reads
    ("name", "", "Enter your name, at most 200 characters."),
    ("name", "x" * 201, "Enter your name, at most 200 characters."),
    ("email", "karin.example.org", "Enter an email address in the right form, like name@example.se."),
    ("workplace", "  ", "Enter your workplace, at most 200 characters."),
    ("position", "", "Enter your position or role, at most 200 characters."),
    ("phone", "ring mig", "Enter a phone number of at most 40 characters: digits, spaces and + ( ) - . / only."),
    ("photo_consent", "", "Choose whether you may appear in photos and film."),
    ("photo_consent", "maybe", "Choose whether you may appear in photos and film."),
    ("consent", "", "Tick the box: registering needs your consent to the privacy notice."),
    ("name", "Karin\x00Ek", "Enter your name, at most 200 characters."),
]


@pytest.mark.parametrize("language", ["sv", "da", "en"])
@pytest.mark.parametrize(("field", "typed", "message"), INVALID)
def test_each_refused_field_is_named_next_to_it_and_in_the_summary(client, runtime, visit, language, field, typed, message):
    response = post(client, visit, language, **{field: typed})

    assert response.status_code == 400
    expected = translated(language, message)
    assert language == "en" or expected != message  # really translated
    assert field_error(response, field) == f"{translated(language, 'Error:')} {expected}"
    assert re.search(rf'<li><a href="#reg-{field}">[^<]*: {re.escape(expected)}</a></li>', unescape(response.text))
    assert f'id="reg-{field}"' in response.text  # the summary's link has its target
    assert translated(language, "There is a problem") in text_of(response)
    if field != "name":
        assert 'value="Karin Ek"' in response.text  # the rest of what was typed stays
    assert stored(runtime, visit) == []


def test_a_notice_changed_since_the_form_was_shown_is_refused_with_the_new_text(client, runtime, visit):
    page = form_page(client, visit)
    with runtime.database.unit_of_work() as session:
        edition = session.get(Activity, visit).edition
        edition.privacy_notice = {**edition.privacy_notice, "en": "A new notice: we also keep your data for statistics."}
        edition.privacy_notice_version = "2027-2"

    response = client.post(
        f"/activities/{visit}/registrations?lang=en",
        data={**PERSON, "csrf_token": hidden(page, "csrf_token"), "notice_version": hidden(page, "notice_version")},
    )

    assert response.status_code == 409
    text = text_of(response)
    assert "The privacy notice changed after the form was shown." in text
    assert "A new notice: we also keep your data for statistics." in text
    assert hidden(response, "notice_version") == "2027-2"
    assert 'id="reg-consent" name="consent" value="yes" aria-describedby="reg-notice">' in response.text  # unticked
    assert stored(runtime, visit) == []


def test_when_full_the_page_says_so_and_the_confirmation_gives_the_waitlist_position(client, runtime, visit):
    assert "2 seats left." in text_of(form_page(client, visit))
    post(client, visit, email="first@example.org")
    assert "1 seat left." in text_of(form_page(client, visit))
    post(client, visit, email="second@example.org")
    assert "Full: you will be placed on the waitlist." in text_of(form_page(client, visit))

    third = post(client, visit, "sv", email="third@example.org")
    fourth = post(client, visit, "en", email="fourth@example.org")

    assert "Du står som nummer 1 på väntelistan." in text_of(third)
    assert "You are on the waitlist" in text_of(fourth) and "You are number 2 on the waitlist." in text_of(fourth)


def test_an_address_registered_already_gets_what_a_newcomer_gets(client, runtime, visit):
    post(client, visit, email="first@example.org")
    post(client, visit, email="second@example.org")

    again = post(client, visit, email="first@example.org")  # holds a seat; nothing moves
    newcomer = post(client, visit, email="third@example.org")

    assert again.status_code == newcomer.status_code == 200
    assert "You are number 1 on the waitlist." in text_of(newcomer)
    assert again.get_data() == newcomer.get_data()


def test_too_many_registrations_from_one_address_get_a_429_page_in_the_visitors_language(client, runtime, visit):
    answers = [post(client, visit, "da", address="203.0.113.9", email=f"p{n}@example.org").status_code for n in range(10)]
    refused = post(client, visit, "da", address="203.0.113.9", email="late@example.org")

    assert answers == [200] * 10
    assert refused.status_code == 429
    assert refused.mimetype == "text/html"
    assert int(refused.headers["Retry-After"]) > 0
    assert "For mange tilmeldinger fra din adresse; vent et minut" in text_of(refused)  # the limit's own words, how long too
    assert '<html lang="da">' in refused.text


def test_a_closed_registration_is_said_on_the_page_and_a_late_form_gets_a_409_page(client, runtime, visit):
    page = form_page(client, visit)
    with runtime.database.unit_of_work() as session:
        session.get(Activity, visit).registration_closed = True

    late = client.post(
        f"/activities/{visit}/registrations?lang=sv",
        data={**PERSON, "csrf_token": hidden(page, "csrf_token"), "notice_version": hidden(page, "notice_version")},
    )
    closed_page = client.get(f"/activities/{visit}?lang=sv")

    assert late.status_code == 409 and late.mimetype == "text/html"
    assert "Arrangören har stängt anmälan till den här aktiviteten." in text_of(late)
    assert stored(runtime, visit) == []
    assert "Arrangören har stängt anmälan" in text_of(closed_page)
    assert "<form" not in closed_page.text.split('class="registration"')[1]


def test_an_activity_registered_for_elsewhere_links_to_the_organisers_site(client, demo_data, runtime):
    page = client.get(f"/activities/{activity_id(runtime, EXTERNAL)}?lang=en")

    assert "Registration for this activity is on the organiser's own site." in text_of(page)
    assert 'href="https://www.skane.se/anmalan"' in page.text
    assert 'name="csrf_token"' not in page.text


def test_a_page_with_the_form_is_private_to_the_visitor_and_revalidates(client, visit):
    first = form_page(client, visit)
    again = client.get(f"/activities/{visit}?lang=en", headers={"If-None-Match": first.headers["ETag"]})
    stranger = first.headers["ETag"]

    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in first.headers["Vary"]
    assert "HttpOnly" in first.headers["Set-Cookie"] and "SameSite=Lax" in first.headers["Set-Cookie"]
    assert again.status_code == 304 and again.headers["Cache-Control"] == "private, no-cache"
    client.delete_cookie("session")
    other_visitor = client.get(f"/activities/{visit}?lang=en", headers={"If-None-Match": stranger})
    assert other_visitor.status_code == 200  # a new session: a page with its own token
    assert hidden(other_visitor, "csrf_token") != hidden(first, "csrf_token")


def test_a_new_registration_changes_the_etag_so_seats_left_are_current(client, visit):
    first = form_page(client, visit)
    post(client, visit, email="first@example.org")

    again = client.get(f"/activities/{visit}?lang=en", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 200 and "1 seat left." in text_of(again)


def test_a_page_without_the_form_keeps_its_public_caching_and_sets_no_cookie(client, demo_data, runtime):
    response = client.get(f"/activities/{activity_id(runtime, WEBCAST)}?lang=en")

    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    assert "Set-Cookie" not in response.headers
    assert 'name="csrf_token"' not in response.text


def test_the_language_switch_on_the_answer_to_the_form_goes_back_to_the_activity(client, visit):
    response = post(client, visit, "sv")

    switch = re.search(r'href="(/language\?lang=da[^"]*)"', response.text).group(1)
    back = client.get(unescape(switch))
    assert back.headers["Location"] == f"/activities/{visit}"
    assert '<html lang="da">' in client.get(back.headers["Location"]).text


def test_the_organisers_photo_notice_stands_at_the_photo_choice_in_its_own_language(client, runtime, visit):
    with runtime.database.unit_of_work() as session:
        entry = session.get(ProgrammeEntry, visit)
        entry.data = {**entry.data, "photo_notice": "Vi filmar hela besöket och lägger ut filmen på kommunens webbplats."}

    page = form_page(client, visit, "en")

    assert '<p class="hint" id="reg-photo-hint" lang="sv">Vi filmar hela besöket' in page.text
    assert '<fieldset class="choice" aria-describedby="reg-photo-hint">' in page.text


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"starts_at": datetime(2020, 1, 1, tzinfo=UTC)}, "This activity has already started: registration is over."),
        ({"cancelled": True}, "This activity is cancelled: it takes no registrations."),
    ],
)
def test_a_started_or_cancelled_activity_says_why_and_has_no_form(client, runtime, visit, change, said):
    with runtime.database.unit_of_work() as session:
        entry = session.get(ProgrammeEntry, visit)
        for name, value in change.items():
            setattr(entry, name, value)

    page = client.get(f"/activities/{visit}?lang=en")

    assert said in text_of(page)
    assert 'name="csrf_token"' not in page.text
    assert page.headers["Cache-Control"].startswith("public") and "Set-Cookie" not in page.headers
