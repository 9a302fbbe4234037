"""Schemathesis against the served OpenAPI document, as each kind of caller: every operation,
every check Schemathesis has (server errors, status codes, content types, response schemas and
headers, invalid data accepted, valid data refused, authentication, use after delete, ...),
its examples, coverage, fuzzing and stateful (links between operations) phases, with a fixed
seed. The document must tell the truth: 0 failures for every role.

The callers act on the world of test_access_matrix (an edition, an organisation, activities in
each state, a partner with a webhook); a credential the run revokes or deletes is made anew.
FUZZ_EXAMPLES sets the examples per operation and phase (``make fuzz`` runs many more)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.engine import events
from schemathesis.engine.statistic import Statistic

from tests.api.test_access_matrix import world  # noqa: F401 (the fixture)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
SEED = 17
ROLES = ("anonymous", "organiser", "coordinator", "admin", "partner")
# Schemathesis's own list of answers that valid data may get, with 412: a well-formed If-Match
# naming another version than the current one fails its precondition, as 409 is a conflict
# with the current state; no document can say which version is current.
VALID_DATA_MAY_GET = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
# And a missing required If-Match is answered 428 Precondition Required (RFC 6585), which
# Schemathesis's list for a missing required header lacks.
MISSING_HEADER_GETS = ["400", "401", "403", "406", "415", "422", "428"]


@dataclass
class Run:
    cases: int = 0
    failures: list[str] = field(default_factory=list)


def fuzz_config(credential: dict[str, str]) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "continue-on-failure": True,
            "headers": credential,
            "generation": {"max-examples": EXAMPLES, "deterministic": True},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": VALID_DATA_MAY_GET},
                "missing_required_header": {"expected-statuses": MISSING_HEADER_GETS},
            },
        }
    )


def sign_in_anew(schema: schemathesis.BaseSchema, token_of: callable) -> None:
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
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            statistic.on_scenario_finished(event.recorder)
        elif isinstance(event, events.NonFatalError):
            run.failures.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished) and event.payload is not None and event.payload.reauth_broke:
            run.failures.append("signing in again failed: the rest of the run was anonymous")
    run.cases = statistic.total_cases
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
    schema = schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", config=fuzz_config(credential))
    if role not in ("anonymous", "partner"):
        sign_in_anew(schema, lambda: people.token(f"{role}@example.org"))
    run = execute(schema)
    print(f"fuzzed as {role}: {run.cases} examples, {len(run.failures)} failures")
    assert run.cases > 0
    assert not run.failures, "\n\n".join(run.failures)
