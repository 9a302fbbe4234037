"""Passwords on the pages: a signed-in person changes theirs (and is signed out everywhere else);
a person who forgot theirs resets it with a mailed link that works once, for an hour."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from innovationsweek.accounts import passwords
from tests.conftest import PASSWORD, emails_to, run_jobs, sent_messages
from tests.pages.test_sign_in import csrf_token, sign_in

EMAIL = "organiser@example.org"
NEW = "a much longer passphrase"


@pytest.fixture
def organiser(demo_data):
    return EMAIL


def api_token(client, password: str):
    return client.post("/api/v1/auth/tokens", json={"email": EMAIL, "password": password})


def change(client, current: str, new: str, repeat: str | None = None, **kwargs):
    token = csrf_token(client.get("/account/password", **kwargs))
    data = {"current_password": current, "new_password": new, "repeat": new if repeat is None else repeat, "csrf_token": token}
    return client.post("/account/password", data=data, **kwargs)


def test_changing_the_password_signs_out_everywhere_else(client, organiser, app):
    bearer = api_token(client, PASSWORD).get_json()["token"]
    sign_in(client, organiser)

    response = change(client, PASSWORD, NEW)

    assert response.status_code == 200
    assert client.get("/organiser/").status_code == 200  # this session carries on
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {bearer}"}).status_code == 401
    assert api_token(client, PASSWORD).status_code == 401
    assert api_token(client, NEW).status_code == 201


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field", "message"),
    [
        ("wrong password", NEW, NEW, "current_password", "Det nuvarande lösenordet är fel."),
        (PASSWORD, "short", "short", "new_password", "Lösenordet behöver minst 10 tecken."),
        (PASSWORD, NEW, NEW + "!", "repeat", "De två nya lösenorden skiljer sig åt."),
    ],
)
def test_a_refused_change_says_why_at_its_field_and_changes_nothing(client, organiser, current, new, repeat, field, message):
    sign_in(client, organiser)

    response = change(client, current, new, repeat, headers={"Accept-Language": "sv"})

    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">(.*?)</p>', response.text, re.S).group(1)
    assert message in error
    assert api_token(client, PASSWORD).status_code == 201


def test_the_error_summary_lists_the_refused_fields_in_the_order_of_the_page(client, organiser):
    sign_in(client, organiser)

    response = change(client, "", "", "")

    summary = re.search(r'class="error-summary".*?</ul>', response.text, re.S).group(0)
    assert re.findall(r'href="#(\w+)"', summary) == ["current_password", "new_password", "repeat"]


def reset_link(runtime) -> str:
    run_jobs(runtime)
    text = sent_messages(runtime, EMAIL)[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/login/reset/\S+", text).group(0)


def ask_for_reset(client, email: str, **kwargs):
    token = csrf_token(client.get("/login/reset", **kwargs))
    return client.post("/login/reset", data={"email": email, "csrf_token": token}, **kwargs)


def test_a_forgotten_password_is_reset_with_the_mailed_link_once(client, organiser, runtime):
    asked = ask_for_reset(client, organiser, headers={"Accept-Language": "da"})
    assert asked.status_code == 200
    link = reset_link(runtime)
    assert "Nulstil din adgangskode" in sent_messages(runtime, EMAIL)[-1]["Subject"]
    assert "/login/reset/" not in emails_to(runtime, EMAIL)[-1].text  # the stored copy keeps no working link
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = client.get(f"/{path}")
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    done = client.post(f"/{path}", data={"new_password": NEW, "repeat": NEW, "csrf_token": csrf_token(form)})

    assert done.status_code == 303
    assert done.headers["Location"] == "/login?reset=1"
    assert api_token(client, NEW).status_code == 201
    used = client.get(f"/{path}", headers={"Accept-Language": "sv"})
    assert used.status_code == 404  # used: the password it was made for is gone
    assert "Länken fungerar inte längre" in used.text  # not the programme's "no such page"
    assert 'href="/login/reset">Be om en ny länk</a>' in used.text


def test_the_reset_form_tells_how_long_the_new_password_must_be(client, organiser, runtime):
    ask_for_reset(client, organiser)
    path = reset_link(runtime).split("://", 1)[1].split("/", 1)[1]

    form = client.get(f"/{path}", headers={"Accept-Language": "en"})

    assert 'id="new_password-hint">At least 10 characters.' in form.text
    assert 'aria-describedby="new_password-hint"' in form.text


def test_asking_for_an_unknown_address_answers_the_same_and_mails_nobody(client, organiser, runtime):
    known = ask_for_reset(client, organiser)
    unknown = ask_for_reset(client, "nobody@example.org")

    assert unknown.status_code == known.status_code == 200
    assert unknown.text.replace("nobody@example.org", EMAIL) == known.text
    run_jobs(runtime)
    assert emails_to(runtime, "nobody@example.org") == []


def test_an_old_reset_link_has_expired(client, organiser, runtime, monkeypatch):
    ask_for_reset(client, organiser)
    path = reset_link(runtime).split("://", 1)[1].split("/", 1)[1]
    monkeypatch.setattr(passwords, "RESET_LINK_LIFETIME", timedelta(seconds=-1))

    expired = client.get(f"/{path}")
    assert expired.status_code == 410
    assert 'href="/login/reset">' in expired.text  # "ask for a new link", with the way to do it


def test_a_forged_reset_link_is_not_found(client, organiser):
    assert client.get("/login/reset/WzEsImFiYyJd.forged.signature").status_code == 404


def test_reset_requests_for_one_address_are_throttled(client, organiser):
    answers = [ask_for_reset(client, organiser).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def choose_mail_language(client, language: str, **kwargs):
    token = csrf_token(client.get("/account/password", **kwargs))
    return client.post("/account/language", data={"language": language, "csrf_token": token}, **kwargs)


def test_the_language_of_ones_mails_is_chosen_beside_the_password_and_the_reset_mail_follows_it(client, organiser, runtime):
    sign_in(client, organiser)
    page = client.get("/account/password", headers={"Accept-Language": "en"}).text
    assert "You have not chosen one" in page
    assert '<label for="language-1" lang="da">Dansk</label>' in page  # each language in its own name

    chosen = choose_mail_language(client, "da", headers={"Accept-Language": "en"})

    assert chosen.status_code == 200
    assert "Saved: your mails will be in Danish." in chosen.text
    assert '<input checked id="language-1" name="language" required type="radio" value="da">' in chosen.text
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/organiser/"))})
    ask_for_reset(client, organiser, headers={"Accept-Language": "sv"})  # asked on a Swedish page
    run_jobs(runtime)
    assert sent_messages(runtime, EMAIL)[-1]["Subject"] == "Nulstil din adgangskode"


def test_an_unknown_mail_language_is_refused_at_its_field_and_changes_nothing(client, organiser, runtime):
    sign_in(client, organiser)

    refused = choose_mail_language(client, "fi", headers={"Accept-Language": "en"})

    assert refused.status_code == 400
    assert re.search(r'id="language-error">.*Not a valid choice', refused.text, re.S)
    assert "You have not chosen one" in refused.text
