import json
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from innovationsweek.cli import render_openapi_document

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
