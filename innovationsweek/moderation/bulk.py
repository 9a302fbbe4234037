"""A bulk decision over more activities than a request should decide while the coordinator
waits: recorded, then made by the ``decide_in_bulk`` job one activity at a time, each outcome
committed with its decision, so the coordinator's status page shows how far it got and a second
run of the job decides nothing twice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import errors, outbox
from innovationsweek.activities.lifecycle import IllegalTransition
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.editions.service import get_edition, require_coordinator
from innovationsweek.errors import DomainError, NotFound, in_english
from innovationsweek.moderation import service as moderation
from innovationsweek.moderation.models import BulkDecision


def start(
    session: Session, actor: Actor, slug: str, activity_ids: Sequence[int], *, decision: str, reason: str | None, comment: str | None
) -> BulkDecision:
    """Record the decision and schedule its job (both in this transaction)."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    bulk = BulkDecision(
        edition_id=edition.id, user_id=actor.require_user().id, decision=decision, reason=reason, comment=comment,
        activity_ids=list(dict.fromkeys(activity_ids)), outcomes={},
    )
    session.add(bulk)
    session.flush()
    outbox.schedule(session, "decide_in_bulk", bulk.id)
    return bulk


def get(session: Session, actor: Actor, bulk_id: int) -> BulkDecision:
    """A bulk decision, for the coordinators of its edition (404 for no such one)."""
    bulk = session.get(BulkDecision, bulk_id)
    if bulk is None:
        raise NotFound(_l("No bulk decision %(id)s.", id=bulk_id))
    require_coordinator(actor, bulk.edition)
    return bulk


def undecided(session: Session, bulk_id: int) -> list[int]:
    bulk = session.get(BulkDecision, bulk_id)
    return [] if bulk is None else [i for i in bulk.activity_ids if str(i) not in bulk.outcomes]


def decide_next(session: Session, bulk_id: int, activity_id: int) -> None:
    """Decide one activity of the bulk decision, under a lock on it, unless a run did already.
    The coordinator's rights are those they have now, not when they asked."""
    bulk = session.get(BulkDecision, bulk_id, with_for_update=True, populate_existing=True)
    if bulk is None or str(activity_id) in bulk.outcomes:
        return
    actor = Actor(user=bulk.user)
    [result] = moderation.decide_many(
        session, actor, bulk.edition.slug, [activity_id], decision=bulk.decision, comment=bulk.comment, reason=bulk.reason
    )
    outcome = {"status": result.status.value} if result.error is None else _stored(result.error)
    bulk.outcomes = {**bulk.outcomes, str(activity_id): outcome}


def finish(session: Session, bulk_id: int) -> None:
    bulk = session.get(BulkDecision, bulk_id, with_for_update=True)
    if bulk is not None and bulk.finished_at is None and not undecided(session, bulk_id):
        bulk.finished_at = utcnow()


def results(bulk: BulkDecision) -> list[moderation.DecisionResult]:
    """The outcomes so far, in the order the activities were chosen, as ``decide_many`` gives them."""
    return [_result(activity_id, bulk.outcomes[str(activity_id)]) for activity_id in bulk.activity_ids if str(activity_id) in bulk.outcomes]


def _stored(error: DomainError) -> dict[str, Any]:
    return {"error": type(error).__name__, "detail": in_english(error.detail), "extra": error.extra}


def _result(activity_id: int, outcome: dict[str, Any]) -> moderation.DecisionResult:
    if "error" not in outcome:
        return moderation.DecisionResult(id=activity_id, status=outcome["status"])
    extra = outcome.get("extra") or {}
    if outcome["error"] == IllegalTransition.__name__:
        error: DomainError = IllegalTransition(extra["state"], "decide", extra.get("allowed", []))
    else:
        kind = getattr(errors, outcome["error"], DomainError)
        error = kind(outcome["detail"], **extra)
    return moderation.DecisionResult(id=activity_id, error=error)
