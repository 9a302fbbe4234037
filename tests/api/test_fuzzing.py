"""Schemathesis against the served OpenAPI document, as each kind of caller: every operation,
every check Schemathesis has (server errors, status codes, content types, response schemas and
headers, invalid data accepted, valid data refused, authentication, use after delete, ...),
its examples, coverage, fuzzing and stateful (links between operations) phases, with a fixed
seed. The document must tell the truth: 0 failures for every role.

The callers act on the world of test_access_matrix (an edition, an organisation, activities in
each state, a partner with a webhook); a credential the run revokes or deletes is made anew.
The coverage phase (every boundary and every mutation of every field, some 5,000 requests) is
the same for every caller, and the server validates a request alike for each kind of person:
in the suite it covers each operation once, as the first caller in ROLES that the operation's
``x-roles`` admit; the other phases run every operation as every caller. ``make fuzz``
(FUZZ_LONG=1) runs the coverage phase as every caller too, and 100 examples per operation and
phase instead of the suite's FUZZ_EXAMPLES."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
import schemathesis.engine
from hypothesis import strategies as st
from schemathesis.engine import events
from schemathesis.engine.statistic import Statistic

from innovationsweek.api.activities import ETAG, ETAG_FORMAT
from innovationsweek.api.blueprint import RULES_EXTENSION
from tests.api.test_access_matrix import world  # noqa: F401 (the fixture)

LONG = os.environ.get("FUZZ_LONG") == "1"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100" if LONG else "5"))
SEED = 17
ROLES = ("anonymous", "organiser", "coordinator", "admin", "partner")
# Which of the document's x-roles admit each caller (a public operation admits everyone).
ADMITTED_BY = {
    "anonymous": {"public"},
    "organiser": {"public", "account", "organiser"},
    "coordinator": {"public", "account", "coordinator"},
    "admin": {"public", "account", "organiser", "coordinator", "admin"},
    "partner": {"public", "partner"},
}
# Schemathesis's own list of answers that valid data may get, with 412: a well-formed If-Match
# naming another version than the current one fails its precondition, as 409 is a conflict
# with the current state; no document can say which version is current.
VALID_DATA_MAY_GET = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
# And a missing required If-Match is answered 428 Precondition Required (RFC 6585), which
# Schemathesis's list for a missing required header lacks.
MISSING_HEADER_GETS = ["400", "401", "403", "406", "415", "422", "428"]
# The methods the suite's coverage phase tries where the document declares none (405 with
# Allow): one that reads, one that writes, one that deletes, and the CORS preflight's. Flask
# answers every undeclared method alike; ``make fuzz`` tries all eight.
UNEXPECTED_METHODS = ["get", "put", "delete", "options"]

# The ETags in If-Match headers: Schemathesis makes up a header value that matches a pattern
# with quotes in it only through a format (otherwise it sends a non-matching one as valid).
schemathesis.openapi.format(ETAG_FORMAT, st.from_regex(rf"^{ETAG}$", fullmatch=True))


@dataclass
class Run:
    cases: int = 0
    seconds: float = 0.0
    per_phase: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def rules_beyond_schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Operations whose document lists ``x-rules`` (between fields, against stored data, in a
    text's content) may refuse valid data with 422, as Schemathesis advises for such rules."""
    return [
        {"include-name": label, "checks": {"positive_data_acceptance": {"expected-statuses": [*VALID_DATA_MAY_GET, "422"]}}}
        for label, operation in operations(document)
        if RULES_EXTENSION in operation
    ]


def covered_by_others(document: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """In the suite, the coverage phase of the operations that an earlier caller covers."""
    if LONG:
        return []
    return [
        {"include-name": label, "phases": {"coverage": {"enabled": False}}}
        for label, operation in operations(document)
        if next(caller for caller in ROLES if ADMITTED_BY[caller] & set(operation["x-roles"])) != role
    ]


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Each operation with its label, as Schemathesis names it ("GET /api/v1/editions"): several
    include filters in one entry would match any of them."""
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


def fuzz_config(base_url: str, role: str, credential: dict[str, str], document: dict[str, Any]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "seed": SEED,
            "continue-on-failure": True,
            "headers": credential,
            "generation": {"max-examples": EXAMPLES, "deterministic": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": VALID_DATA_MAY_GET},
                "missing_required_header": {"expected-statuses": MISSING_HEADER_GETS},
            },
            "phases": {} if LONG else {"coverage": {"unexpected-methods": UNEXPECTED_METHODS}},
            "operations": rules_beyond_schemas(document) + covered_by_others(document, role),
        }
    )


def sign_in_anew(schema: schemathesis.BaseSchema, token_of: Callable[[], str]) -> None:
    """Bearer tokens from the service, made again when an answer is 401 (the run may call
    ``DELETE /api/v1/auth/tokens/current``)."""

    @schema.auth(retry_on=[401])
    class SignedIn:
        def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
            return token_of()

        def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def execute(schema: schemathesis.BaseSchema) -> Run:
    statistic, run = Statistic(), Run()
    started = time.monotonic()
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
            run.per_phase[event.phase.value] += len(event.recorder.cases)
        elif isinstance(event, events.NonFatalError):
            run.failures.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished) and event.payload is not None and event.payload.reauth_broke:
            run.failures.append("signing in again failed: the rest of the run was anonymous")
    run.cases, run.seconds = statistic.total_cases, time.monotonic() - started
    for label, groups in statistic.failures.items():
        for group in groups.values():
            answer = f"{group.response.status_code} {group.response.content[:500]!r}" if group.response else "no answer"
            run.failures += [f"{label}: {failure.title}\n{failure.message}\n{group.code_sample}\n-> {answer}" for failure in group.failures]
    return run


@pytest.mark.parametrize("role", ROLES)
def test_the_document_tells_the_truth_to(role, app, base_url, world, people):  # noqa: F811 (world)
    for limiter in app.extensions["limiter"]:  # the limits have their own tests; here they would answer 429s
        limiter.enabled = False
    credential = {"Authorization": f"Bearer {world.credentials['partner']}"} if role == "partner" else {}
    document = requests.get(f"{base_url}/api/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document, config=fuzz_config(base_url, role, credential, document))
    if role not in ("anonymous", "partner"):
        sign_in_anew(schema, lambda: people.token(f"{role}@example.org"))
    run = execute(schema)
    print(f"fuzzed as {role}: {run.cases} examples ({dict(run.per_phase)}) in {run.seconds:.0f} s, {len(run.failures)} failures")
    assert run.cases > 0
    assert not run.failures, "\n\n".join(run.failures)
