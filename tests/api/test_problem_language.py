"""A problem's ``detail`` (and its field errors') is written in the language the caller's
``Accept-Language`` asks for, Swedish, Danish or English, English when it asks for none of
them; ``type``, ``title`` and field names stay as partners know them. So it is for the errors
of every part of the service, marshmallow's field errors and werkzeug's own."""

from __future__ import annotations

import pytest

from tests.activities.conftest import week  # noqa: F401 (a fixture)
from tests.webhooks.conftest import make_partner

UNKNOWN_LINK = "/api/v1/registrations/iwr_forged"
DETAILS = {
    "sv": "Ingen anmälan har den här länken; den kan ha skrivits fel eller raderats.",
    "da": "Ingen tilmelding har dette link; det kan være skrevet forkert eller slettet.",
    "en": "No registration has this link; it may have been mistyped or erased.",
}


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_the_same_problem_in_each_language(client, language):
    answer = client.delete(UNKNOWN_LINK, headers={"Accept-Language": f"{language}, en;q=0.5"})

    assert answer.status_code == 404
    assert answer.json["detail"] == DETAILS[language]
    assert answer.json["title"] == "Not Found" and answer.json["type"] == "about:blank"
    assert answer.headers["Content-Language"] == language
    assert "Accept-Language" in answer.headers["Vary"]


@pytest.mark.parametrize("header", [None, "fr-FR, de;q=0.8"])
def test_no_or_an_unknown_language_is_answered_in_english(client, header):
    answer = client.delete(UNKNOWN_LINK, headers={"Accept-Language": header} if header else {})

    assert answer.json["detail"] == DETAILS["en"]
    assert answer.headers["Content-Language"] == "en"
    assert "Accept-Language" in answer.headers["Vary"]


def test_the_pages_language_cookie_does_not_choose_the_apis(client):
    client.set_cookie("lang", "sv")
    answer = client.delete(UNKNOWN_LINK, headers={"Accept-Language": "da"})

    assert answer.json["detail"] == DETAILS["da"]


def test_a_handlers_own_detail_is_translated(client):
    answer = client.post(
        "/api/v1/auth/tokens", data="{not json", content_type="application/json", headers={"Accept-Language": "sv"}
    )

    assert answer.status_code == 400
    assert answer.json["detail"] == "Anropets innehåll är inte giltig JSON."


def test_a_detail_that_is_not_a_message_of_the_catalogue_is_said_to_be_english(app):
    from flask_babel import lazy_gettext

    from innovationsweek.api.problems import problem

    with app.test_request_context(headers={"Accept-Language": "sv"}):
        plain = problem(404, "No such thing here.")
        message = problem(404, lazy_gettext("This may not be blank."))

    assert (plain.json["detail"], plain.headers["Content-Language"]) == ("No such thing here.", "en")
    assert (message.json["detail"], message.headers["Content-Language"]) == ("Detta får inte vara tomt.", "sv")


# --- errors of the different parts of the service, and the libraries' own ---------------------

def asked(language: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {**(headers or {}), "Accept-Language": language}


@pytest.mark.parametrize(
    ("language", "detail"),
    [("sv", "Ingen upplaga ”no-such-week”."), ("da", "Ingen udgave »no-such-week«."), ("en", "No edition “no-such-week”.")],
)
def test_an_unknown_edition(client, language, detail):
    answer = client.get("/api/v1/editions/no-such-week", headers=asked(language))

    assert answer.status_code == 404
    assert (answer.json["detail"], answer.headers["Content-Language"]) == (detail, language)


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("sv", "Inte ett tema i den här upplagan: sailing; de som finns: involve, spread."),
        ("da", "Ikke et tema i denne udgave: sailing; de mulige er: involve, spread."),
    ],
)
def test_an_activity_with_a_theme_the_week_does_not_offer(client, week, language, detail):  # noqa: F811
    answer = client.post(
        f"/api/v1/editions/{week.slug}/activities", json=week.webcast(themes=["sailing"]), headers=asked(language, week.organiser)
    )

    assert answer.status_code == 422
    assert answer.json["errors"] == [{"detail": detail, "pointer": "/themes"}]


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("sv", "”cancel” går inte för den här aktiviteten: den är draft. Möjligt nu: "),
        ("da", "»cancel« er ikke muligt for denne aktivitet: den er draft. Muligt nu: "),
    ],
)
def test_a_step_the_activity_cannot_take_now(client, week, language, detail):  # noqa: F811
    draft = client.post(f"/api/v1/editions/{week.slug}/activities", json=week.webcast(), headers=week.organiser).json
    answer = client.post(f"/api/v1/activities/{draft['id']}/cancel", json={"reason": "Sjuk"}, headers=asked(language, week.organiser))

    assert answer.status_code == 409
    assert answer.json["detail"].startswith(detail)
    assert answer.json["state"] == "draft"  # the API's words stay as they are


@pytest.mark.parametrize(("language", "detail"), [("sv", "Inte en giltig URL."), ("da", "Ikke en gyldig URL.")])
def test_a_webhook_url_with_a_password_in_it(client, runtime, language, detail):
    partner = make_partner(runtime, "Kalendern")
    answer = client.post(
        "/api/v1/webhooks",
        json={"url": "https://user:pw@partner.example/hooks", "events": ["activity.published"]},
        headers=asked(language, partner.headers),
    )

    assert answer.status_code == 422
    assert answer.json["errors"] == [{"detail": detail, "pointer": "/url"}]


def test_marshmallows_field_errors_in_danish(client):
    body = client.post("/api/v1/auth/tokens", json={"email": 5}, headers=asked("da")).json
    query = client.get("/api/v1/editions/no-such-week/programme?limit=0&format=party", headers=asked("da")).json

    assert body["errors"] == [
        {"detail": "Ikke en gyldig tekststreng.", "pointer": "/email"},
        {"detail": "Dette felt er obligatorisk.", "pointer": "/password"},
    ]
    assert {error["parameter"]: error["detail"] for error in query["errors"]} == {
        "limit": "Skal være mindst 1 og højst 200.",
        "format.0": "Skal være en af: lecture, study_visit, workshop, exhibition, dialogue_meeting, webcast, other.",
    }
    assert body["detail"] == query["detail"] == "Forespørgslen har ugyldige felter; se errors."


def test_the_projects_own_validation_message_in_swedish(client, people):
    people.create("grundare@example.org")
    organisation = {"name": "Umeå kommun", "kind": "municipality", "country": "Sverige"}
    answer = client.post("/api/v1/organisations", json=organisation, headers=asked("sv", people.headers("grundare@example.org")))

    assert answer.status_code == 422
    assert answer.json["errors"] == [{"detail": "Ange en landskod enligt ISO 3166-1 alpha-2, till exempel SE eller DK.", "pointer": "/country"}]


def test_an_address_the_api_does_not_have_in_swedish(client):
    answer = client.get("/api/v1/nothing-here", headers=asked("sv"))

    assert answer.status_code == 404
    assert answer.json["detail"].startswith("Adressen finns inte på servern.")
    assert answer.headers["Content-Language"] == "sv"
