"""Hostile input never gives a 500: ids beyond their column's range wherever the OpenAPI
document takes an integer (path, query, body), cursors of the wrong shape, JSON nested too deep."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from innovationsweek.credentials import PARTNER_KEY_PREFIX, new_secret, secret_hash
from innovationsweek.partners.models import Partner
from tests.api.test_openapi import operations
from tests.conftest import EDITION, problem_of

# int4 and int8 ids end at 2**31 - 1 and 2**63 - 1; PostgreSQL refuses anything past them.
BEYOND_RANGE = (2**31, 2**63, 99999999999999999999)
# A change number past the last one is an empty page of the feed, as RPDE pollers expect.
UNBOUNDED_BY_DESIGN = {"afterChangeNumber"}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


@pytest.fixture
def callers(people, runtime) -> dict[str, dict[str, str]]:
    """An admin (every person's operation lets one through) and a partner (for webhooks)."""
    people.create("admin@example.org", admin=True)
    key = new_secret(PARTNER_KEY_PREFIX)
    with runtime.database.unit_of_work() as session:
        session.add(Partner(name="Partner", contact_email="p@example.org", key_hash=secret_hash(key), key_hint=key[:8]))
    return {"admin": people.headers("admin@example.org"), "partner": {"Authorization": f"Bearer {key}"}}


def headers_for(operation: dict[str, Any], callers: dict[str, dict[str, str]]) -> dict[str, str]:
    roles = set(operation["x-roles"])
    return callers["partner"] if roles == {"partner"} else callers["admin"]


def parameters(item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [*item.get("parameters", []), *operation.get("parameters", [])]


def concrete(path: str, **values: object) -> str:
    """``path`` with each ``{name}`` replaced by ``values[name]``, else a plausible value."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), EDITION["slug"] if m.group(1) == "slug" else 1)), path)


def integer_path_parameters(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for path, item in spec["paths"].items():
        for name, operation in operations({"paths": {path: item}}):
            for parameter in parameters(item, operation):
                if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                    yield name.split(" ")[0], path, parameter["name"]


def test_every_integer_input_in_the_document_has_a_range_its_column_can_hold(spec):
    unbounded = [
        f"{name} {where}"
        for name, where, schema in integer_inputs(spec)
        if where.split(" ")[-1] not in UNBOUNDED_BY_DESIGN
        and (schema.get("maximum") is None or schema["maximum"] >= 2**63 or schema.get("minimum") is None)
    ]
    assert not unbounded, f"integer inputs without a range: {unbounded}"


@pytest.mark.parametrize("value", [*BEYOND_RANGE, -1])
def test_a_path_id_beyond_its_range_is_not_found(client, spec, callers, value):
    for method, path, parameter in integer_path_parameters(spec):
        operation = spec["paths"][path][method.lower()]
        url = concrete(path, **{parameter: value})
        response = client.open(url, method=method, json={} if "requestBody" in operation else None, headers=headers_for(operation, callers))
        assert response.status_code == 404, f"{method} {url}: {response.status_code} {response.get_data(as_text=True)}"
        problem_of(response)


@pytest.mark.parametrize("past_its_maximum", [1, 10**20])
def test_a_query_integer_beyond_its_range_is_refused_naming_the_parameter(client, spec, callers, past_its_maximum):
    client.post("/api/v1/editions", json=EDITION | {"programme_open": True}, headers=callers["admin"])
    for path, item in spec["paths"].items():
        for name, operation in operations({"paths": {path: item}}):
            for parameter in parameters(item, operation):
                if parameter["in"] != "query" or parameter["schema"].get("type") != "integer" or parameter["name"] in UNBOUNDED_BY_DESIGN:
                    continue
                url = concrete(path)
                value = parameter["schema"].get("maximum", 2**63 - 1) + past_its_maximum
                response = client.get(url, query_string={parameter["name"]: value}, headers=headers_for(operation, callers))
                assert response.status_code == 422, f"{name} ?{parameter['name']}={value}: {response.get_data(as_text=True)}"
                assert {"parameter": parameter["name"]}.items() <= problem_of(response)["errors"][0].items()


@pytest.mark.parametrize("value", BEYOND_RANGE)
def test_a_body_integer_beyond_its_range_is_refused_with_a_pointer(client, spec, callers, value):
    for name, pointer, field in body_integers(spec):
        method, path = name.split(" ", 1)
        operation = spec["paths"][path][method.lower()]
        body = planted(pointer, value)
        response = client.open(concrete(path), method=method, json=body, headers={**headers_for(operation, callers), "If-Match": '"v1"'})
        assert response.status_code == 422, f"{name} {json.dumps(body)}: {response.get_data(as_text=True)}"
        assert pointer in [error.get("pointer") for error in problem_of(response)["errors"]], f"{name} {pointer}"


def test_an_activity_id_beyond_range_answers_404_for_a_signed_in_organiser(client, callers):
    response = client.get("/api/v1/activities/99999999999999999999", headers=callers["admin"])

    assert response.status_code == 404
    problem_of(response)


# --- walking the document ------------------------------------------------------------------


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_integers(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(operation, JSON Pointer, schema) of every integer a request body can hold; ``/0`` stands
    for an array's items."""
    for name, operation in operations(spec):
        body = operation.get("requestBody")
        if body:
            yield from ((name, pointer, schema) for pointer, schema in _integers(spec, body["content"]["application/json"]["schema"], ""))


def _integers(spec: dict[str, Any], schema: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    schema = resolve(spec, schema)
    if schema.get("type") == "integer":
        yield pointer, schema
    for key, child in schema.get("properties", {}).items():
        if not child.get("readOnly"):
            yield from _integers(spec, child, f"{pointer}/{key}")
    if "items" in schema:
        yield from _integers(spec, schema["items"], f"{pointer}/0")


def integer_inputs(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for name, operation in operations({"paths": {path: item}}):
            for parameter in parameters(item, operation):
                if parameter["schema"].get("type") == "integer":
                    yield name, f"{parameter['in']} {parameter['name']}", parameter["schema"]
    for name, pointer, schema in body_integers(spec):
        yield name, f"body {pointer}", schema


def planted(pointer: str, value: int) -> Any:
    """The smallest body with ``value`` at ``pointer`` (``/0``: the first item of an array)."""
    body: Any = value
    for token in reversed(pointer.split("/")[1:]):
        body = [body] if token == "0" else {token: body}
    return body


# --- cursors --------------------------------------------------------------------------------


def cursor_of(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


CURSOR_LISTS = [
    f"/api/v1/editions/{EDITION['slug']}/{listing}" for listing in ("programme", "activities", "review-queue", "audit-log")
]


@pytest.mark.parametrize(
    "cursor",
    [
        cursor_of(["x", {}]),
        cursor_of(["x", 1]),
        cursor_of([{"t": "2030-10-01T10:00:00+00:00"}, "x"]),
        cursor_of([{"t": "2030-10-01T10:00:00+00:00"}, 2**63]),
        cursor_of([{"t": "2030-10-01T10:00:00+00:00"}, 1.5]),
        cursor_of([{"t": "2030-10-01T10:00:00+00:00"}, True]),
        cursor_of([{"t": "2030-10-01T10:00:00"}, 1]),
        cursor_of([None, None]),
        cursor_of([[1], [2]]),
        cursor_of(["x"]),
        cursor_of({"a": 1}),
    ],
)
def test_a_cursor_with_wrong_types_inside_is_refused_naming_the_cursor(client, callers, cursor):
    client.post("/api/v1/editions", json=EDITION | {"programme_open": True}, headers=callers["admin"])
    for url in CURSOR_LISTS:
        response = client.get(url, query_string={"cursor": cursor}, headers=callers["admin"])
        assert response.status_code == 422, f"{url}: {response.get_data(as_text=True)}"
        assert problem_of(response)["errors"] == [{"detail": "This cursor is not one this API gave out; start again without it.", "parameter": "cursor"}]


# --- JSON nesting -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 100_000, '{"a":' * 100_000, '{"name": ' + "[" * 65 + "]" * 65 + "}"])
def test_json_nested_deeper_than_the_limit_is_a_bad_request(client, body):
    response = client.post("/api/v1/auth/register", data=body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in problem_of(response)["detail"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = client.post("/api/v1/auth/register", json={"email": "a@example.org", "password": "[" * 100, "name": "{[" * 50})

    assert response.status_code != 400, response.get_data(as_text=True)


# --- NUL characters (PostgreSQL text cannot hold U+0000) ------------------------------------


def test_a_nul_character_in_a_body_string_is_refused_with_a_pointer(client, runtime):
    response = client.post("/api/v1/auth/tokens", json={"email": "a\u0000@example.org", "password": "x"})

    assert response.status_code == 422
    assert problem_of(response)["errors"] == [{"detail": "Text may not contain the NUL character (U+0000).", "pointer": "/email"}]


def test_a_nul_character_deep_in_a_body_or_in_a_key_is_pointed_at(client, callers):
    body = {"venue": {"name": "ok"}, "topics": ["ok", "x\u0000"], "a/b\u0000": 1}
    response = client.post(f"/api/v1/editions/{EDITION['slug']}/activities", json=body, headers=callers["admin"])

    assert response.status_code == 422
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/topics/1"]
    response = client.post(f"/api/v1/editions/{EDITION['slug']}/activities", json={"a/b\u0000": 1}, headers=callers["admin"])
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/a~1b\u0000"]


def test_a_nul_character_in_a_query_or_path_is_refused(client, callers):
    client.post("/api/v1/editions", json=EDITION | {"programme_open": True}, headers=callers["admin"])
    query = client.get(f"/api/v1/editions/{EDITION['slug']}/programme", query_string={"q": "a\u0000"})
    path = client.get("/api/v1/editions/a%00b/programme")

    assert query.status_code == 422
    assert problem_of(query)["errors"][0]["parameter"] == "q"
    assert path.status_code == 404
    problem_of(path)
