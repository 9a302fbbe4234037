"""Requests the API cannot take answer application/problem+json with the right status and
change nothing."""

import json

import pytest

from innovationsweek.accounts import service as accounts
from tests.conftest import EDITION, PASSWORD, count_rows, problem_of

REGISTER = "/api/v1/auth/register"
ACCOUNT = {"email": "someone@example.org", "password": PASSWORD, "name": "Someone"}
ONE_MIB = 1024 * 1024


@pytest.fixture
def admin(people):
    people.create("admin@example.org", admin=True)
    return people.headers("admin@example.org")


def pointers(response):
    return sorted(error["pointer"] for error in problem_of(response)["errors"])


# Bodies that are not JSON objects


@pytest.mark.parametrize("body", ['{"email": "someone@example.org",', "{bad", "{'email': 'single quotes'}", "nul"])
def test_malformed_json_is_a_bad_request(client, runtime, body):
    response = client.post(REGISTER, data=body, content_type="application/json")

    assert response.status_code == 400
    assert problem_of(response)["detail"] == "The request body is not valid JSON."
    assert count_rows(runtime, "sign_ups") == 0


def test_a_body_that_is_not_utf8_is_a_bad_request(client, runtime):
    response = client.post(REGISTER, data=b'{"name": "\xff\xfe"}', content_type="application/json")

    assert response.status_code == 400
    problem_of(response)
    assert count_rows(runtime, "sign_ups") == 0


def test_an_empty_body_lists_every_required_field(client, runtime):
    response = client.post(REGISTER, data="", content_type="application/json")

    assert response.status_code == 422
    assert pointers(response) == ["/email", "/name", "/password"]
    assert count_rows(runtime, "sign_ups") == 0


@pytest.mark.parametrize("body", [[ACCOUNT], "someone@example.org", 42, None, True])
def test_json_that_is_not_an_object_is_refused(client, runtime, body):
    response = client.post(REGISTER, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    body = problem_of(response)
    assert body["errors"] == [{"detail": "Invalid input type.", "pointer": ""}]
    assert count_rows(runtime, "sign_ups") == 0


# Fields of the wrong type, unknown fields, nested fields


def test_a_number_where_a_string_belongs_is_refused_on_that_field(client, runtime):
    response = client.post(REGISTER, json=ACCOUNT | {"name": 42, "password": 12345678901})

    assert response.status_code == 422
    body = problem_of(response)
    assert body["detail"] == "The request has invalid fields; see errors."
    assert sorted(body["errors"], key=lambda error: error["pointer"]) == [
        {"detail": "Not a valid string.", "pointer": "/name"},
        {"detail": "Not a valid string.", "pointer": "/password"},
    ]
    assert count_rows(runtime, "sign_ups") == 0


def test_null_for_a_required_field_is_refused_on_that_field(client, runtime):
    response = client.post(REGISTER, json=ACCOUNT | {"name": None})

    assert response.status_code == 422
    assert problem_of(response)["errors"] == [{"detail": "Field may not be null.", "pointer": "/name"}]
    assert count_rows(runtime, "sign_ups") == 0


@pytest.mark.parametrize("value", ["perhaps", "", [True], {"open": True}])
def test_a_value_that_is_no_boolean_is_refused_on_that_field(client, runtime, admin, value):
    response = client.post("/api/v1/editions", json=EDITION | {"programme_open": value}, headers=admin)

    assert response.status_code == 422
    assert problem_of(response)["errors"] == [{"detail": "Not a valid boolean.", "pointer": "/programme_open"}]
    assert count_rows(runtime, "editions") == 0


def test_a_string_where_a_list_belongs_is_refused_on_that_field(client, runtime, admin):
    response = client.post("/api/v1/editions", json=EDITION | {"themes": "energy"}, headers=admin)

    assert response.status_code == 422
    assert pointers(response) == ["/themes"]
    assert count_rows(runtime, "editions") == 0


def test_unknown_fields_are_refused_and_named(client, runtime):
    response = client.post(REGISTER, json=ACCOUNT | {"nickname": "Sigge", "is_admin": True})

    assert response.status_code == 422
    body = problem_of(response)
    assert sorted(body["errors"], key=lambda error: error["pointer"]) == [
        {"detail": "Unknown field.", "pointer": "/is_admin"},
        {"detail": "Unknown field.", "pointer": "/nickname"},
    ]
    assert count_rows(runtime, "sign_ups") == 0


def test_read_only_fields_are_refused_as_unknown(client, runtime):
    response = client.post(REGISTER, json=ACCOUNT | {"id": 7})

    assert response.status_code == 422
    assert pointers(response) == ["/id"]
    assert count_rows(runtime, "sign_ups") == 0


def test_every_invalid_field_is_listed_at_once(client, runtime):
    response = client.post(REGISTER, json={"email": "nope", "password": "short", "extra": 1})

    assert response.status_code == 422
    assert pointers(response) == ["/email", "/extra", "/name", "/password"]
    assert count_rows(runtime, "sign_ups") == 0


def test_errors_in_a_list_of_objects_point_at_the_item_and_field(client, runtime, admin):
    themes = [{"key": "energy", "label": {"sv": "Energi"}}, {"key": "Not A Slug", "label": {"sv": "Fel"}}]

    response = client.post("/api/v1/editions", json=EDITION | {"themes": themes}, headers=admin)

    assert response.status_code == 422
    assert problem_of(response)["errors"] == [
        {"detail": "Use lower-case letters, digits and dashes.", "pointer": "/themes/1/key"}
    ]
    assert count_rows(runtime, "editions") == 0


def test_errors_in_a_first_list_item_point_at_index_zero(client, runtime, admin):
    themes = [{"key": "Bad Key", "label": {"sv": "Energi"}}, {"key": "health", "label": {}, "colour": "red"}]

    response = client.post("/api/v1/editions", json=EDITION | {"themes": themes}, headers=admin)

    assert response.status_code == 422
    assert pointers(response) == ["/themes/0/key", "/themes/1/colour", "/themes/1/label"]
    assert count_rows(runtime, "editions") == 0


def test_errors_in_text_per_language_point_at_the_language(client, runtime, admin):
    response = client.post(
        "/api/v1/editions",
        json=EDITION | {"name": {"xx": "Innovation Week"}, "theme": {"sv": ""}},
        headers=admin,
    )

    assert response.status_code == 422
    errors = sorted(problem_of(response)["errors"], key=lambda error: error["pointer"])
    assert errors == [
        {"detail": "Must be one of: sv, da, en.", "pointer": "/name/xx"},
        {"detail": "Length must be between 1 and 300.", "pointer": "/theme/sv"},
    ]
    assert count_rows(runtime, "editions") == 0


def test_errors_in_text_per_language_inside_a_list_point_at_the_language(client, runtime, admin):
    themes = [{"key": "energy", "label": {"sv": "Energi", "de": "Energie", "en": ""}}]

    response = client.post("/api/v1/editions", json=EDITION | {"themes": themes}, headers=admin)

    assert response.status_code == 422
    assert pointers(response) == ["/themes/0/label/de", "/themes/0/label/en"]
    assert count_rows(runtime, "editions") == 0


def test_pointers_escape_slashes_and_tildes_in_names(client, runtime):
    response = client.post(REGISTER, json=ACCOUNT | {"a/b": 1, "c~d": 2})

    assert response.status_code == 422
    assert pointers(response) == ["/a~1b", "/c~0d"]
    assert count_rows(runtime, "sign_ups") == 0


# Query strings


def test_query_string_errors_name_the_parameter(client, people):
    people.create("someone@example.org")

    response = client.get(
        "/api/v1/organisations",
        query_string={"kind": "spaceship", "mine": "perhaps"},
        headers=people.headers("someone@example.org"),
    )

    assert response.status_code == 422
    errors = sorted(problem_of(response)["errors"], key=lambda error: error["parameter"])
    assert [error["parameter"] for error in errors] == ["kind", "mine"]
    assert errors[0]["detail"].startswith("Must be one of: municipality, region")
    assert all("pointer" not in error for error in errors)


def test_unknown_query_parameters_are_ignored(client, people):
    people.create("someone@example.org")

    response = client.get(
        "/api/v1/organisations", query_string={"colour": "red"}, headers=people.headers("someone@example.org")
    )

    assert response.status_code == 200


# What the body is sent as, how big it is, how it is sent


def test_a_body_over_one_mebibyte_is_too_large(client, runtime):
    body = json.dumps(ACCOUNT | {"name": "x" * ONE_MIB})

    response = client.post(REGISTER, data=body, content_type="application/json")

    assert response.status_code == 413
    problem_of(response)
    assert count_rows(runtime, "sign_ups") == 0


def test_a_body_just_under_one_mebibyte_is_read(client, runtime):
    padding = ONE_MIB - len(json.dumps(ACCOUNT | {"padding": ""})) - 1
    body = json.dumps(ACCOUNT | {"padding": "x" * padding})
    assert len(body) < ONE_MIB

    response = client.post(REGISTER, data=body, content_type="application/json")

    assert response.status_code == 422
    assert pointers(response) == ["/padding"]
    assert count_rows(runtime, "sign_ups") == 0


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "email=someone%40example.org&password=x&name=Someone"),
        ("text/plain", json.dumps(ACCOUNT)),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_a_body_that_is_not_json_is_an_unsupported_media_type(client, runtime, content_type, data):
    response = client.post(REGISTER, data=data, content_type=content_type)

    assert response.status_code == 415
    assert problem_of(response)["detail"] == "Send the request body as application/json."
    assert count_rows(runtime, "sign_ups") == 0


def test_json_with_a_charset_is_accepted(client, runtime):
    response = client.post(REGISTER, data=json.dumps(ACCOUNT), content_type="application/json; charset=utf-8")

    assert response.status_code == 202
    assert count_rows(runtime, "sign_ups") == 1


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", REGISTER, {"POST", "OPTIONS"}),
        ("GET", "/api/v1/auth/tokens", {"POST", "OPTIONS"}),
        ("GET", "/api/v1/partners/1", {"DELETE", "OPTIONS"}),
        ("DELETE", "/api/v1/editions", {"GET", "HEAD", "POST", "OPTIONS"}),
    ],
)
def test_a_wrong_method_is_not_allowed_and_says_which_are(client, runtime, method, path, allowed):
    response = client.open(path, method=method, json=ACCOUNT)

    assert response.status_code == 405
    problem_of(response)
    assert set(response.headers["Allow"].split(", ")) == allowed
    assert count_rows(runtime, "sign_ups") == 0


# Failures on our side


def test_an_unexpected_error_is_a_500_without_its_details(app, runtime, caplog):
    def explode():
        raise RuntimeError("secret internals: postgres://admin:hunter2@db")

    app.add_url_rule("/api/v1/explode", view_func=explode)

    response = app.test_client().get("/api/v1/explode")

    assert response.status_code == 500
    body = problem_of(response)
    assert body["detail"] == "Something went wrong on our side; it has been logged."
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert "secret internals" in caplog.text


def test_an_unexpected_error_after_a_change_rolls_the_change_back(client, runtime, monkeypatch, caplog):
    sign_up = accounts.sign_up

    def sign_up_then_fail(session, **fields):
        sign_up(session, **fields)
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(accounts, "sign_up", sign_up_then_fail)

    response = client.post(REGISTER, json=ACCOUNT)

    assert response.status_code == 500
    assert "fire" not in response.get_data(as_text=True)
    problem_of(response)
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "emails") == 0
    assert "the disk caught fire" in caplog.text


# Who is asking


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer iwt_unknown"}, {"Authorization": "Basic x"}, {"Authorization": "Bearer"}],
    ids=["no credentials", "unknown token", "another scheme", "empty bearer"],
)
def test_unauthenticated_answers_ask_for_a_bearer_token(client, runtime, headers):
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Umeå kommun", "kind": "municipality", "country": "SE"},
        headers=headers,
    )

    assert response.status_code == 401
    problem_of(response)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="innovationsweek"'
    assert count_rows(runtime, "organisations") == 0


def test_a_wrong_password_asks_for_a_bearer_token_too(client, people):
    people.create("someone@example.org")

    response = client.post("/api/v1/auth/tokens", json={"email": "someone@example.org", "password": "wrong password"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_other_errors_do_not_ask_for_credentials(client, people):
    people.create("someone@example.org")

    forbidden = client.get("/api/v1/users", headers=people.headers("someone@example.org"))
    invalid = client.post(REGISTER, json={})

    assert (forbidden.status_code, invalid.status_code) == (403, 422)
    assert "WWW-Authenticate" not in forbidden.headers
    assert "WWW-Authenticate" not in invalid.headers
