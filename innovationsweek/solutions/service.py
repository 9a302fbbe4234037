"""Finding the solutions of past weeks across every open edition, and the coordinators'
featuring of them. A solution is a published activity that has taken place, shown as its public
programme entry: with its report's approved material, the how-to-reuse text and who built on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.activities import service as activities
from innovationsweek.activities.models import Activity, Format
from innovationsweek.actors import Actor
from innovationsweek.editions.models import Edition
from innovationsweek.editions.service import require_coordinator
from innovationsweek.organisations.models import OrganisationKind
from innovationsweek.paging import Page, keyset_page
from innovationsweek.programme import service as programme
from innovationsweek.programme.cache import ProgrammeVersion
from innovationsweek.programme.models import ProgrammeCounter, ProgrammeEntry
from innovationsweek.solutions.links import public_entries

NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)  # the version of an installation with no edition yet


@dataclass(frozen=True)
class SolutionFilters:
    q: str | None = None
    themes: Sequence[str] = ()
    formats: Sequence[Format] = ()
    organisation_kinds: Sequence[OrganisationKind] = ()
    regions: Sequence[str] = ()
    editions: Sequence[str] = ()  # slugs
    has_material: bool | None = None
    featured: bool | None = None


def _past(now: datetime) -> sa.Select[tuple[ProgrammeEntry]]:
    return public_entries().where(ProgrammeEntry.ends_at < now)


def solutions_page(
    session: Session, filters: SolutionFilters, *, now: datetime, cursor: str | None, limit: int
) -> Page[ProgrammeEntry]:
    """Past activities of every open programme that ``filters`` select, the latest first."""
    query = programme.matching(
        session,
        _past(now),
        programme.ProgrammeFilters(
            q=filters.q, themes=filters.themes, formats=filters.formats, organisation_kinds=filters.organisation_kinds, regions=filters.regions
        ),
    )
    if filters.editions:
        query = query.where(Edition.slug.in_(list(filters.editions)))
    if filters.has_material is not None:
        query = query.where(ProgrammeEntry.has_material.is_(filters.has_material))
    if filters.featured is not None:
        query = query.where(ProgrammeEntry.featured_solution.is_(filters.featured))
    return keyset_page(
        session,
        query,
        order_by=(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id),
        key=lambda entry: (entry.starts_at, entry.activity_id),
        cursor=cursor,
        limit=limit,
        descending=True,
        sort_when_few=True,  # a word or a theme found in few past weeks
    )


def featured_solutions(session: Session, *, now: datetime, limit: int) -> list[ProgrammeEntry]:
    """The solutions the coordinators picked out, the latest first."""
    query = _past(now).where(ProgrammeEntry.featured_solution.is_(True))
    return list(session.scalars(query.order_by(ProgrammeEntry.starts_at.desc(), ProgrammeEntry.activity_id.desc()).limit(limit)))


def solutions_version(session: Session, now: datetime) -> ProgrammeVersion:
    """What answers about solutions are cached by: every change to any programme (their numbers
    only grow, so their sum does too), any edition changed (opened or closed), and the last
    activity that ended (and so became a solution) before ``now``."""
    changes, changed_at = session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ProgrammeCounter.last_change_number), 0), sa.func.max(ProgrammeCounter.last_changed_at))
    ).one()
    edited_at = session.scalar(sa.select(sa.func.max(Edition.updated_at)))
    ended_at = session.scalar(public_entries(sa.func.max(ProgrammeEntry.ends_at)).where(ProgrammeEntry.ends_at < now))
    moments = [moment for moment in (changed_at, edited_at, ended_at) if moment is not None]
    return ProgrammeVersion(int(changes), max(moments, default=NEVER))


def feature_solution(session: Session, actor: Actor, activity_id: int, *, featured: bool) -> Activity:
    """Pick a published activity out among the solutions (or stop doing so): the coordinators
    of its week decide. Live, like featuring in the programme: nothing the organisers wrote changes."""
    activity = activities.get_activity(session, actor, activity_id)
    require_coordinator(actor, activity.edition)
    if activity.featured_solution != featured:
        activity.featured_solution = featured
        action = "solution_featured" if featured else "solution_unfeatured"
        audit.record(session, actor, action, edition_id=activity.edition_id, activity_id=activity.id)
        activities.schedule_publication(session, activity)
        session.flush()
    return activity
