"""Reports after an activity: its organisers tell how many came and link the material; the
public programme then shows the links with the activity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, object_session

from innovationsweek import audit, outbound
from innovationsweek.activities import service as activities
from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.errors import Conflict, Forbidden, Invalid
from innovationsweek.organisations.models import Membership
from innovationsweek.reports.models import ActivityReport


def get_report(session: Session, actor: Actor, activity_id: int) -> ActivityReport:
    """The activity's report; an empty one (not stored) until its organisers send one."""
    activity = activities.get_activity(session, actor, activity_id)  # organisers and coordinators
    report = session.get(ActivityReport, activity.id)
    return report if report is not None else ActivityReport(activity_id=activity.id, links=[])


def save_report(
    session: Session,
    actor: Actor,
    activity_id: int,
    *,
    participants_in_person: int | None,
    participants_online: int | None,
    links: Sequence[Mapping[str, str]],
    now: datetime | None = None,
) -> ActivityReport:
    """Write (or rewrite) the report of a published activity that has started, and have the
    programme show its links."""
    user = actor.require_user()
    activity = activities.get_activity(session, actor, activity_id)
    if not (actor.is_admin or session.get(Membership, (activity.organisation_id, user.id)) is not None):
        raise Forbidden("Only members of the host organisation may report on this activity.")
    if activity.status != ActivityStatus.PUBLISHED or activity.approved_revision is None:
        raise Conflict(f"Only a published activity has a report; this one is {activity.status.value.replace('_', ' ')}.")
    starts_at = datetime.fromisoformat(activity.approved_revision.content["starts_at"])
    if (now or utcnow()) < starts_at:
        raise Conflict("Report once the activity has started.", starts_at=starts_at.isoformat())
    checked_links = [_checked_link(index, link) for index, link in enumerate(links)]
    report = session.get(ActivityReport, activity.id)
    if report is None:
        report = ActivityReport(activity_id=activity.id)
        session.add(report)
    report.participants_in_person = participants_in_person
    report.participants_online = participants_online
    report.links = checked_links
    report.submitted_by_id = user.id
    audit.record(
        session,
        actor,
        "report_saved",
        edition_id=activity.edition_id,
        activity_id=activity.id,
        participants_in_person=participants_in_person,
        participants_online=participants_online,
        links=len(checked_links),
    )
    session.flush()
    activities.schedule_publication(session, activity)  # the programme shows the links
    return report


def public_material(activity: Activity) -> dict[str, Any] | None:
    """What the programme shows of the report: the links to slides and recordings."""
    session = object_session(activity)
    report = session.get(ActivityReport, activity.id) if session is not None else None
    if report is None or not report.links:
        return None
    return {"links": [{"title": link["title"], "url": link["url"]} for link in report.links]}


def _checked_link(index: int, link: Mapping[str, str]) -> dict[str, str]:
    url = link["url"].strip()
    try:
        outbound.validate_url(url, activities.LINKS_ON_SAVE)
    except outbound.OutboundError as error:
        raise Invalid(f"This link cannot be used: {error.detail}", field=f"links.{index}.url") from None
    title = link["title"].strip()
    if not title:
        raise Invalid("Give the link a title.", field=f"links.{index}.title")
    return {"title": title, "url": url}
