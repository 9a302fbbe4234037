"""The public programme: rendering approved activities, numbering every change, and reading
the programme, the change feed and the statistics.

Nothing here reads the organiser's working copy: the public only ever sees an activity's last
approved revision, and never personal data beyond a contact the organiser chose to publish.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from pyroaring import BitMap
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, object_session

from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, CoOrganiserStatus, Format
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.editions.service import get_edition
from innovationsweek.errors import NotFound
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.paging import Page, decode_cursor, encode_cursor, keyset_page
from innovationsweek.programme.formats import event_text
from innovationsweek.programme.index import IndexPage, ProgrammeIndex, gathered
from innovationsweek.programme.models import (
    PROGRAMME_WORDS,
    SEARCH_VECTOR,
    TAG_WORDS,
    EntryState,
    ProgrammeCounter,
    ProgrammeEntry,
    ProgrammeTag,
)
from innovationsweek.reports.models import ActivityReport
from innovationsweek.solutions import links as reuse
from innovationsweek.webhooks.service import announce

IN_PROGRAMME = (ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED)
TAG_KINDS = {"languages": "language", "audiences": "audience", "themes": "theme"}


# --- publishing -------------------------------------------------------------------------------


def publish(session: Session, activity_id: int, *, base_url: str | None = None) -> ProgrammeEntry | None:
    """Bring the activity's programme entry in line with the activity. Running it again, or for
    an activity whose public face has not changed, changes nothing and numbers nothing.
    ``base_url``: the service's public address, to render the entry's calendar event for."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        return None
    entry = session.get(ProgrammeEntry, activity_id)
    before = reuse.Face.of(entry)
    if activity.status in IN_PROGRAMME and activity.approved_revision is not None:
        data = render(activity)
        if entry is not None and entry.state == EntryState.UPDATED and same_face(entry.data, data):
            return entry
        event = _event(entry, activity)
        entry = entry or ProgrammeEntry(activity_id=activity.id, edition_id=activity.edition_id, sequence=-1)
        _fill(entry, activity, data)
    elif entry is not None and entry.state == EntryState.UPDATED:
        event = "activity.deleted"
        _empty(entry)
    else:
        return entry
    with session.no_autoflush:  # a new entry is written once it has its number
        _number(session, entry)
    _render_calendar_event(entry, base_url)
    session.add(entry)
    if _partners_hear_at_once(session, entry):
        announce(session, entry, event)
    reuse.follow_up(session, activity, entry, before=before)
    session.flush()
    return entry


def _partners_hear_at_once(session: Session, entry: ProgrammeEntry) -> bool:
    """Whether partners' webhooks hear of this change now: only while the programme is open and
    they have heard of every earlier change. Otherwise they hear of it when the programme opens
    (:func:`announce_hidden_changes`, scheduled by the opening).

    Asked after numbering, so under the counter's lock: an opening that commits meanwhile is
    read here, and the opening's announcement waits for this transaction and then sees it."""
    programme_open = session.scalar(sa.select(Edition.programme_open).where(Edition.id == entry.edition_id))
    if not programme_open:
        return False
    caught_up = session.execute(
        sa.update(ProgrammeCounter)
        .where(
            ProgrammeCounter.edition_id == entry.edition_id,
            ProgrammeCounter.announced_change_number == entry.change_number - 1,
        )
        .values(announced_change_number=entry.change_number)
        .execution_options(synchronize_session=False)
    )
    return caught_up.rowcount == 1


def announce_hidden_changes(session: Session, edition_id: int) -> int:
    """Once the programme is open: tell partners' webhooks of every change made while it was
    hidden, each entry once as it stands now, in change order; returns how many. Partners who
    never heard of the edition get no deletions (they never saw those activities); after a
    programme was open and closed again, they do. Running it twice tells nothing twice."""
    counter = session.scalar(
        sa.select(ProgrammeCounter)
        .where(ProgrammeCounter.edition_id == edition_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    programme_open = session.scalar(sa.select(Edition.programme_open).where(Edition.id == edition_id))
    if counter is None or not programme_open:
        return 0
    heard_before = counter.announced_change_number > 0
    hidden_changes = session.scalars(
        sa.select(ProgrammeEntry)
        .where(ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.change_number > counter.announced_change_number)
        .order_by(ProgrammeEntry.change_number)
    )
    told = 0
    for entry in hidden_changes:
        if entry.state == EntryState.DELETED and not heard_before:
            continue
        announce(session, entry, _event_at_opening(entry))
        told += 1
    counter.announced_change_number = counter.last_change_number
    session.flush()
    return told


def _event_at_opening(entry: ProgrammeEntry) -> str:
    if entry.state == EntryState.DELETED:
        return "activity.deleted"
    return "activity.cancelled" if entry.cancelled else "activity.published"


def render(activity: Activity) -> dict[str, Any]:
    """The public representation of the approved revision (numbers are added when stored).

    Everything the organisers wrote comes from that revision. Live are only what nobody
    moderates: the edition, the organisations' own names and details, the coordinators'
    featuring, the cancellation, the report's material, and who has built on it since."""
    revision = activity.approved_revision
    assert revision is not None
    session = object_session(activity)
    content = revision.content
    contact = content.get("contact") or {}
    reuses = reuse.reuses_shown(session, content.get("reuses", [])) if session is not None else []
    reused_by = reuse.reused_by_shown(session, activity.id) if session is not None else []
    registration = content.get("registration") or {"mode": "none"}
    return {
        "id": activity.id,
        "edition": activity.edition.slug,
        "status": "cancelled" if activity.status == ActivityStatus.CANCELLED else "published",
        "cancellation_reason": activity.cancellation_reason if activity.status == ActivityStatus.CANCELLED else None,
        "title": content["title"],
        "summary": content["summary"],
        "description": content["description"],
        "format": content["format"],
        "attendance_mode": content["attendance_mode"],
        "starts_at": content["starts_at"],
        "ends_at": content["ends_at"],
        "timezone": activity.edition.timezone,
        "venue": content.get("venue"),
        "online_url": content.get("online_url"),
        "languages": content.get("languages", []),
        "audiences": content.get("audiences", []),
        "themes": content.get("themes", []),
        "topics": content.get("topics", []),
        "organiser": _organisation(activity.organisation),
        "co_organisers": [_organisation(o) for o in _co_organisers(activity, content)],
        # Personal data only where the organiser chose to publish it.
        "contact": {"name": contact.get("name"), "email": contact.get("email")} if contact.get("email_public") else None,
        "registration": {
            "mode": registration["mode"],
            "url": registration.get("url"),
            "capacity": registration.get("capacity"),
        },
        "photo_notice": content.get("photo_notice"),
        "related_activity_ids": content.get("related_activity_ids", []),
        "featured": activity.featured,
        "revision": revision.number,
        # Slides and recordings the organisers linked in their report afterwards.
        "material": public_material(activity),
        # What it builds on (moderated, in the revision) and who built on it since (live).
        "reuses": reuses,
        "reused_by": reused_by,
        "reuse_count": len(reused_by),
        "featured_solution": activity.featured_solution,
    }


def _co_organisers(activity: Activity, content: dict[str, Any]) -> list[Organisation]:
    """Those the approved revision names whose owners accepted: an organisation named since
    waits for the next approval, one that has not accepted (or was removed since) is left out."""
    approved = set(content.get("co_organiser_ids", []))
    shown = [
        link.organisation
        for link in activity.co_organisers
        if link.organisation_id in approved and link.status == CoOrganiserStatus.ACCEPTED
    ]
    return sorted(shown, key=lambda organisation: (organisation.name, organisation.id))


def public_material(activity: Activity) -> dict[str, Any] | None:
    """What the programme shows of the report: the approved material, never the working copy."""
    session = object_session(activity)
    report = session.get(ActivityReport, activity.id) if session is not None else None
    approved = report.approved_revision if report is not None else None
    if approved is None:
        return None
    content = approved.content
    return {
        "links": [{"title": link["title"], "url": link["url"]} for link in content["links"]],
        "how_to_reuse": content["how_to_reuse"] or None,
    }


def _event(entry: ProgrammeEntry | None, activity: Activity) -> str:
    if entry is None or entry.state == EntryState.DELETED:
        return "activity.published"
    if activity.status == ActivityStatus.CANCELLED and not entry.cancelled:
        return "activity.cancelled"
    return "activity.updated"


NUMBERS = ("change_number", "sequence", "modified")


def same_face(stored: dict[str, Any] | None, rendered: dict[str, Any]) -> bool:
    """Whether a stored entry already shows what was just rendered (numbers aside)."""
    return stored is not None and {k: v for k, v in stored.items() if k not in NUMBERS} == rendered


def _fill(entry: ProgrammeEntry, activity: Activity, data: dict[str, Any]) -> None:
    venue = data["venue"] or {}
    entry.state = EntryState.UPDATED
    entry.revision_id = activity.approved_revision.id if activity.approved_revision else None
    entry.sequence += 1
    entry.data = data
    entry.starts_at = datetime.fromisoformat(data["starts_at"])
    entry.ends_at = datetime.fromisoformat(data["ends_at"])
    entry.cancelled = data["status"] == "cancelled"
    entry.featured = data["featured"]
    entry.format = Format(data["format"])
    entry.attendance_mode = AttendanceMode(data["attendance_mode"])
    entry.region = venue.get("region") or activity.organisation.region
    entry.municipality = venue.get("municipality")
    entry.organisation_kind = activity.organisation.kind
    entry.has_material = data["material"] is not None
    entry.featured_solution = data["featured_solution"]
    entry.search_text = " ".join(
        str(part or "") for part in (data["title"], data["summary"], " ".join(data["topics"]), activity.organisation.name, entry.municipality)
    ).lower()
    entry.tags = [ProgrammeTag(kind=kind, value=value) for field, kind in TAG_KINDS.items() for value in sorted(set(data[field]))]


def _empty(entry: ProgrammeEntry) -> None:
    """Deleted entries keep only what the feed needs: the id and the change number."""
    entry.state = EntryState.DELETED
    entry.sequence += 1
    entry.data = None
    entry.tags = []


def _number(session: Session, entry: ProgrammeEntry) -> None:
    """Give the entry the edition's next change number: the last step before the commit, because
    the counter's row stays locked until then."""
    now = utcnow()
    counter_exists = session.get(ProgrammeCounter, entry.edition_id) is not None
    if not counter_exists:
        session.execute(
            _insert_ignore(session, ProgrammeCounter.__table__).values(edition_id=entry.edition_id, last_change_number=0, last_changed_at=now)
        )
    number = session.scalar(
        sa.update(ProgrammeCounter)
        .where(ProgrammeCounter.edition_id == entry.edition_id)
        .values(last_change_number=ProgrammeCounter.last_change_number + 1, last_changed_at=now)
        .returning(ProgrammeCounter.last_change_number)
    )
    entry.change_number = number
    entry.modified_at = now
    entry.published_at = entry.published_at or now
    if entry.data is not None:
        entry.data = {**entry.data, "change_number": number, "sequence": entry.sequence, "modified": now.isoformat()}


def _render_calendar_event(entry: ProgrammeEntry, base_url: str | None) -> None:
    rendered = entry.state == EntryState.UPDATED and base_url is not None
    entry.calendar_event = event_text(entry, base_url=base_url) if rendered and base_url else None
    entry.calendar_base_url = base_url if rendered else None


def _insert_ignore(session: Session, table: sa.Table) -> Any:
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing()


def _organisation(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "kind": organisation.kind.value,
        "country": organisation.country,
        "region": organisation.region,
        "website": organisation.website,
    }


def entries_to_republish(session: Session, edition_id: int) -> list[int]:
    query = sa.select(ProgrammeEntry.activity_id).where(
        ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.state == EntryState.UPDATED
    )
    return list(session.scalars(query))


# --- reading ----------------------------------------------------------------------------------


def open_programme(session: Session, slug: str) -> Edition:
    edition = get_edition(session, slug)
    if not edition.programme_open:
        raise NotFound(_l("The programme of %(edition)s is not open yet.", edition=slug))
    return edition


def current_edition(session: Session, now: datetime) -> Edition:
    """The edition a visitor means by "the programme": of those whose programme is open, the
    running or next week, else the one that ended last."""
    open_editions = sa.select(Edition).where(Edition.programme_open)
    upcoming = session.scalar(open_editions.where(Edition.ends_at > now).order_by(Edition.starts_at, Edition.id).limit(1))
    edition = upcoming or session.scalar(open_editions.order_by(Edition.ends_at.desc(), Edition.id.desc()).limit(1))
    if edition is None:
        raise NotFound(_l("No programme is open yet."))
    return edition


@dataclass(frozen=True)
class ProgrammeFilters:
    starts_from: date | None = None
    starts_to: date | None = None
    formats: Sequence[Format] = ()
    attendance_modes: Sequence[AttendanceMode] = ()
    regions: Sequence[str] = ()
    municipalities: Sequence[str] = ()
    organisation_kinds: Sequence[OrganisationKind] = ()
    audiences: Sequence[str] = ()
    themes: Sequence[str] = ()
    languages: Sequence[str] = ()
    q: str | None = None
    featured: bool | None = None
    cancelled: bool | None = None


PROGRAMME_ORDER = (ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)


def programme_page(
    session: Session,
    edition: Edition,
    filters: ProgrammeFilters,
    *,
    cursor: str | None,
    limit: int,
    total: Callable[[Callable[[], int]], int] = lambda count: count(),
    index: ProgrammeIndex | None = None,
) -> Page[ProgrammeEntry]:
    """Activities in the programme (cancelled ones too, marked), by start time then id: chosen
    and counted by ``index`` when given (the programme's version in memory), else by the
    database, where ``total`` may answer the count from memory (the same on every page)."""
    if index is not None:
        return _page_by_index(session, edition, filters, index, cursor=cursor, limit=limit)
    query = sa.select(ProgrammeEntry).where(
        ProgrammeEntry.edition_id == edition.id, ProgrammeEntry.state == EntryState.UPDATED
    )
    query = _filtered(session, query, edition, filters)
    return keyset_page(
        session,
        query,
        order_by=PROGRAMME_ORDER,
        key=lambda e: (e.starts_at, e.activity_id),
        cursor=cursor,
        limit=limit,
        total=total,
        sort_when_few=filters != ProgrammeFilters(),
    )


def _page_by_index(
    session: Session, edition: Edition, filters: ProgrammeFilters, index: ProgrammeIndex, *, cursor: str | None, limit: int
) -> Page[ProgrammeEntry]:
    chosen = chosen_by_index(session, index, filters, edition_id=edition.id, timezone=edition.timezone, cursor=cursor, limit=limit)
    return Page(items=_entries_in_order(session, chosen.activity_ids), total=chosen.total, next_cursor=next_cursor(chosen))


def chosen_by_index(
    session: Session, index: ProgrammeIndex, filters: ProgrammeFilters, *, edition_id: int, timezone: str, cursor: str | None, limit: int
) -> IndexPage:
    """The page of the programme that ``index`` chooses (by the edition's id and time zone, so
    that the edition need not be read). The words of ``q`` are searched by the database (its
    full-text index), and the index keeps those it selects."""
    ends_after, starts_before = _day_bounds(timezone, filters)
    selected = index.selected(_index_values(filters), starts_before=starts_before, ends_after=ends_after)
    if _no_day_between(filters):
        selected.clear()
    if filters.q and selected:
        selected &= _with_words_of(session, index, edition_id, filters.q)
    after = decode_cursor(cursor, [column.type.python_type for column in PROGRAMME_ORDER]) if cursor is not None else None
    return index.page(selected, after=after, limit=limit)


def _with_words_of(session: Session, index: ProgrammeIndex, edition_id: int, q: str) -> BitMap:
    """The positions of the entries with the words of ``q``. PostgreSQL makes each word's query
    (its Swedish, Danish and written stems as prefixes) and the index matches it against the
    entries' word forms, which PostgreSQL made when the index was built; on SQLite, or for a
    query the index does not read, the database searches."""
    words = WORD.findall(q.lower())
    if index.knows_words and words:
        queries = [session.scalar(sa.select(sa.cast(sa.func.programme_search_query(word, type_=postgresql.TSQUERY), sa.Text))) for word in words]
        found = index.with_words(queries)
        if found is not None:
            return found
    matches = _with_words(session, edition_id, q).subquery()
    return index.positions_of(session.scalar(sa.select(gathered(session, matches.c.activity_id))))


def _with_words(session: Session, edition_id: int, q: str) -> sa.Select[Any]:
    """The ids of the entries in the edition's programme that have the words of ``q``: from the
    narrow table of words on PostgreSQL (:data:`PROGRAMME_WORDS`)."""
    if session.get_bind().dialect.name == "postgresql":
        words = PROGRAMME_WORDS.c
        return sa.select(words.activity_id).where(words.edition_id == edition_id, *_words_in_text(session, q, words.words))
    in_programme = (ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.state == EntryState.UPDATED)
    return sa.select(ProgrammeEntry.activity_id).where(*in_programme, *_words_in_text(session, q))


def next_cursor(chosen: IndexPage) -> str | None:
    return encode_cursor(chosen.next_key) if chosen.next_key is not None else None


def public_texts(session: Session, activity_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """The public JSON of each of these entries as the publish job stored it, with its change
    number: the API's answer for it, without reading it into objects and writing it out again."""
    query = sa.select(ProgrammeEntry.activity_id, ProgrammeEntry.change_number, sa.cast(ProgrammeEntry.data, sa.Text)).where(
        _one_of(session, ProgrammeEntry.activity_id, activity_ids), ProgrammeEntry.state == EntryState.UPDATED
    )
    rows = session.connection().execute(query)  # plain rows: the ORM would add a millisecond here
    return {activity_id: (change_number, text) for activity_id, change_number, text in rows}


def _one_of(session: Session, column: sa.ColumnElement[int], numbers: Sequence[int]) -> sa.ColumnElement[bool]:
    """``column`` is one of ``numbers``: on PostgreSQL as one array, so that every page size is
    the same statement, which psycopg prepares once (an IN list is a statement per length)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.literal(list(numbers), postgresql.ARRAY(sa.Integer)))
    return column.in_(list(numbers))


def _entries_in_order(session: Session, activity_ids: list[int]) -> list[ProgrammeEntry]:
    """The public entries of ``activity_ids``, in that order. One withdrawn since the index was
    built is left out (the next page's cursor still names its place)."""
    query = sa.select(ProgrammeEntry).where(_one_of(session, ProgrammeEntry.activity_id, activity_ids), ProgrammeEntry.state == EntryState.UPDATED)
    by_id = {entry.activity_id: entry for entry in session.scalars(query)}
    return [by_id[activity_id] for activity_id in activity_ids if activity_id in by_id]


def _index_values(filters: ProgrammeFilters) -> dict[str, list[str]]:
    """The filters as the index names them: each filter's values, as the API's query writes them."""
    flags = {"featured": filters.featured, "cancelled": filters.cancelled}
    values = {
        "format": [f.value for f in filters.formats],
        "attendance_mode": [m.value for m in filters.attendance_modes],
        "region": list(filters.regions),
        "municipality": list(filters.municipalities),
        "organisation_kind": [k.value for k in filters.organisation_kinds],
        "audience": list(filters.audiences),
        "theme": list(filters.themes),
        "language": list(filters.languages),
        **{name: ["true" if flag else "false"] for name, flag in flags.items() if flag is not None},
    }
    return {name: wanted for name, wanted in values.items() if wanted}


# Webcasts by the week's national hosts are for everyone in the country: shown on top with the
# coordinators' featured activities.
NATIONAL_KINDS = (OrganisationKind.NATIONAL_COORDINATOR, OrganisationKind.STATE_AGENCY)


def highlights(session: Session, edition: Edition, filters: ProgrammeFilters, *, limit: int) -> list[ProgrammeEntry]:
    """Featured activities and national webcasts among those ``filters`` select, by start."""
    query = sa.select(ProgrammeEntry).where(
        ProgrammeEntry.edition_id == edition.id,
        ProgrammeEntry.state == EntryState.UPDATED,
        sa.or_(
            ProgrammeEntry.featured.is_(True),
            sa.and_(ProgrammeEntry.format == Format.WEBCAST, ProgrammeEntry.organisation_kind.in_(NATIONAL_KINDS)),
        ),
    )
    query = _filtered(session, query, edition, filters).order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id).limit(limit)
    return list(session.scalars(query))


def related_entries(session: Session, entry: ProgrammeEntry) -> list[ProgrammeEntry]:
    """The published activities ``entry`` names as related, in its programme, by start."""
    ids = [int(i) for i in (entry.data or {}).get("related_activity_ids", [])]
    if not ids:
        return []
    query = (
        sa.select(ProgrammeEntry)
        .where(ProgrammeEntry.activity_id.in_(ids), ProgrammeEntry.edition_id == entry.edition_id, ProgrammeEntry.state == EntryState.UPDATED)
        .order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
    )
    return list(session.scalars(query))


def _filtered(session: Session, query: sa.Select[Any], edition: Edition, filters: ProgrammeFilters) -> sa.Select[Any]:
    ends_after, starts_before = _day_bounds(edition.timezone, filters)
    if ends_after is not None:
        query = query.where(ProgrammeEntry.ends_at > ends_after)
    if starts_before is not None:
        query = query.where(ProgrammeEntry.starts_at < starts_before)
    if _no_day_between(filters):
        query = query.where(sa.false())
    return matching(session, query, filters)


def _day_bounds(timezone: str, filters: ProgrammeFilters) -> tuple[datetime | None, datetime | None]:
    """What the days 'from' and 'to' select, in the edition's time zone: activities that end
    after the first day begins, and that start before the day after the last begins."""
    zone = ZoneInfo(timezone)
    ends_after = datetime.combine(filters.starts_from, time(), zone) if filters.starts_from is not None else None
    starts_before = datetime.combine(filters.starts_to + timedelta(days=1), time(), zone) if filters.starts_to is not None else None
    return ends_after, starts_before


def _no_day_between(filters: ProgrammeFilters) -> bool:
    """A 'to' before 'from': no day is both on or after 'from' and on or before 'to' (though an
    activity over midnight both ends after the one and starts before the other)."""
    return filters.starts_from is not None and filters.starts_to is not None and filters.starts_to < filters.starts_from


def matching(session: Session, query: sa.Select[Any], filters: ProgrammeFilters) -> sa.Select[Any]:
    """``query`` of entries narrowed by every filter but the dates (which need an edition's time
    zone): also how the solutions of every edition are searched."""
    for column, values in (
        (ProgrammeEntry.format, filters.formats),
        (ProgrammeEntry.attendance_mode, filters.attendance_modes),
        (ProgrammeEntry.region, filters.regions),
        (ProgrammeEntry.municipality, filters.municipalities),
        (ProgrammeEntry.organisation_kind, filters.organisation_kinds),
    ):
        if values:
            query = query.where(column.in_(list(values)))
    for kind, values in (("audience", filters.audiences), ("theme", filters.themes), ("language", filters.languages)):
        if values:
            query = query.where(_tagged(session, kind, values))
    if filters.q:
        query = query.where(*_words_in_text(session, filters.q))
    if filters.featured is not None:
        query = query.where(ProgrammeEntry.featured == filters.featured)
    if filters.cancelled is not None:
        query = query.where(ProgrammeEntry.cancelled == filters.cancelled)
    return query


def _tagged(session: Session, kind: str, values: Sequence[str]) -> sa.ColumnElement[bool]:
    """Whether an entry has any of ``values`` as a ``kind`` tag: on PostgreSQL from the entry's
    indexed tag words, on SQLite from its tag rows."""
    if session.get_bind().dialect.name == "postgresql":
        return TAG_WORDS.bool_op("&&")(sa.literal([f"{kind}:{value}" for value in values], postgresql.ARRAY(sa.Text)))
    return sa.exists().where(
        ProgrammeTag.activity_id == ProgrammeEntry.activity_id, ProgrammeTag.kind == kind, ProgrammeTag.value.in_(list(values))
    )


# A word to search for: letters and digits, so that it can never be LIKE or tsquery syntax.
WORD = re.compile(r"[^\W_]+")


def _words_in_text(session: Session, q: str, vector: sa.ColumnElement[Any] = SEARCH_VECTOR) -> list[sa.ColumnElement[bool]]:
    """Each word of ``q`` must start a word of the entry, or share its Swedish or Danish stem:
    PostgreSQL's full-text search on the GIN index of ``vector`` (the entries' own words, or those
    of :data:`PROGRAMME_WORDS`). SQLite (the embedded mode) looks for the words anywhere in the
    text."""
    words = WORD.findall(q.lower())
    if not words:  # only punctuation: nothing is written like that
        return [sa.false()]
    if session.get_bind().dialect.name != "postgresql":
        return [ProgrammeEntry.search_text.like(f"%{word}%") for word in words]
    # Only letters and digits: nothing in a word is tsquery syntax. The function (migration
    # 0021) makes its prefix query in each of SEARCH_CONFIGURATIONS, each distinct term once.
    return [vector.bool_op("@@")(sa.func.programme_search_query(word, type_=postgresql.TSQUERY)) for word in words]


def all_entries(session: Session, edition: Edition) -> Iterator[ProgrammeEntry]:
    """The whole programme, for the Atom feed, read a thousand at a time (a server-side cursor
    on PostgreSQL) so that memory stays flat."""
    query = (
        sa.select(ProgrammeEntry)
        .where(ProgrammeEntry.edition_id == edition.id, ProgrammeEntry.state == EntryState.UPDATED)
        .order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
        .execution_options(yield_per=1000)
    )
    entries = session.scalars(query)
    try:
        yield from entries
    finally:
        entries.close()  # a reader that stops early (a dropped download) frees the cursor now


def calendar_events(session: Session, edition: Edition, *, base_url: str) -> Iterator[str]:
    """Every public entry's calendar event in the programme's order, as the publish job kept it,
    read a thousand at a time like :func:`all_entries`. An entry published before events were
    kept, or kept for another address, is rendered now."""
    query = (
        sa.select(ProgrammeEntry.activity_id, ProgrammeEntry.calendar_event, ProgrammeEntry.calendar_base_url)
        .where(ProgrammeEntry.edition_id == edition.id, ProgrammeEntry.state == EntryState.UPDATED)
        .order_by(ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
        .execution_options(yield_per=1000)
    )
    rows = session.execute(query)
    try:
        for activity_id, event, kept_for in rows:
            if event is None or kept_for != base_url:
                event = event_text(session.get_one(ProgrammeEntry, activity_id), base_url=base_url)
            yield event
    finally:
        rows.close()


def changes_after(session: Session, edition: Edition, change_number: int, *, limit: int) -> list[ProgrammeEntry]:
    """The change feed: every entry changed after ``change_number``, in change order, each once."""
    query = (
        sa.select(ProgrammeEntry)
        .where(ProgrammeEntry.edition_id == edition.id, ProgrammeEntry.change_number > change_number)
        .order_by(ProgrammeEntry.change_number)
        .limit(limit)
    )
    return list(session.scalars(query))


def public_entry(session: Session, activity_id: int) -> ProgrammeEntry:
    entry = session.scalar(
        sa.select(ProgrammeEntry)
        .join(Edition, Edition.id == ProgrammeEntry.edition_id)
        .where(ProgrammeEntry.activity_id == activity_id, ProgrammeEntry.state == EntryState.UPDATED, Edition.programme_open)
    )
    if entry is None:
        raise NotFound(_l("No activity %(id)s in any open programme.", id=activity_id))
    return entry


def edition_of(session: Session, entry: ProgrammeEntry) -> Edition:
    edition = session.get(Edition, entry.edition_id)
    assert edition is not None
    return edition


def _count_by_day(session: Session, edition: Edition, live: sa.ColumnElement[bool]) -> Counter[str]:
    """Activities by their first day in the edition's time zone: counted by PostgreSQL, or here
    on SQLite, which knows no time zones (the embedded mode's programmes are small)."""
    if session.get_bind().dialect.name == "postgresql":
        day = sa.cast(sa.func.timezone(edition.timezone, ProgrammeEntry.starts_at), sa.Date)
        rows = session.execute(sa.select(day, sa.func.count()).where(live, ProgrammeEntry.starts_at.is_not(None)).group_by(day))
        return Counter({first_day.isoformat(): number for first_day, number in rows})
    zone = ZoneInfo(edition.timezone)
    return Counter(moment.astimezone(zone).date().isoformat() for moment in session.scalars(sa.select(ProgrammeEntry.starts_at).where(live)))


def statistics(session: Session, edition: Edition) -> dict[str, Any]:
    """Counts of the programme's activities (cancelled ones apart) by region, format, theme,
    organisation kind and day (in the edition's time zone), counted by the database."""
    live = sa.and_(
        ProgrammeEntry.edition_id == edition.id,
        ProgrammeEntry.state == EntryState.UPDATED,
        ProgrammeEntry.cancelled.is_(False),
    )

    def count_by(column: Any, *joins: Any) -> dict[str, int]:
        query = sa.select(column, sa.func.count()).select_from(ProgrammeEntry)
        for join in joins:
            query = query.join(*join)
        rows = session.execute(query.where(live, column.is_not(None)).group_by(column))
        return dict(sorted((str(getattr(key, "value", key)), number) for key, number in rows))

    days = _count_by_day(session, edition, live)
    cancelled = session.scalar(
        sa.select(sa.func.count()).where(
            ProgrammeEntry.edition_id == edition.id, ProgrammeEntry.state == EntryState.UPDATED, ProgrammeEntry.cancelled
        )
    )
    return {
        "activities": sum(days.values()),
        "cancelled": cancelled or 0,
        "by_region": count_by(ProgrammeEntry.region),
        "by_format": count_by(ProgrammeEntry.format),
        "by_theme": count_by(
            ProgrammeTag.value,
            (ProgrammeTag, sa.and_(ProgrammeTag.activity_id == ProgrammeEntry.activity_id, ProgrammeTag.kind == "theme")),
        ),
        "by_organisation_kind": count_by(ProgrammeEntry.organisation_kind),
        "by_day": dict(sorted(days.items())),
        "reuse": reuse.statistics(session, edition.id, activities=sum(days.values())),
    }
