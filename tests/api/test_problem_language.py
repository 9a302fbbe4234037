"""A problem's ``detail`` (and its field errors') is written in the language the caller's
``Accept-Language`` asks for, Swedish, Danish or English, English when it asks for none of
them; ``type``, ``title`` and field names stay as partners know them."""

from __future__ import annotations

import pytest

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
