"""Moderation: the automated checks of a submitted revision, the coordinators' review queue and
decisions, and the edition's moderation settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from innovationsweek import audit, outbound
from innovationsweek.activities import service as activities
from innovationsweek.activities.lifecycle import Event, next_revision_state
from innovationsweek.activities.models import (
    Activity,
    ActivityStatus,
    Finding,
    Format,
    Revision,
    RevisionState,
    Severity,
)
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.editions.service import get_edition, require_coordinator
from innovationsweek.errors import DomainError, Invalid, NotFound
from innovationsweek.moderation import checks
from innovationsweek.moderation.models import ModerationSettings
from innovationsweek.notifications.service import send_mail
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.paging import Page, keyset_page

DECISIONS = {"approve": Event.APPROVE, "request_changes": Event.REQUEST_CHANGES, "reject": Event.REJECT}
CHECK_FAILED = "check_failed"


# --- automated checks -------------------------------------------------------------------------


def content_awaiting_checks(session: Session, revision_id: int) -> dict[str, Any] | None:
    revision = session.get(Revision, revision_id)
    return revision.content if revision is not None and revision.state == RevisionState.CHECKING else None


def run_checks(session: Session, revision_id: int, link_results: Mapping[str, outbound.LinkCheck]) -> Revision | None:
    """Check a revision and move it on. Safe to run twice: a revision no longer waiting for its
    checks (decided, superseded, or checked by an earlier run) is left alone."""
    revision = _checking_revision(session, revision_id)
    if revision is None:
        return None
    activity = revision.activity
    drafts = [
        *checks.check_dates(revision.content, activity.edition),
        *checks.check_required_fields(revision.content),
        *checks.check_links(revision.content, link_results),
        *checks.check_duplicates(revision.content, _other_activities(session, activity)),
        *checks.check_spam(revision.content),
        *checks.check_html(revision.content),
    ]
    _record_findings(revision, drafts)
    _finish_checks(session, activity, revision, _outcome(session, activity, drafts))
    return revision


def record_check_failure(session: Session, revision_id: int, reason: str) -> Revision | None:
    """The checks could not run (crashed, timed out, retries exhausted): a coordinator reviews the
    revision by hand rather than it waiting for ever."""
    revision = _checking_revision(session, revision_id)
    if revision is None:
        return None
    drafts = [checks.FindingDraft(CHECK_FAILED, Severity.WARN, f"The automated checks could not run: {reason}")]
    _record_findings(revision, drafts)
    _finish_checks(session, revision.activity, revision, Event.CHECKS_PASSED)
    return revision


def revisions_stuck_in_checks(session: Session, *, submitted_before: datetime) -> list[int]:
    query = sa.select(Revision.id).where(
        Revision.state == RevisionState.CHECKING, Revision.submitted_at < submitted_before
    )
    return list(session.scalars(query))


def _checking_revision(session: Session, revision_id: int) -> Revision | None:
    query = sa.select(Revision).where(Revision.id == revision_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two runs of the job must not both record findings
    revision = session.scalar(query)
    return revision if revision is not None and revision.state == RevisionState.CHECKING else None


def _record_findings(revision: Revision, drafts: Sequence[checks.FindingDraft]) -> None:
    revision.findings = [
        Finding(code=d.code, severity=d.severity, message=d.message, field=d.field) for d in drafts
    ]
    revision.checked_at = utcnow()


def _outcome(session: Session, activity: Activity, drafts: Sequence[checks.FindingDraft]) -> Event:
    if any(d.severity == Severity.BLOCK for d in drafts):
        return Event.CHECKS_BLOCKED
    if not any(d.severity == Severity.WARN for d in drafts) and _fast_lane_applies(session, activity):
        return Event.FAST_LANE
    return Event.CHECKS_PASSED


def _fast_lane_applies(session: Session, activity: Activity) -> bool:
    settings = session.get(ModerationSettings, activity.edition_id)
    return settings is not None and settings.fast_lane and activity.organisation in settings.trusted


def _finish_checks(session: Session, activity: Activity, revision: Revision, event: Event) -> None:
    revision.state = next_revision_state(revision.state, event)
    if event == Event.FAST_LANE:
        _approve(activity, revision)
    activities.transition(session, None, activity, event, revision=revision.number)
    if event == Event.CHECKS_BLOCKED:
        _tell_organisers(session, activity, revision, "changes_requested", comment=None)
    elif event == Event.FAST_LANE:
        _tell_organisers(session, activity, revision, "approve", comment=None)
    session.flush()


def _other_activities(session: Session, activity: Activity) -> list[checks.OtherActivity]:
    query = sa.select(Activity.id, Activity.title, Activity.starts_at, Activity.ends_at).where(
        Activity.organisation_id == activity.organisation_id,
        Activity.edition_id == activity.edition_id,
        Activity.id != activity.id,
        Activity.status.not_in([ActivityStatus.WITHDRAWN, ActivityStatus.REJECTED]),
    )
    return [checks.OtherActivity(*row) for row in session.execute(query)]


# --- decisions --------------------------------------------------------------------------------


def decide(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    decision: str,
    comment: str | None = None,
    reason: str | None = None,
    expected_version: int | None = None,
) -> Activity:
    """A coordinator's decision on the revision awaiting review, with the organisers told why."""
    activity = activities.get_activity(session, actor, activity_id)
    require_coordinator(actor, activity.edition)
    activities.check_version(activity, expected_version)
    event = DECISIONS[decision]
    explanation = _explanation(session, activity.edition, comment, reason)
    if event != Event.APPROVE and not explanation:
        raise Invalid("Tell the organiser why: give a comment or a preset reason.", field="comment")
    revision = activity.latest_revision
    if revision is None:
        raise NotFound("This activity has never been submitted.")
    new_state = next_revision_state(revision.state, event)  # 409 naming what is allowed
    revision.state = new_state
    revision.decided_at = utcnow()
    revision.decided_by_id = actor.require_user().id
    revision.decision_comment = explanation
    if event == Event.APPROVE:
        _approve(activity, revision)
    activities.transition(session, actor, activity, event, revision=revision.number, comment=explanation)
    _tell_organisers(session, activity, revision, decision, comment=explanation)
    session.flush()
    return activity


@dataclass(frozen=True)
class DecisionResult:
    id: int
    status: ActivityStatus | None = None
    error: DomainError | None = None


def decide_many(
    session: Session,
    actor: Actor,
    slug: str,
    activity_ids: Sequence[int],
    *,
    decision: str,
    comment: str | None = None,
    reason: str | None = None,
) -> list[DecisionResult]:
    """The same decision on many activities; each succeeds or fails on its own."""
    require_coordinator(actor, get_edition(session, slug))
    results = []
    for activity_id in dict.fromkeys(activity_ids):
        try:
            with session.begin_nested():
                activity = decide(session, actor, activity_id, decision=decision, comment=comment, reason=reason)
                if activity.edition.slug != slug:
                    raise NotFound(f"No activity {activity_id} in {slug}.")
            results.append(DecisionResult(id=activity_id, status=activity.status))
        except DomainError as error:
            results.append(DecisionResult(id=activity_id, error=error))
    return results


def feature(session: Session, actor: Actor, activity_id: int, *, featured: bool) -> Activity:
    """Pick an activity out for the programme's front page (or stop doing so)."""
    activity = activities.get_activity(session, actor, activity_id)
    require_coordinator(actor, activity.edition)
    if activity.featured != featured:
        activity.featured = featured
        audit.record(session, actor, "featured" if featured else "unfeatured", edition_id=activity.edition_id, activity_id=activity.id)
        activities.schedule_publication(session, activity)
        session.flush()
    return activity


def _approve(activity: Activity, revision: Revision) -> None:
    activity.approved_revision = revision


def _explanation(session: Session, edition: Edition, comment: str | None, reason: str | None) -> str | None:
    parts = []
    if reason:
        settings = session.get(ModerationSettings, edition.id)
        presets = {preset["key"]: preset for preset in (settings.reasons if settings else [])}
        if reason not in presets:
            raise Invalid(f"Not a preset reason of this edition: {reason!r}.", field="reason")
        text = presets[reason]["text"]
        parts.append(text.get("sv") or text.get("en") or next(iter(text.values())))
    if comment and comment.strip():
        parts.append(comment.strip())
    return "\n\n".join(parts) or None


# --- the review queue -------------------------------------------------------------------------


def review_queue(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    state: RevisionState = RevisionState.IN_REVIEW,
    finding: str | None = None,
    region: str | None = None,
    format: Format | None = None,
    organisation_kind: OrganisationKind | None = None,
    submitted_after: datetime | None = None,
    submitted_before: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Revision]:
    """Revisions waiting for a coordinator, oldest first."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    query = (
        sa.select(Revision)
        .join(Activity, Revision.activity_id == Activity.id)
        .join(Organisation, Activity.organisation_id == Organisation.id)
        .where(Activity.edition_id == edition.id, Revision.state == state)
        .options(selectinload(Revision.findings), joinedload(Revision.activity).joinedload(Activity.organisation))
    )
    if finding:
        query = query.where(sa.exists().where(Finding.revision_id == Revision.id, Finding.code == finding))
    if region:
        query = query.where(sa.or_(Activity.venue_region == region, Organisation.region == region))
    if format is not None:
        query = query.where(Activity.format == format)
    if organisation_kind is not None:
        query = query.where(Organisation.kind == organisation_kind)
    if submitted_after is not None:
        query = query.where(Revision.submitted_at >= submitted_after)
    if submitted_before is not None:
        query = query.where(Revision.submitted_at < submitted_before)
    return keyset_page(
        session,
        query,
        order_by=(Revision.submitted_at, Revision.id),
        key=lambda r: (r.submitted_at, r.id),
        cursor=cursor,
        limit=limit,
    )


# --- settings ---------------------------------------------------------------------------------


def moderation_settings(session: Session, actor: Actor, slug: str) -> ModerationSettings:
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    return _settings_of(session, edition)


def update_moderation_settings(
    session: Session, actor: Actor, slug: str, changes: Mapping[str, Any]
) -> ModerationSettings:
    settings = moderation_settings(session, actor, slug)
    before = audit.snapshot(settings, changes)
    if "fast_lane" in changes:
        settings.fast_lane = changes["fast_lane"]
    if "reasons" in changes:
        keys = [reason["key"] for reason in changes["reasons"]]
        if len(keys) != len(set(keys)):
            raise Invalid("Reason keys must be unique.", field="reasons")
        settings.reasons = list(changes["reasons"])
    if "trusted_organisation_ids" in changes:
        ids = set(changes["trusted_organisation_ids"])
        trusted = list(session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))))
        if len(trusted) != len(ids):
            raise Invalid("Unknown organisation among the trusted ones.", field="trusted_organisation_ids")
        settings.trusted = trusted
    changed = audit.changes(before, settings)
    if changed:
        audit.record(session, actor, "moderation_settings_changed", edition_id=settings.edition_id, changes=changed)
    session.flush()
    return settings


def _settings_of(session: Session, edition: Edition) -> ModerationSettings:
    settings = session.get(ModerationSettings, edition.id)
    if settings is None:
        settings = ModerationSettings(edition_id=edition.id, fast_lane=False, reasons=[])
        session.add(settings)
        session.flush()
    return settings


# --- telling the organisers -------------------------------------------------------------------

SUBJECTS = {
    "approve": "Godkänd: {title}",
    "changes_requested": "Ändringar behövs: {title}",
    "request_changes": "Ändringar behövs: {title}",
    "reject": "Inte godkänd: {title}",
}
BODIES = {
    "approve": "Er aktivitet \u201d{title}\u201d är godkänd och ingår nu i programmet för {edition}.",
    "changes_requested": "De automatiska kontrollerna hittade något att rätta i \u201d{title}\u201d innan den kan granskas.",
    "request_changes": "Samordnarna för {edition} ber er ändra \u201d{title}\u201d innan den kan godkännas.",
    "reject": "Samordnarna för {edition} har inte godkänt \u201d{title}\u201d.",
}


def _tell_organisers(
    session: Session, activity: Activity, revision: Revision, decision: str, *, comment: str | None
) -> None:
    edition_name = activity.edition.name.get("sv") or next(iter(activity.edition.name.values()))
    values = {"title": activity.title, "edition": edition_name}
    lines = [BODIES[decision].format(**values), ""]
    if comment:
        lines += ["Kommentar / comment:", comment, ""]
    blocking = [f for f in revision.findings if f.severity == Severity.BLOCK]
    if blocking:
        lines += ["Att rätta / to fix:", *[f"- {f.message}" for f in blocking], ""]
    lines.append(f"Aktivitet {activity.id}, version {revision.number}.")
    for address in activities.organiser_emails(session, activity):
        send_mail(session, to=address, subject=SUBJECTS[decision].format(**values), text="\n".join(lines))
