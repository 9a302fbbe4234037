"""Copying an activity forward into another week: a new draft for the host's members with the
same content, on the same weekday and at the same local time of the new week, building on the
original. Registrations, findings and revisions stay with the original: the copy starts afresh
and goes through moderation like any draft."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.activities import service as activities
from innovationsweek.activities.models import Activity
from innovationsweek.actors import Actor
from innovationsweek.editions.models import Edition
from innovationsweek.errors import Invalid
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.solutions.links import public_entries

# What a copy takes over from the original's working copy. Not its co-organisers (each
# organisation consents per activity) nor its related activities (they belong to the old week).
COPIED = (
    "title", "summary", "description", "format", "attendance_mode", "venue", "online_url", "languages", "audiences",
    "topics", "contact", "registration", "photo_notice",
)


def copy_activity(session: Session, actor: Actor, activity_id: int, *, edition_slug: str) -> Activity:
    """A new draft of the original's host in the edition ``edition_slug``, which must be a
    later week. Its ``reuses`` names the original while that is a public solution."""
    original = activities.get_activity(session, actor, activity_id)  # 404 to those who may not see it
    edition = _later_week(session, original, edition_slug)
    starts_at, ends_at = same_weekday_and_time(original, edition)
    offered = {theme["key"] for theme in edition.themes or []}
    fields: dict[str, Any] = {
        **{name: _copied(getattr(original, name)) for name in COPIED},
        "organisation_id": original.organisation_id,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "themes": [theme for theme in original.themes if theme in offered],
        "reuses": [original.id] if _is_solution(session, original) else [],
    }
    copy = activities.create_activity(session, actor, edition.slug, fields)  # the host's members only
    audit.record(session, actor, "copied", edition_id=edition.id, activity_id=copy.id, copied_from=original.id)
    return copy


def same_weekday_and_time(original: Activity, edition: Edition) -> tuple[datetime, datetime]:
    """The original's start moved to the same weekday and local time in ``edition``'s week (in
    its time zone), and its end as long after as before (by the clock on the wall)."""
    start = original.starts_at.astimezone(ZoneInfo(original.edition.timezone)).replace(tzinfo=None)
    end = original.ends_at.astimezone(ZoneInfo(original.edition.timezone)).replace(tzinfo=None)
    zone = ZoneInfo(edition.timezone)
    first_day = edition.starts_at.astimezone(zone).date()
    day = first_day + timedelta(days=(start.weekday() - first_day.weekday()) % 7)
    new_start = datetime.combine(day, start.time())
    return new_start.replace(tzinfo=zone), (new_start + (end - start)).replace(tzinfo=zone)


def _later_week(session: Session, original: Activity, slug: str) -> Edition:
    edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise Invalid(_l("No week %(slug)s.", slug=slug), field="edition")
    if edition.starts_at <= original.edition.starts_at:
        raise Invalid(_l("Copy it forward: choose a week after %(slug)s.", slug=original.edition.slug), field="edition")
    return edition


def _copied(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _is_solution(session: Session, activity: Activity) -> bool:
    return session.scalar(public_entries(ProgrammeEntry.activity_id).where(ProgrammeEntry.activity_id == activity.id)) is not None
