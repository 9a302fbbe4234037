"""Schemathesis sends what the OpenAPI document allows (and what it does not) to every
operation on the real PostgreSQL: no answer may be a 500. Bounded (a few examples per
operation, a fixed seed) so that it runs in the suite; ``make fuzz`` runs many more."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.conftest import EDITION

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))


@pytest.fixture
def fuzzed(app, people, client):
    people.create("admin@example.org", admin=True)
    admin = people.headers("admin@example.org")
    assert client.post("/api/v1/editions", json=EDITION | {"programme_open": True}, headers=admin).status_code == 201
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app), admin


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_gives_a_server_error(fuzzed, mode):
    schema, admin = fuzzed
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(mode, headers=admin))
        def call(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{operation.label}: {response.status_code} {case.as_curl_command()}")

        try:
            call()
        except Unsatisfiable:  # nothing to get wrong: an operation without inputs has no negative cases
            continue
    assert not failures, "\n".join(failures)
