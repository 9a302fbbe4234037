import json
from dataclasses import replace
from http import HTTPStatus
from pathlib import Path

import pytest
import schemathesis
from openapi_spec_validator import validate

from innovationsweek.app import create_app
from innovationsweek.cli import render_openapi_document
from innovationsweek.runtime import Runtime
from tests.notifications.test_email import free_port

COMMITTED = Path(__file__).parents[2] / "openapi" / "openapi.json"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def served(client):
    return client.get("/api/openapi.json").get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_committed_document_equals_the_served_one(served):
    committed = json.loads(COMMITTED.read_text())
    assert committed == served, "openapi/openapi.json is out of date: run `make openapi` and commit it"


def test_render_writes_what_is_committed():
    assert render_openapi_document() == COMMITTED.read_text(), "run `make openapi` and commit openapi/openapi.json"


def test_document_is_valid_openapi_3(served):
    assert served["openapi"].startswith("3.")
    validate(served)


def test_every_operation_has_summary_tags_roles_and_documented_errors(served):
    for name, operation in operations(served):
        assert operation.get("summary"), f"{name} has no summary"
        assert operation.get("tags"), f"{name} has no tags"
        roles = operation.get("x-roles")
        assert roles, f"{name} does not declare who may call it (x-roles)"
        errors = {code for code in operation["responses"] if code.startswith(("4", "5")) or code == "default"}
        assert errors, f"{name} documents no error answer"
        if "public" not in roles:
            assert {"401", "403"} <= errors, f"{name} is restricted but does not document 401/403"
            assert operation.get("security") == [{"bearerAuth": []}], name
        if "requestBody" in operation:
            assert "422" in errors, f"{name} takes a body but does not document 422"


def test_errors_are_documented_as_problem_json(served):
    for name, response in served["components"]["responses"].items():
        if "content" in response:
            assert list(response["content"]) == ["application/problem+json"], name


def test_every_401_is_documented_with_its_challenge(served):
    # RFC 9110 15.5.2: a 401 must carry WWW-Authenticate; the sign-in's (POST /api/v1/auth/tokens) too.
    answers = [(name, operation["responses"]["401"]) for name, operation in operations(served) if "401" in operation["responses"]]
    assert "POST /api/v1/auth/tokens" in dict(answers)
    for name, answer in answers:
        reference = answer["$ref"].rsplit("/", 1)[-1]
        assert "WWW-Authenticate" in served["components"]["responses"][reference].get("headers", {}), name


def test_docs_page_is_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/openapi.json" in response.data


# Answers that the handling around every view gives (problems.py, context.py, guards.py): each
# operation documents them, and a real one is what the document says.
TRY_AGAIN_LATER = ("429", "503")


def test_every_operation_documents_the_database_down_and_every_body_too_large_or_not_json(served):
    for name, operation in operations(served):
        responses = operation["responses"]
        if name != "GET /health":  # /health answers 503 with its own report of what is down
            assert responses.get("503") == {"$ref": "#/components/responses/SERVICE_UNAVAILABLE"}, name
        if name.split()[0] in ("POST", "PUT", "PATCH"):
            assert {"413", "415"} <= set(responses), name
    for status in TRY_AGAIN_LATER:
        component = served["components"]["responses"][HTTPStatus(int(status)).name]
        assert component["headers"]["Retry-After"]["required"] is True, status


@pytest.fixture
def database_down(settings):
    """The app on a PostgreSQL server that refuses every connection (nothing listens there)."""
    runtime = Runtime(replace(settings, database_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"))
    yield create_app(runtime=runtime).test_client()
    runtime.close()


def conforms(served, path, method, response):
    """``response`` as the document says ``method path`` answers (status, media type, schema)."""
    documented = served["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, f"{method} {path} does not document {response.status_code}"
    operation = schemathesis.openapi.from_dict(served)[path][method]
    assert operation.validate_response(response) is not False


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/editions", None),
        ("POST", "/api/v1/auth/tokens", {"email": "someone@example.org", "password": "correct horse battery"}),
        ("GET", "/api/v1/auth/me", None),  # the credential is looked up in the database first
    ],
)
def test_with_the_database_down_the_answer_is_the_documented_503(served, database_down, method, path, body):
    response = database_down.open(path, method=method, json=body, headers={"Authorization": "Bearer some-token"})

    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    conforms(served, path, method, response)


def test_a_body_too_large_and_a_body_not_json_get_the_documented_answers(served, client):
    too_large = client.post("/api/v1/organisations", data="[" + "0," * 600_000 + "0]", content_type="application/json")
    not_json = client.post("/api/v1/organisations", data="name=Labbet", content_type="application/x-www-form-urlencoded")

    assert (too_large.status_code, not_json.status_code) == (413, 415)
    conforms(served, "/api/v1/organisations", "POST", too_large)
    conforms(served, "/api/v1/organisations", "POST", not_json)


def test_a_rate_limited_caller_gets_the_documented_429(served, client):
    answers = [client.post("/api/v1/auth/tokens", json={"email": "someone@example.org", "password": "wrong"}) for _ in range(6)]

    limited = answers[-1]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    conforms(served, "/api/v1/auth/tokens", "POST", limited)
