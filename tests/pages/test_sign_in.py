"""Signing in to the organisers' screens: a session cookie holding a revocable token, CSRF on every
form, rotation at sign-in, an idle timeout, the API's throttling, and no caching of anything
signed in."""

from __future__ import annotations

import re
import time

import pytest


from innovationsweek.pages.sign_in import IDLE_TIMEOUT, SEEN
from tests.conftest import PASSWORD

LOGIN = "/login"
HOME = "/organiser/"


@pytest.fixture
def organiser(demo_data):
    return "organiser@example.org"  # a demo account, owner of Linköpings kommun


def csrf_token(page) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)


def sign_in(client, email: str, password: str = PASSWORD, *, next_path: str = "", **kwargs):
    token = csrf_token(client.get(LOGIN, **kwargs))
    return client.post(LOGIN, data={"email": email, "password": password, "next": next_path, "csrf_token": token}, **kwargs)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client, organiser):
    screen = client.get(HOME)

    assert screen.status_code == 303
    assert screen.headers["Location"] == f"{LOGIN}?next=/organiser/"
    assert screen.headers["Cache-Control"] == "no-store"

    signed_in = sign_in(client, organiser, next_path="/organiser/")

    assert signed_in.status_code == 303
    assert signed_in.headers["Location"] == HOME
    home = client.get(HOME)
    assert home.status_code == 200
    assert home.headers["Cache-Control"] == "no-store"
    assert "Linköpings kommun" in home.text  # the demo organiser's organisation
    assert "Sign out" in home.text or "Logga ut" in home.text


def test_the_session_cookie_is_httponly_samesite_lax_and_secure_over_https(client, organiser):
    response = sign_in(client, organiser, base_url="https://innovationsveckan.example")

    cookie = next(header for header in response.headers.getlist("Set-Cookie") if header.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie


def test_a_wrong_password_says_so_in_the_chosen_language_and_signs_nobody_in(client, organiser):
    response = sign_in(client, organiser, "not the password", headers={"Accept-Language": "da"})

    # A refused form, not a 401: there is no HTTP authentication scheme a 401 could challenge.
    assert response.status_code == 400
    assert "WWW-Authenticate" not in response.headers
    assert "E-mailadressen eller adgangskoden er forkert." in response.text
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(HOME).status_code == 303


def test_an_empty_field_is_named_next_to_it(client, organiser):
    token = csrf_token(client.get(f"{LOGIN}?lang=sv"))
    response = client.post(f"{LOGIN}?lang=sv", data={"email": organiser, "password": "", "csrf_token": token})

    assert response.status_code == 400
    assert 'id="password-error"' in response.text
    assert "Ange ditt lösenord." in response.text
    assert f'value="{organiser}"' in response.text  # what was typed stays


def test_without_the_csrf_token_nobody_is_signed_in(client, organiser):
    client.get(LOGIN)
    response = client.post(LOGIN, data={"email": organiser, "password": PASSWORD})

    assert response.status_code == 400
    assert client.get(HOME).status_code == 303


def test_signing_in_starts_a_new_session_and_signing_out_ends_it_on_the_server(client, organiser):
    client.get(LOGIN)
    before = session_cookie(client)
    sign_in(client, organiser)
    during = session_cookie(client)
    assert during != before

    home = client.get(HOME)
    client.post("/logout", data={"csrf_token": csrf_token(home)})
    assert client.get(HOME).status_code == 303

    client.set_cookie("session", during)  # a copy of the signed-in cookie, kept by someone
    assert client.get(HOME).status_code == 303


def test_signing_out_needs_the_csrf_token(client, organiser):
    sign_in(client, organiser)

    client.post("/logout")  # as a form on another site would

    assert client.get(HOME).status_code == 200


def test_a_session_idle_too_long_ends(client, organiser):
    sign_in(client, organiser)
    assert client.get(HOME).status_code == 200
    with client.session_transaction() as session:
        session[SEEN] = int(time.time() - IDLE_TIMEOUT.total_seconds() - 60)

    assert client.get(HOME).status_code == 303


def test_sign_in_goes_back_only_to_this_site(client, organiser):
    response = sign_in(client, organiser, next_path="https://evil.example/phish")

    assert response.headers["Location"] == HOME


def test_guessing_passwords_is_throttled_like_the_api(client, organiser):
    answers = [sign_in(client, organiser, "guess %d" % attempt, headers={"Accept-Language": "sv"}) for attempt in range(6)]

    assert [answer.status_code for answer in answers[:5]] == [400] * 5
    assert answers[5].status_code == 429
    # The account's limit, not the address's: the person is not told it is their network's fault.
    assert "För många inloggningsförsök för det här kontot" in answers[5].text
