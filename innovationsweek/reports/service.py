"""Reports after an activity: its organisers tell how many came, link the material and say how
others can reuse it. The attendance figures are private and saved as they are; the material is
public, so each change to it is checked and reviewed (innovationsweek.moderation) before the
programme shows it, while the last approved material stays public."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import audit, outbound, outbox
from innovationsweek.activities import service as activities
from innovationsweek.activities.lifecycle import Event, next_revision_state
from innovationsweek.activities.models import Activity, ActivityStatus, RevisionState
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.errors import Conflict, Forbidden, Invalid
from innovationsweek.organisations.models import Membership
from innovationsweek.reports.models import ActivityReport, ReportRevision


def get_report(session: Session, actor: Actor, activity_id: int) -> ActivityReport:
    """The activity's report; an empty one (not stored) until its organisers send one."""
    activity = activities.get_activity(session, actor, activity_id)  # organisers and coordinators
    report = session.get(ActivityReport, activity.id)
    return report if report is not None else ActivityReport(activity_id=activity.id, links=[], how_to_reuse="")


def save_report(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    participants_in_person: int | None,
    participants_online: int | None,
    links: Sequence[Mapping[str, str]],
    how_to_reuse: str = "",
    now: datetime | None = None,
) -> ActivityReport:
    """Write (or rewrite) the report of a published activity that has started. Changed material
    goes to the automated checks and then to the coordinators."""
    user = actor.require_user()
    activity = activities.get_activity(session, actor, activity_id)
    if not (actor.is_admin or session.get(Membership, (activity.organisation_id, user.id)) is not None):
        raise Forbidden(_l("Only members of the host organisation may report on this activity."))
    ensure_reportable(activity, now=now)
    checked_links = [_checked_link(index, link) for index, link in enumerate(links)]
    text = how_to_reuse.strip()
    cleaned_text = activities.sanitised_html(text)
    report = session.get(ActivityReport, activity.id)
    if report is None:
        report = ActivityReport(activity_id=activity.id, activity=activity)
        session.add(report)
    report.participants_in_person = participants_in_person
    report.participants_online = participants_online
    report.links = checked_links
    report.how_to_reuse = cleaned_text
    report.submitted_by_id = user.id
    session.flush()
    material = {"links": checked_links, "how_to_reuse": cleaned_text, "how_to_reuse_was_sanitised": cleaned_text != text}
    audit.record(
        session,
        actor,
        "report_saved",
        edition_id=activity.edition_id,
        activity_id=activity.id,
        participants_in_person=participants_in_person,
        participants_online=participants_online,
        links=len(checked_links),
        material=_submit_material(session, report, material, submitted_by_id=user.id),
    )
    session.flush()
    return report


def ensure_reportable(activity: Activity, *, now: datetime | None = None) -> None:
    """A report is for a published activity that has started (Conflict otherwise)."""
    if activity.status != ActivityStatus.PUBLISHED or activity.approved_revision is None:
        raise Conflict(_l("Only a published activity has a report; the status of this one is %(status)s.", status=activity.status.value))
    starts_at = starts_at_of(activity)
    if (now or utcnow()) < starts_at:
        raise Conflict(_l("Report once the activity has started."), starts_at=starts_at.isoformat())


def starts_at_of(activity: Activity) -> datetime:
    """When the published version of the activity starts."""
    assert activity.approved_revision is not None
    return datetime.fromisoformat(activity.approved_revision.content["starts_at"])


def _submit_material(session: Session, report: ActivityReport, material: dict[str, Any], *, submitted_by_id: int) -> str:
    """Freeze changed material as a revision for the checks; what was approved stays public
    meanwhile. Says what happened, for the audit log."""
    pending = _pending_revision(report)
    if pending is not None and pending.content == material:
        return "unchanged"  # already being checked or reviewed
    if pending is not None:
        pending.state = next_revision_state(pending.state, Event.EDIT)
    approved = report.approved_revision
    if approved is not None and approved.content == material:
        return "back_to_approved"  # what the programme shows already
    if not (material["links"] or material["how_to_reuse"]):
        if approved is None:
            return "none"
        # Taking material down needs no review, and must not wait for one.
        report.approved_revision = None
        activities.schedule_publication(session, report.activity)
        return "removed"
    revision = ReportRevision(
        report=report,
        number=len(report.revisions) + 1,
        state=RevisionState.CHECKING,
        content=material,
        submitted_by_id=submitted_by_id,
    )
    session.add(revision)
    session.flush()
    outbox.schedule(session, "check_report_revision", revision.id)
    return "submitted"


def _pending_revision(report: ActivityReport) -> ReportRevision | None:
    latest = report.latest_revision
    return latest if latest is not None and latest.state in (RevisionState.CHECKING, RevisionState.IN_REVIEW) else None


def _checked_link(index: int, link: Mapping[str, str]) -> dict[str, str]:
    url = link["url"].strip()
    try:
        outbound.validate_url(url, activities.LINKS_ON_SAVE)
    except outbound.OutboundError as error:
        raise Invalid(_l("This link cannot be used: %(reason)s", reason=outbound.refusal_reason(error)), field=f"links.{index}.url") from None
    title = link["title"].strip()
    if not title:
        raise Invalid(_l("Give the link a title."), field=f"links.{index}.title")
    return {"title": title, "url": url}
