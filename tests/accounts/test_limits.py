"""Signing in and signing up are rate limited per client address and per account (the email in
the body), counted in Redis: guessing one person's password from many addresses, or many
people's passwords from one address, ends in a 429 problem+json with Retry-After."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import PASSWORD, problem_of

_addresses = itertools.count(1)


def a_new_address() -> str:
    return f"198.51.100.{next(_addresses) % 250 + 1}"


def sign_in(client, email, password=PASSWORD, *, address=None):
    return client.post(
        "/api/v1/auth/tokens",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address or a_new_address()},
    )


def sign_up(client, email, *, address=None):
    return client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "name": "Someone"},
        environ_base={"REMOTE_ADDR": address or a_new_address()},
    )


def assert_too_many(response, detail):
    assert response.status_code == 429
    problem = problem_of(response)
    assert detail in problem["detail"]
    assert int(response.headers["Retry-After"]) > 0


def the_window_passes(runtime):
    """What the end of a fixed window does to the counters in Redis: they expire."""
    runtime.redis.delete(*runtime.redis.keys("*iw-limits*"))


def test_wrong_passwords_for_one_account_from_many_addresses_are_refused_after_five(client, people):
    people.create("someone@example.org")

    guesses = [sign_in(client, "someone@example.org", f"guess number {n}") for n in range(5)]
    sixth = sign_in(client, "someone@example.org", "guess number 6")
    even_the_right_one = sign_in(client, "someone@example.org")

    assert [g.status_code for g in guesses] == [401] * 5
    assert_too_many(sixth, "Too many sign-in attempts for this account")
    assert_too_many(even_the_right_one, "Too many sign-in attempts for this account")


def test_the_account_limit_counts_the_email_however_it_is_written(client, people):
    people.create("someone@example.org")
    spellings = ["someone@example.org", "Someone@Example.org", " SOMEONE@example.org", "someone@EXAMPLE.ORG ", "SomeOne@example.org"]

    guesses = [sign_in(client, email, "a wrong password") for email in spellings]

    assert [g.status_code for g in guesses] == [401] * 5
    assert sign_in(client, "someone@example.org").status_code == 429


def test_an_unknown_email_is_limited_like_a_known_one(client, people):
    """Otherwise the limit itself would tell which addresses have accounts."""
    people.create("someone@example.org")

    known = [sign_in(client, "someone@example.org", "a wrong password").status_code for _ in range(6)]
    unknown = [sign_in(client, "nobody@example.org", "a wrong password").status_code for _ in range(6)]

    assert known == unknown == [401] * 5 + [429]


def test_another_account_is_not_held_up_by_attempts_on_one(client, people):
    people.create("someone@example.org")
    people.create("another@example.org")
    for _ in range(6):
        sign_in(client, "someone@example.org", "a wrong password")

    assert sign_in(client, "another@example.org").status_code == 201


def test_many_accounts_from_one_address_are_refused_after_twenty(client, people):
    people.create("someone@example.org")

    guesses = [sign_in(client, f"person{n}@example.org", "a wrong password", address="203.0.113.5") for n in range(20)]
    next_one = sign_in(client, "someone@example.org", address="203.0.113.5")
    elsewhere = sign_in(client, "someone@example.org", address="203.0.113.6")

    assert [g.status_code for g in guesses] == [401] * 20
    assert_too_many(next_one, "Too many sign-in attempts from your address")
    assert elsewhere.status_code == 201


def test_invalid_sign_in_requests_count_too(client, people):
    refused = [
        client.post("/api/v1/auth/tokens", json={"email": f"person{n}@example.org"}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
        for n in range(20)
    ]

    assert [r.status_code for r in refused] == [422] * 20
    assert sign_in(client, "someone@example.org", address="203.0.113.9").status_code == 429


def test_the_right_password_works_again_once_the_window_has_passed(client, runtime, people):
    people.create("someone@example.org")
    for _ in range(6):
        sign_in(client, "someone@example.org", "a wrong password")
    assert sign_in(client, "someone@example.org").status_code == 429

    the_window_passes(runtime)

    assert sign_in(client, "someone@example.org").status_code == 201


def test_the_counters_live_in_redis_and_name_no_address(client, runtime, people):
    sign_in(client, "someone@example.org", "a wrong password", address="203.0.113.7")

    keys = [key.decode() for key in runtime.redis.keys("*iw-limits*")]
    assert any("203.0.113.7" in key for key in keys), "the per-address counter"
    assert len(keys) >= 2, "and the per-account counter"
    assert not any("someone" in key.lower() for key in keys)


def test_sign_ups_for_one_address_from_many_addresses_are_refused_after_three(client):
    answers = [sign_up(client, "someone@example.org") for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [202] * 3
    assert_too_many(answers[3], "Too many sign-ups for this email address")


def test_many_sign_ups_from_one_address_are_refused_after_ten(client):
    answers = [sign_up(client, f"person{n}@example.org", address="203.0.113.8") for n in range(11)]
    elsewhere = sign_up(client, "person11@example.org", address="203.0.113.9")

    assert [a.status_code for a in answers[:10]] == [202] * 10
    assert_too_many(answers[10], "Too many sign-ups from your address")
    assert elsewhere.status_code == 202


@pytest.mark.parametrize("path", ["/api/v1/auth/tokens", "/api/v1/auth/register"])
def test_the_limits_are_documented(client, path):
    operation = client.get("/api/openapi.json").get_json()["paths"][path]["post"]

    assert "429" in operation["responses"]
    assert "per client address" in operation["description"]
    assert "per account" in operation["description"]
