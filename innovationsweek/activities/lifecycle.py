"""The activity lifecycle (DESIGN.md 4) as two explicit transition tables.

The activity's status is what organisers and the public see; a revision's state is where that
submitted version stands in moderation. A published activity stays published while an edit of
it is checked and reviewed, so the same review events move a revision but keep the activity
published.
"""

from __future__ import annotations

import enum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from innovationsweek.activities.models import ActivityStatus as S
from innovationsweek.activities.models import RevisionState as R
from innovationsweek.errors import Conflict


class Event(enum.StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    CHECKS_PASSED = "checks_passed"
    CHECKS_BLOCKED = "checks_blocked"
    FAST_LANE = "fast_lane"
    APPROVE = "approve"
    REQUEST_CHANGES = "request_changes"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    CANCEL = "cancel"


ACTIVITY_TRANSITIONS: dict[tuple[S, Event], S] = {
    (S.DRAFT, Event.EDIT): S.DRAFT,
    (S.SUBMITTED, Event.EDIT): S.DRAFT,
    (S.IN_REVIEW, Event.EDIT): S.DRAFT,
    (S.CHANGES_REQUESTED, Event.EDIT): S.DRAFT,
    (S.PUBLISHED, Event.EDIT): S.PUBLISHED,  # the approved revision stays public
    (S.DRAFT, Event.SUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, Event.SUBMIT): S.SUBMITTED,  # e.g. a link that now works
    (S.PUBLISHED, Event.SUBMIT): S.PUBLISHED,
    (S.SUBMITTED, Event.CHECKS_PASSED): S.IN_REVIEW,
    (S.PUBLISHED, Event.CHECKS_PASSED): S.PUBLISHED,
    (S.SUBMITTED, Event.CHECKS_BLOCKED): S.CHANGES_REQUESTED,
    (S.PUBLISHED, Event.CHECKS_BLOCKED): S.PUBLISHED,
    (S.SUBMITTED, Event.FAST_LANE): S.PUBLISHED,
    (S.PUBLISHED, Event.FAST_LANE): S.PUBLISHED,
    (S.IN_REVIEW, Event.APPROVE): S.PUBLISHED,
    (S.PUBLISHED, Event.APPROVE): S.PUBLISHED,
    (S.IN_REVIEW, Event.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.PUBLISHED, Event.REQUEST_CHANGES): S.PUBLISHED,
    (S.IN_REVIEW, Event.REJECT): S.REJECTED,
    (S.PUBLISHED, Event.REJECT): S.PUBLISHED,  # the edit is rejected, the approved version stays
    (S.DRAFT, Event.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, Event.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, Event.WITHDRAW): S.WITHDRAWN,
    (S.CHANGES_REQUESTED, Event.WITHDRAW): S.WITHDRAWN,
    (S.REJECTED, Event.WITHDRAW): S.WITHDRAWN,
    (S.PUBLISHED, Event.WITHDRAW): S.WITHDRAWN,  # removed from the programme altogether
    (S.PUBLISHED, Event.CANCEL): S.CANCELLED,  # stays in the programme, marked cancelled
}

REVISION_TRANSITIONS: dict[tuple[R, Event], R] = {
    (R.CHECKING, Event.CHECKS_PASSED): R.IN_REVIEW,
    (R.CHECKING, Event.CHECKS_BLOCKED): R.CHANGES_REQUESTED,
    (R.CHECKING, Event.FAST_LANE): R.APPROVED,
    (R.IN_REVIEW, Event.APPROVE): R.APPROVED,
    (R.IN_REVIEW, Event.REQUEST_CHANGES): R.CHANGES_REQUESTED,
    (R.IN_REVIEW, Event.REJECT): R.REJECTED,
    (R.CHECKING, Event.EDIT): R.SUPERSEDED,
    (R.IN_REVIEW, Event.EDIT): R.SUPERSEDED,
    (R.CHECKING, Event.WITHDRAW): R.SUPERSEDED,
    (R.IN_REVIEW, Event.WITHDRAW): R.SUPERSEDED,
}

# Events the organiser and the coordinators ask for by name (the others come from the checks).
REQUESTABLE = (Event.EDIT, Event.SUBMIT, Event.WITHDRAW, Event.CANCEL, Event.APPROVE, Event.REQUEST_CHANGES, Event.REJECT)


def allowed_events(status: S) -> list[str]:
    return [event.value for (source, event) in ACTIVITY_TRANSITIONS if source == status and event in REQUESTABLE]


def next_status(status: S, event: Event) -> S:
    try:
        return ACTIVITY_TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status.value, event.value, allowed_events(status)) from None


def next_revision_state(state: R, event: Event) -> R:
    try:
        return REVISION_TRANSITIONS[(state, event)]
    except KeyError:
        allowed = [e.value for (source, e) in REVISION_TRANSITIONS if source == state and e in REQUESTABLE]
        raise IllegalTransition(state.value, event.value, allowed, subject="revision") from None


class IllegalTransition(Conflict):
    """``event`` is not possible in ``state``; the detail names both as the API does."""

    def __init__(self, state: str, event: str, allowed: list[str], subject: str = "activity") -> None:
        super().__init__(_refusal(state, event, allowed, subject), state=state, allowed=allowed)


def _refusal(state: str, event: str, allowed: list[str], subject: str) -> LazyString:
    values = {"event": event, "state": state, "allowed": ", ".join(allowed)}
    if subject == "revision" and allowed:
        return _l("“%(event)s” is not possible for this version: it is %(state)s. Allowed now: %(allowed)s.", **values)
    if subject == "revision":
        return _l("“%(event)s” is not possible for this version: it is %(state)s, and nothing is possible now.", **values)
    if allowed:
        return _l("“%(event)s” is not possible for this activity: it is %(state)s. Allowed now: %(allowed)s.", **values)
    return _l("“%(event)s” is not possible for this activity: it is %(state)s, and nothing is possible now.", **values)
