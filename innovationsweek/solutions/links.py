"""Reuse links as the public programme shows them: ``reuses`` on the activity that builds on an
earlier one, ``reused_by`` and ``reuse_count`` on the earlier one.

The organiser names what an activity builds on in its working copy (``Activity.reuses``);
moderation approves it with the rest of the revision; the publish job then records the approved
links (:class:`ReuseLink`) and re-renders the entries on the other side, because they changed too:
partners read that change in the earlier edition's feed and webhooks like any other. The earlier
organisers are told by mail, in their language, when a new link is published.

Used by the programme's publishing (``programme.service``) and by the activities' rules, so it
imports neither of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import outbox
from innovationsweek.accounts.service import in_their_languages, organisation_members
from innovationsweek.activities.models import Activity
from innovationsweek.editions.models import LANGUAGES, Edition, edition_name, organisation_language
from innovationsweek.errors import Invalid
from innovationsweek.notifications.service import send_mail
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.solutions.models import ReuseLink
from innovationsweek.translations import translations


def public_entries(*columns: Any) -> sa.Select[Any]:
    """Entries (or ``columns`` of them) anyone may see and build on: in an open programme and
    not cancelled."""
    return (
        sa.select(*(columns or (ProgrammeEntry,)))
        .join_from(ProgrammeEntry, Edition, Edition.id == ProgrammeEntry.edition_id)
        .where(ProgrammeEntry.state == EntryState.UPDATED, ProgrammeEntry.cancelled.is_(False), Edition.programme_open)
    )


def check_reuses(session: Session, activity: Activity, ids: Sequence[int]) -> list[int]:
    """``ids`` without repeats, if each names a published activity that started before this
    one; otherwise a 422 on ``reuses``."""
    wanted = list(dict.fromkeys(ids))
    if activity.id is not None and activity.id in wanted:
        raise Invalid(_l("An activity cannot build on itself."), field="reuses")
    found = {entry.activity_id: entry for entry in session.scalars(public_entries().where(ProgrammeEntry.activity_id.in_(wanted)))}
    unknown = [str(i) for i in wanted if i not in found]
    if unknown:
        raise Invalid(_l("Not a published activity of an open programme: %(ids)s.", ids=", ".join(unknown)), field="reuses")
    later = [str(i) for i in wanted if found[i].starts_at >= activity.starts_at]
    if later:
        raise Invalid(_l("An activity can only build on earlier ones; these do not start before it: %(ids)s.", ids=", ".join(later)), field="reuses")
    return wanted


# --- what an entry shows -------------------------------------------------------------------------


def reference(entry: ProgrammeEntry) -> dict[str, Any]:
    """How another entry names this one."""
    data = entry.data or {}
    return {"id": entry.activity_id, "edition": data["edition"], "title": data["title"], "organiser": data["organiser"]["name"]}


def reuses_shown(session: Session, ids: Iterable[int]) -> list[dict[str, Any]]:
    """The earlier activities an approved revision names, as far as they are public, by start."""
    return [found for found, _ in named_references(session, ids)]


def named_references(session: Session, ids: Iterable[int]) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """The public activities among ``ids`` as :func:`reference` names them, each with its week's
    name in every language (for a person, where the entry has only the slug), by start: one query."""
    wanted = list(ids)
    if not wanted:
        return []
    query = (
        public_entries(ProgrammeEntry, Edition.name)
        .where(ProgrammeEntry.activity_id.in_(wanted))
        .order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
    )
    return [(reference(entry), name) for entry, name in session.execute(query)]


def title_languages(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The language each public activity among ``ids`` writes its title in (the first it is held
    in), for those that name one: one query. A reference names only the title, not its language."""
    wanted = set(ids)
    if not wanted:
        return {}
    query = public_entries(ProgrammeEntry.activity_id, ProgrammeEntry.data).where(ProgrammeEntry.activity_id.in_(wanted))
    return {activity_id: data["languages"][0] for activity_id, data in session.execute(query) if (data or {}).get("languages")}


def reused_by_shown(session: Session, activity_id: int) -> list[dict[str, Any]]:
    """The public activities whose approved revision builds on this one, by start."""
    query = (
        public_entries()
        .join(ReuseLink, ReuseLink.activity_id == ProgrammeEntry.activity_id)
        .where(ReuseLink.reused_id == activity_id)
        .order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
    )
    return [reference(entry) for entry in session.scalars(query)]


# --- after an entry was published -----------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """What entries on the other side of a link show of this one: whether it shows at all, and how."""

    shown: bool
    reference: tuple[Any, ...]

    @classmethod
    def of(cls, entry: ProgrammeEntry | None) -> Face:
        if entry is None or entry.state != EntryState.UPDATED or entry.data is None:
            return cls(False, ())
        return cls(not entry.cancelled, tuple(reference(entry).values()))


def follow_up(session: Session, activity: Activity, entry: ProgrammeEntry | None, *, before: Face) -> None:
    """After the activity's entry was numbered anew: record the links its approved revision
    makes, have the entries on the other side of a changed link re-rendered (all of them when
    this one shows differently now), and tell the organisers of newly reused activities."""
    old = set(session.scalars(sa.select(ReuseLink.reused_id).where(ReuseLink.activity_id == activity.id)))
    after = Face.of(entry)
    new = set(_approved_reuses(activity)) if after.shown else set()
    existing = set(session.scalars(sa.select(Activity.id).where(Activity.id.in_(new))))
    new &= existing  # an earlier activity deleted since (a draft never is one, but be safe)
    if old - new:
        session.execute(sa.delete(ReuseLink).where(ReuseLink.activity_id == activity.id, ReuseLink.reused_id.in_(old - new)))
    for reused_id in sorted(new - old):
        session.add(ReuseLink(activity_id=activity.id, reused_id=reused_id))
    neighbours = old ^ new
    if after != before:
        neighbours |= old | new | set(session.scalars(sa.select(ReuseLink.activity_id).where(ReuseLink.reused_id == activity.id)))
    for neighbour in sorted(neighbours):
        outbox.schedule(session, "publish_activity", neighbour)
    if new - old:
        _tell_reused_organisers(session, activity, sorted(new - old))
    session.flush()


def republish_linked(session: Session, edition_id: int) -> list[int]:
    """The activities on the other side of a link from the edition's activities: what to
    re-render once its programme opened or closed (they show its activities, or stop)."""
    ours = sa.select(Activity.id).where(Activity.edition_id == edition_id)
    targets = sa.select(ReuseLink.reused_id).where(ReuseLink.activity_id.in_(ours))
    reusers = sa.select(ReuseLink.activity_id).where(ReuseLink.reused_id.in_(ours))
    return sorted(set(session.scalars(targets)) | set(session.scalars(reusers)))


def _approved_reuses(activity: Activity) -> list[int]:
    revision = activity.approved_revision
    return [int(i) for i in (revision.content.get("reuses", []) if revision is not None else [])]


def _tell_reused_organisers(session: Session, activity: Activity, reused_ids: Sequence[int]) -> None:
    """Mail the hosts of the earlier activities; not a host that builds on its own earlier work
    (as every copy forward does): it would only be told what it did itself."""
    others = sa.select(Activity).where(Activity.id.in_(reused_ids), Activity.organisation_id != activity.organisation_id)
    for earlier in session.scalars(others.order_by(Activity.id)):
        members = organisation_members(session, earlier.organisation_id)
        otherwise = organisation_language(earlier.organisation.country, earlier.edition)
        for member, (subject, text) in in_their_languages(members, otherwise, lambda language: reuse_mail(activity, earlier, language)):
            send_mail(session, to=member.email, subject=subject, text=text)


def reuse_mail(activity: Activity, earlier: Activity, language: str) -> tuple[str, str]:
    """The mail to the earlier organisers, in ``language``: who builds on which of their activities."""
    _ = translations(language if language in LANGUAGES else "en").gettext
    values = {
        "organisation": activity.organisation.name,
        "title": _approved_title(earlier),
        "edition": edition_name(earlier.edition, language),
        "new_title": _approved_title(activity),
        "new_edition": edition_name(activity.edition, language),
    }
    subject = _("%(organisation)s builds on your activity \u201c%(title)s\u201d") % values
    text = "\n\n".join(
        (
            _("%(organisation)s builds on your activity \u201c%(title)s\u201d (%(edition)s) in \u201c%(new_title)s\u201d (%(new_edition)s).") % values,
            _("Both activities now show the link in the public programme. Steal with pride: this is how good solutions spread."),
            _("Keep your report's material and how-to-reuse text up to date, so that others can build on it too."),
        )
    )
    return subject, text


def _approved_title(activity: Activity) -> str:
    revision = activity.approved_revision
    return revision.content["title"] if revision is not None else activity.title


# --- statistics -----------------------------------------------------------------------------------


def statistics(session: Session, edition_id: int, *, activities: int) -> dict[str, Any]:
    """How much the edition's programme (``activities`` going ahead) builds on public solutions:
    the activities that do, their share, and how many different solutions they build on. Beside
    the Innovationsbarometer's 73 % of public-sector innovations that reuse others' solutions."""
    targets = public_entries(ProgrammeEntry.activity_id)
    ours = sa.select(ProgrammeEntry.activity_id).where(
        ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.state == EntryState.UPDATED, ProgrammeEntry.cancelled.is_(False)
    )
    links = sa.select(ReuseLink).where(ReuseLink.activity_id.in_(ours), ReuseLink.reused_id.in_(targets)).subquery()
    reusing, reused = session.execute(
        sa.select(sa.func.count(sa.distinct(links.c.activity_id)), sa.func.count(sa.distinct(links.c.reused_id)))
    ).one()
    return {
        "activities_reusing": reusing,
        "share": round(reusing / activities, 2) if activities else 0.0,
        "solutions_reused": reused,
    }
