"""Moderation: the automated checks of a submitted revision (of an activity, or of the material
in its report), the coordinators' review queues and decisions, and the edition's moderation
settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from innovationsweek import audit, outbound
from innovationsweek.accounts.service import in_their_languages, organisation_members
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
from innovationsweek.editions.models import Edition, edition_language, edition_name, organisation_language
from innovationsweek.editions.service import editions_coordinated_by, get_edition, list_editions, require_coordinator
from innovationsweek.errors import DomainError, Invalid, NotFound
from innovationsweek.moderation import checks, messages
from innovationsweek.moderation.models import ModerationSettings
from innovationsweek.notifications.service import send_mail
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.paging import Page, keyset_page
from innovationsweek.registrations.messages import Mail
from innovationsweek.reports.models import ActivityReport, ReportRevision

DECISIONS = {"approve": Event.APPROVE, "request_changes": Event.REQUEST_CHANGES, "reject": Event.REJECT}
CHECK_FAILED = "check_failed"


# --- automated checks -------------------------------------------------------------------------


def content_awaiting_checks(session: Session, revision_id: int) -> dict[str, Any] | None:
    return _content_awaiting_checks(session, Revision, revision_id)


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
        *checks.check_links(checks.links_of(revision.content), link_results),
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
    drafts = [checks.FindingDraft(CHECK_FAILED, Severity.WARN, checks.CHECKS_NOT_RUN % {"reason": reason})]
    _record_findings(revision, drafts)
    _finish_checks(session, revision.activity, revision, Event.CHECKS_PASSED)
    return revision


def release_stuck_checks(session: Session, *, submitted_before: datetime, reason: str) -> int:
    """Hand revisions whose checks never finished to the coordinators; says how many."""
    stuck_activities = _stuck_in_checks(session, Revision, submitted_before)
    stuck_reports = _stuck_in_checks(session, ReportRevision, submitted_before)
    for revision_id in stuck_activities:
        record_check_failure(session, revision_id, reason)
    for revision_id in stuck_reports:
        record_report_check_failure(session, revision_id, reason)
    return len(stuck_activities) + len(stuck_reports)


def _stuck_in_checks(session: Session, model: type[Revision] | type[ReportRevision], submitted_before: datetime) -> list[int]:
    query = sa.select(model.id).where(model.state == RevisionState.CHECKING, model.submitted_at < submitted_before)
    return list(session.scalars(query))


def _content_awaiting_checks(session: Session, model: type[Revision] | type[ReportRevision], revision_id: int) -> dict[str, Any] | None:
    revision = session.get(model, revision_id)
    return revision.content if revision is not None and revision.state == RevisionState.CHECKING else None


def _checking_revision(session: Session, revision_id: int, model: type[Any] = Revision) -> Any:
    query = sa.select(model).where(model.id == revision_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two runs of the job must not both record findings
    revision = session.scalar(query)
    return revision if revision is not None and revision.state == RevisionState.CHECKING else None


def _record_findings(revision: Revision | ReportRevision, drafts: Sequence[checks.FindingDraft]) -> None:
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


# --- automated checks of a report's material ---------------------------------------------------


def report_content_awaiting_checks(session: Session, revision_id: int) -> dict[str, Any] | None:
    return _content_awaiting_checks(session, ReportRevision, revision_id)


def run_report_checks(
    session: Session, revision_id: int, link_results: Mapping[str, outbound.LinkCheck]
) -> ReportRevision | None:
    """Check a report's material with the checks activities get (links, spam, HTML) and move
    it on; safe to run twice, like :func:`run_checks`."""
    revision: ReportRevision | None = _checking_revision(session, revision_id, ReportRevision)
    if revision is None:
        return None
    drafts = [
        *checks.check_links(checks.report_links_of(revision.content), link_results),
        *checks.check_report_spam(revision.content),
        *checks.check_html(revision.content, "how_to_reuse"),
    ]
    _record_findings(revision, drafts)
    _finish_report_checks(session, revision, _outcome(session, revision.activity, drafts))
    return revision


def record_report_check_failure(session: Session, revision_id: int, reason: str) -> ReportRevision | None:
    revision: ReportRevision | None = _checking_revision(session, revision_id, ReportRevision)
    if revision is None:
        return None
    _record_findings(revision, [checks.FindingDraft(CHECK_FAILED, Severity.WARN, checks.CHECKS_NOT_RUN % {"reason": reason})])
    _finish_report_checks(session, revision, Event.CHECKS_PASSED)
    return revision


def _finish_report_checks(session: Session, revision: ReportRevision, event: Event) -> None:
    revision.state = next_revision_state(revision.state, event)
    activity = revision.activity
    audit.record(session, None, f"report_{event.value}", edition_id=activity.edition_id, activity_id=activity.id, revision=revision.number)
    if event == Event.FAST_LANE:
        _approve_report(session, revision)
        _tell_organisers(session, activity, revision, "approve", comment=None, write=messages.report_decided)
    elif event == Event.CHECKS_BLOCKED:
        _tell_organisers(session, activity, revision, "changes_requested", comment=None, write=messages.report_decided)
    session.flush()


def _approve_report(session: Session, revision: ReportRevision) -> None:
    revision.report.approved_revision = revision
    activities.schedule_publication(session, revision.activity)  # the programme shows it


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
    explanation = _explanation_for(session, activity, event, comment, reason)
    revision = activity.latest_revision
    if revision is None:
        raise NotFound(_l("This activity has never been submitted."))
    _record_decision(actor, revision, event, explanation)
    if event == Event.APPROVE:
        _approve(activity, revision)
    activities.transition(session, actor, activity, event, revision=revision.number, comment=explanation)
    _tell_organisers(session, activity, revision, decision, comment=explanation)
    session.flush()
    return activity


def decide_report(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    decision: str,
    comment: str | None = None,
    reason: str | None = None,
) -> ActivityReport:
    """A coordinator's decision on the report material awaiting review; approving it puts it in
    the programme (through the publish job), in place of the material approved before."""
    activity = activities.get_activity(session, actor, activity_id)
    require_coordinator(actor, activity.edition)
    event = DECISIONS[decision]
    explanation = _explanation_for(session, activity, event, comment, reason)
    report = session.get(ActivityReport, activity.id)
    revision = report.latest_revision if report is not None else None
    if revision is None:
        raise NotFound(_l("No report material on this activity was ever submitted."))
    _record_decision(actor, revision, event, explanation)
    if event == Event.APPROVE:
        _approve_report(session, revision)
    audit.record(
        session, actor, f"report_{event.value}", edition_id=activity.edition_id, activity_id=activity.id,
        revision=revision.number, comment=explanation,
    )
    _tell_organisers(session, activity, revision, decision, comment=explanation, write=messages.report_decided)
    session.flush()
    return report


def _explanation_for(session: Session, activity: Activity, event: Event, comment: str | None, reason: str | None) -> str | None:
    """Why, as the organisers are told it (and as it is recorded): a preset reason in their language."""
    _require_explanation(event, comment, reason)
    return _explanation(session, activity.edition, comment, reason, organisers_language(activity))


def _require_explanation(event: Event, comment: str | None, reason: str | None) -> None:
    """Anything but an approval tells the organiser why (the API document says it as an anyOf)."""
    if event != Event.APPROVE and not reason and not (comment or "").strip():
        raise Invalid(_l("Tell the organiser why: give a comment or a preset reason."), field="comment")


def _record_decision(actor: Actor, revision: Revision | ReportRevision, event: Event, explanation: str | None) -> None:
    revision.state = next_revision_state(revision.state, event)  # 409 naming what is allowed
    revision.decided_at = utcnow()
    revision.decided_by_id = actor.require_user().id
    revision.decision_comment = explanation


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
    """The same decision on many activities; each succeeds or fails on its own, but a decision
    that does not say why is refused for all of them at once."""
    require_coordinator(actor, get_edition(session, slug))
    _require_explanation(DECISIONS[decision], comment, reason)
    results = []
    for activity_id in dict.fromkeys(activity_ids):
        try:
            with session.begin_nested():
                activity = decide(session, actor, activity_id, decision=decision, comment=comment, reason=reason)
                if activity.edition.slug != slug:
                    raise NotFound(_l("No activity %(id)s in %(edition)s.", id=activity_id, edition=slug))
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


def _explanation(session: Session, edition: Edition, comment: str | None, reason: str | None, language: str) -> str | None:
    parts = []
    if reason:
        settings = session.get(ModerationSettings, edition.id)
        presets = {preset["key"]: preset for preset in (settings.reasons if settings else [])}
        if reason not in presets:
            raise Invalid(_l("Not a preset reason of this edition: “%(reason)s”.", reason=reason), field="reason")
        text = presets[reason]["text"]
        parts.append(text.get(language) or text.get(edition_language(edition)) or next(iter(text.values())))
    if comment and comment.strip():
        parts.append(comment.strip())
    return "\n\n".join(parts) or None


# --- one activity under review ------------------------------------------------------------

# The fields of a revision a coordinator judges, in the order the organiser's form asks them.
REVIEWED_FIELDS = (
    "title", "summary", "description", "format", "attendance_mode", "starts_at", "ends_at", "venue", "online_url",
    "languages", "audiences", "themes", "topics", "contact", "registration", "photo_notice", "co_organiser_ids",
    "related_activity_ids", "reuses",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any  # None in a first submission, or where the field was empty
    after: Any


@dataclass(frozen=True)
class Review:
    """An activity's latest submitted version, and what changed since the version the public saw."""

    activity: Activity
    revision: Revision
    approved: Revision | None  # the version approved before this one; None for a first submission
    changes: list[FieldChange]

    @property
    def awaiting_decision(self) -> bool:
        return self.revision.state == RevisionState.IN_REVIEW


def review_of(session: Session, actor: Actor, activity_id: int) -> Review:
    activity = activities.get_activity(session, actor, activity_id)
    require_coordinator(actor, activity.edition)
    revision = activity.latest_revision
    if revision is None:
        raise NotFound(_l("This activity has never been submitted."))
    earlier = [r for r in activity.revisions if r.number < revision.number and r.state == RevisionState.APPROVED]
    approved = earlier[-1] if earlier else None
    return Review(activity, revision, approved, content_changes(approved.content if approved else None, revision.content))


def content_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[FieldChange]:
    """The reviewed fields that differ, old and new value; with nothing before, every field."""
    return [
        FieldChange(name, before.get(name) if before else None, after.get(name))
        for name in REVIEWED_FIELDS
        if before is None or _comparable(name, before.get(name)) != _comparable(name, after.get(name))
    ]


def _comparable(name: str, value: Any) -> Any:
    # Times are kept with the offset they were written in; the same moment is no change.
    return datetime.fromisoformat(value) if name in ("starts_at", "ends_at") and value else value


def preview_decision(
    session: Session, actor: Actor, activity_id: int, *, decision: str, comment: str | None = None, reason: str | None = None
) -> Mail:
    """The mail the organisers would get if the coordinator decided so now; changes nothing."""
    review = review_of(session, actor, activity_id)
    explanation = _explanation_for(session, review.activity, DECISIONS[decision], comment, reason)
    return decision_mail(review.activity, review.revision, decision, comment=explanation)


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
    query = _revisions_of(sa.select(Revision), edition, region=region, format=format, organisation_kind=organisation_kind)
    query = query.where(Revision.state == state).options(
        selectinload(Revision.findings), joinedload(Revision.activity).joinedload(Activity.organisation)
    )
    return _queue_page(
        session, query, Revision, Finding.revision_id,
        finding=finding, submitted_after=submitted_after, submitted_before=submitted_before, cursor=cursor, limit=limit,
    )


def review_counts(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    finding: str | None = None,
    region: str | None = None,
    format: Format | None = None,
    organisation_kind: OrganisationKind | None = None,
) -> dict[RevisionState, int]:
    """How many submitted versions stand in each state, under the queue's other filters."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    query = _revisions_of(
        sa.select(Revision.state, sa.func.count()), edition, region=region, format=format, organisation_kind=organisation_kind
    )
    if finding:
        query = query.where(sa.exists().where(Finding.revision_id == Revision.id, Finding.code == finding))
    counted = dict(session.execute(query.group_by(Revision.state)).all())
    return {state: counted.get(state, 0) for state in RevisionState}


def _revisions_of(
    query: sa.Select[Any],
    edition: Edition,
    *,
    region: str | None,
    format: Format | None,
    organisation_kind: OrganisationKind | None,
) -> sa.Select[Any]:
    """``query`` over the edition's submitted versions, narrowed by the queue's filters."""
    query = (
        query.select_from(Revision)
        .join(Activity, Revision.activity_id == Activity.id)
        .join(Organisation, Activity.organisation_id == Organisation.id)
        .where(Activity.edition_id == edition.id)
    )
    if region:
        query = query.where(sa.or_(Activity.venue_region == region, Organisation.region == region))
    if format is not None:
        query = query.where(Activity.format == format)
    if organisation_kind is not None:
        query = query.where(Organisation.kind == organisation_kind)
    return query


@dataclass(frozen=True)
class EditionOverview:
    """An edition a coordinator works on: its activities counted by status, and how many
    submitted versions (new activities and edits of published ones) wait for a decision."""

    edition: Edition
    statuses: Mapping[ActivityStatus, int]
    awaiting_review: int


def coordinated_editions(session: Session, actor: Actor) -> list[EditionOverview]:
    """The editions the actor coordinates (administrators: every one), the latest first."""
    user = actor.require_user()
    editions = list_editions(session) if actor.is_admin else editions_coordinated_by(session, user)
    ids = [edition.id for edition in editions]
    by_status = session.execute(
        sa.select(Activity.edition_id, Activity.status, sa.func.count())
        .where(Activity.edition_id.in_(ids))
        .group_by(Activity.edition_id, Activity.status)
    )
    statuses: dict[int, dict[ActivityStatus, int]] = {edition_id: {} for edition_id in ids}
    for edition_id, status, count in by_status:
        statuses[edition_id][status] = count
    waiting = dict(
        session.execute(
            sa.select(Activity.edition_id, sa.func.count())
            .join(Revision, Revision.activity_id == Activity.id)
            .where(Activity.edition_id.in_(ids), Revision.state == RevisionState.IN_REVIEW)
            .group_by(Activity.edition_id)
        ).all()
    )
    return [EditionOverview(edition, statuses[edition.id], waiting.get(edition.id, 0)) for edition in editions]


def report_review_queue(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    state: RevisionState = RevisionState.IN_REVIEW,
    finding: str | None = None,
    submitted_after: datetime | None = None,
    submitted_before: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ReportRevision]:
    """Report material waiting for a coordinator, oldest first."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    query = (
        sa.select(ReportRevision)
        .join(Activity, ReportRevision.activity_id == Activity.id)
        .where(Activity.edition_id == edition.id, ReportRevision.state == state)
        .options(
            selectinload(ReportRevision.findings),
            joinedload(ReportRevision.report).joinedload(ActivityReport.activity).joinedload(Activity.organisation),
        )
    )
    return _queue_page(
        session, query, ReportRevision, Finding.report_revision_id,
        finding=finding, submitted_after=submitted_after, submitted_before=submitted_before, cursor=cursor, limit=limit,
    )


def _queue_page(
    session: Session,
    query: sa.Select[Any],
    model: type[Any],
    finding_of: sa.orm.InstrumentedAttribute[Any],
    *,
    finding: str | None,
    submitted_after: datetime | None,
    submitted_before: datetime | None,
    cursor: str | None,
    limit: int,
) -> Page[Any]:
    """The filters both queues share, and their paging: oldest submission first."""
    if finding:
        query = query.where(sa.exists().where(finding_of == model.id, Finding.code == finding))
    if submitted_after is not None:
        query = query.where(model.submitted_at >= submitted_after)
    if submitted_before is not None:
        query = query.where(model.submitted_at < submitted_before)
    return keyset_page(
        session,
        query,
        order_by=(model.submitted_at, model.id),
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
            raise Invalid(_l("Reason keys must be unique."), field="reasons")
        settings.reasons = list(changes["reasons"])
    if "trusted_organisation_ids" in changes:
        ids = set(changes["trusted_organisation_ids"])
        trusted = list(session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids))))
        if len(trusted) != len(ids):
            raise Invalid(_l("Unknown organisation among the trusted ones."), field="trusted_organisation_ids")
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


def organisers_language(activity: Activity) -> str:
    """The one language the organisers of ``activity`` are written to in: their organisation's."""
    return organisation_language(activity.organisation.country, activity.edition)


def decision_mail(
    activity: Activity,
    revision: Revision | ReportRevision,
    decision: str,
    *,
    comment: str | None,
    write: messages.MailWriter = messages.activity_decided,
    language: str | None = None,
) -> Mail:
    """The mail the organisers get about a decision, as it will be sent, in ``language`` (by
    default their organisation's: a member who chose another gets it in theirs); sends nothing."""
    language = language or organisers_language(activity)
    decided = messages.Decision(
        decision=decision,
        title=activity.title,
        edition=edition_name(activity.edition, language),
        activity_id=activity.id,
        number=revision.number,
        comment=comment,
        blocking=[finding.message for finding in revision.findings if finding.severity == Severity.BLOCK],
    )
    return write(decided, language)


def _tell_organisers(
    session: Session,
    activity: Activity,
    revision: Revision | ReportRevision,
    decision: str,
    *,
    comment: str | None,
    write: messages.MailWriter = messages.activity_decided,
) -> None:
    members = organisation_members(session, activity.organisation_id)
    for member, mail in in_their_languages(
        members, organisers_language(activity), lambda language: decision_mail(activity, revision, decision, comment=comment, write=write, language=language)
    ):
        send_mail(session, to=member.email, subject=mail.subject, text=mail.text)
