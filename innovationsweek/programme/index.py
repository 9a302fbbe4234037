"""The programme's order and filter values in each process's memory, for the reads no cache
can help: a different filter or search on every request.

PostgreSQL counts the rows a filter selects at about half a microsecond each, so a count of a
broad filter over 100,000 activities took longer than everything else a request does. Here
every entry of a version of the programme has a position in the programme's order (start,
then id), and every filter value the set of its positions, as a compressed bitmap (Roaring,
by ``pyroaring``): a count is the size of an intersection, and a page the next positions of
it after the cursor's, both in microseconds. The database then reads only the page's rows, by
their keys.

An index describes one version (change number) of an edition and is built from the database
when a read finds the programme changed; :class:`ProgrammeIndexes` rebuilds at most every
``rebuild_seconds``, and reads in between use the database's own indexes (as SQLite and a
cold process do), so a burst of publishing cannot keep a process rebuilding.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import repeat
from typing import Any

import orjson
import sqlalchemy as sa
from pyroaring import BitMap
from sqlalchemy.orm import Session

from innovationsweek.programme.models import FILTERED_COLUMNS, PROGRAMME_WORDS, EntryState, ProgrammeEntry, ProgrammeTag

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
WORD = "word"  # the filter name of the word forms' sets (PostgreSQL only)
# A word's query as PostgreSQL writes it out (programme_search_query): prefixes of word forms,
# joined by & within a term and by | between terms. Any other shape is left to the database.
_PREFIX = re.compile(r"'([^'\\]*)':\*")
_QUERY = re.compile(r"'[^'\\]*':\*(?: [&|] '[^'\\]*':\*)*")
_NOWHERE = 2**32 - 1  # the position of an entry not in the index (a bitmap holds 32-bit numbers)


def _microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class IndexPage:
    """The keys of a page of selected entries, in the programme's order."""

    activity_ids: list[int]
    # Each one's change number when the index was built: what its public JSON is kept under.
    change_numbers: list[int]
    total: int
    # Where the next page starts, as a cursor names it, when there is one.
    next_key: tuple[int, int] | None


class ProgrammeIndex:
    """One version of an edition's programme: ``activity_ids[p]`` is the entry at position ``p``
    in the programme's order, ``starts[p]`` its start, ``change_numbers[p]`` its change number,
    and each filter value (``("format", "workshop")``, ``("language", "sv")``) has the set of
    positions of the entries that have it; on PostgreSQL so has each word form of their
    searchable words (``("word", "kommun")``)."""

    def __init__(
        self,
        version_tag: str,
        activity_ids: array,
        change_numbers: array,
        starts: array,
        ends: array,
        sets: dict[tuple[str, str], BitMap],
    ) -> None:
        self.version_tag = version_tag
        self.activity_ids = activity_ids
        self.change_numbers = change_numbers
        self.starts = starts
        by_end = sorted(range(len(ends)), key=ends.__getitem__)
        self._ends_sorted = array("q", (ends[p] for p in by_end))
        self._positions_by_end = array("I", by_end)
        self._position_of = {activity_id: position for position, activity_id in enumerate(activity_ids)}
        self._sets = sets
        self._word_forms = sorted(value for name, value in sets if name == WORD)

    def __len__(self) -> int:
        return len(self.activity_ids)

    def selected(self, wanted: Mapping[str, Sequence[str]], *, starts_before: datetime | None = None, ends_after: datetime | None = None) -> BitMap:
        """The positions of the entries that have, for each filter in ``wanted``, one of its
        values, and that start before and end after the given moments."""
        before = len(self) if starts_before is None else bisect_left(self.starts, _microseconds(starts_before))
        chosen = BitMap(range(before))
        if ends_after is not None:
            chosen &= BitMap(self._positions_by_end[bisect_right(self._ends_sorted, _microseconds(ends_after)) :])
        for name, values in wanted.items():
            chosen &= BitMap.union(BitMap(), *(self._sets.get((name, value), BitMap()) for value in values))
        return chosen

    @property
    def knows_words(self) -> bool:
        return bool(self._word_forms)

    def with_words(self, queries: Sequence[str | None]) -> BitMap | None:
        """The positions of the entries that match every one of ``queries`` (each a word's
        tsquery as PostgreSQL writes it, None for a word it makes no term of, which nothing
        matches), as ``@@`` would find them; None when a query has a shape this does not read."""
        found: BitMap | None = None
        for query in queries:
            if query is not None and not _QUERY.fullmatch(query):
                return None
            terms = query.split(" | ") if query is not None else []
            matched = BitMap.union(BitMap(), *(self._with_all(_PREFIX.findall(term)) for term in terms))
            found = matched if found is None else found & matched
        return found if found is not None else BitMap()

    def _with_all(self, prefixes: list[str]) -> BitMap:
        found = self._starting_with(prefixes[0])
        for prefix in prefixes[1:]:
            found &= self._starting_with(prefix)
        return found

    def _starting_with(self, prefix: str) -> BitMap:
        """The entries with a word form that starts with ``prefix`` (``'prefix':*``)."""
        forms = self._word_forms[bisect_left(self._word_forms, prefix) : bisect_left(self._word_forms, prefix + "\U0010ffff")]
        return BitMap.union(BitMap(), *(self._sets[WORD, form] for form in forms))

    def positions_of(self, activity_ids: bytes | str | None) -> BitMap:
        """The positions of the entries :func:`gathered` found (those of this version)."""
        found = BitMap(map(self._position_of.get, _listed(activity_ids), repeat(_NOWHERE)))  # in C: 40 ns an id
        found.discard(_NOWHERE)
        return found

    def page(self, selected: BitMap, *, after: tuple[datetime, int] | None, limit: int) -> IndexPage:
        """The first ``limit`` of ``selected`` after the entry keyed ``after`` (start, id)."""
        first = self._position_after(after) if after is not None else 0
        skipped = selected.rank(first - 1) if first > 0 else 0
        taken = selected[skipped : skipped + limit + 1]
        positions = list(taken)[:limit]
        last = positions[-1] if len(taken) > limit else None
        return IndexPage(
            [self.activity_ids[p] for p in positions],
            [self.change_numbers[p] for p in positions],
            len(selected),
            (self.starts[last], self.activity_ids[last]) if last is not None else None,
        )

    def _position_after(self, key: tuple[datetime, int]) -> int:
        """The first position whose (start, id) comes after ``key``: ids are in order among
        the entries that start at the same moment."""
        start = _microseconds(key[0])
        return bisect_right(self.activity_ids, key[1], bisect_left(self.starts, start), bisect_right(self.starts, start))


def build(session: Session, edition_id: int, version_tag: str) -> ProgrammeIndex | None:
    """The index of the edition's programme as the database has it now, or None when it kept
    changing while it was read. It is read in two statements, each of which sees what was
    committed when it began: a change committed between them (every change takes the next
    change number) would leave the filters' positions off by one, so it is read again."""
    for _ in range(3):
        last_change = _last_change_number(session, edition_id)
        index = _read(session, edition_id, version_tag)
        if _last_change_number(session, edition_id) == last_change:
            return index
    return None


def _last_change_number(session: Session, edition_id: int) -> int | None:
    return session.scalar(sa.select(sa.func.max(ProgrammeEntry.change_number)).where(ProgrammeEntry.edition_id == edition_id))


def _read(session: Session, edition_id: int, version_tag: str) -> ProgrammeIndex:
    """The entries' keys in order, then each filter value's positions: the database numbers the
    entries and gathers the positions, a row per value rather than a hundred thousand rows
    through Python (seconds of a worker's time at that size)."""
    in_programme = (ProgrammeEntry.edition_id == edition_id, ProgrammeEntry.state == EntryState.UPDATED)
    order = (ProgrammeEntry.starts_at, ProgrammeEntry.activity_id)
    keys = sa.select(ProgrammeEntry.activity_id, ProgrammeEntry.change_number, ProgrammeEntry.starts_at, ProgrammeEntry.ends_at)
    activity_ids, change_numbers, starts, ends = array("q"), array("q"), array("q"), array("q")
    for activity_id, change_number, starts_at, ends_at in session.execute(keys.where(*in_programme).order_by(*order)):
        activity_ids.append(activity_id)
        change_numbers.append(change_number)
        starts.append(_microseconds(starts_at))
        ends.append(_microseconds(ends_at))
    position = (sa.func.row_number().over(order_by=order) - 1).label("position")
    columns = [_as_text(getattr(ProgrammeEntry, name)).label(name) for name in FILTERED_COLUMNS]
    numbered = sa.select(position, ProgrammeEntry.activity_id, *columns).where(*in_programme).cte("numbered").prefix_with("MATERIALIZED")
    positions = gathered(session, numbered.c.position)
    by_value = [sa.select(sa.literal(name), numbered.c[name], positions).group_by(numbered.c[name]) for name in FILTERED_COLUMNS]
    by_tag = (
        sa.select(ProgrammeTag.kind, ProgrammeTag.value, positions)
        .join(numbered, numbered.c.activity_id == ProgrammeTag.activity_id)
        .group_by(ProgrammeTag.kind, ProgrammeTag.value)
    )
    by_word = [_by_word(session, numbered)] if session.get_bind().dialect.name == "postgresql" else []
    groups = session.execute(sa.union_all(*by_value, by_tag, *by_word))
    sets = {(name, value): BitMap(_listed(found)) for name, value, found in groups if value is not None}
    return ProgrammeIndex(version_tag, activity_ids, change_numbers, starts, ends, sets)


def _by_word(session: Session, numbered: sa.CTE) -> sa.Select[Any]:
    """Each word form (lexeme) of the entries' searchable words, as PostgreSQL's full-text search
    made them (:data:`PROGRAMME_WORDS`), with its entries' positions."""
    words = PROGRAMME_WORDS.c
    forms = (
        sa.select(numbered.c.position, sa.func.unnest(sa.func.tsvector_to_array(words.words)).label("lexeme"))
        .join(PROGRAMME_WORDS, words.activity_id == numbered.c.activity_id)
        .subquery()
    )
    return sa.select(sa.literal(WORD), forms.c.lexeme, gathered(session, forms.c.position)).group_by(forms.c.lexeme)


def _as_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    """A filter value as the API's query names it: an enum's value, a flag as true/false."""
    if column.type.python_type is bool:
        return sa.case((column, "true"), else_="false")
    return sa.cast(column, sa.String)


def gathered(session: Session, numbers: sa.ColumnElement[int]) -> sa.ColumnElement[Any]:
    """The numbers of a group of rows as one value: on PostgreSQL their 4-byte binary forms one
    after another (read into an array at C speed, where an array of a hundred thousand numbers
    took psycopg 6 ms to read into Python numbers), JSON text on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.string_agg(sa.func.int4send(sa.cast(numbers, sa.Integer)), sa.literal(b""))
    return sa.func.json_group_array(numbers)


def _listed(numbers: bytes | str | None) -> Sequence[int]:
    """What :func:`gathered` gave, as numbers (None: no rows)."""
    if numbers is None:
        return []
    if isinstance(numbers, str):
        return orjson.loads(numbers)
    found = array("I", numbers)
    if sys.byteorder == "little":  # int4send writes them big-endian
        found.byteswap()
    return found


@dataclass
class ProgrammeIndexes:
    """This process's index of each edition's programme, rebuilt for a new version at most every
    ``rebuild_seconds`` (0: on the first read of every version)."""

    rebuild_seconds: float
    clock: Callable[[], float] = time.monotonic
    _kept: dict[int, ProgrammeIndex] = field(default_factory=dict)
    _built_at: dict[int, float] = field(default_factory=dict)  # the last attempt, by edition
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, session: Session, edition_id: int, version_tag: str) -> ProgrammeIndex | None:
        """The index of this version, or None while one was built too recently to build again."""
        kept = self._kept.get(edition_id)
        if kept is not None and kept.version_tag == version_tag:
            return kept
        if self.clock() - self._built_at.get(edition_id, -math.inf) < self.rebuild_seconds:
            return None
        with self._lock:
            self._built_at[edition_id] = self.clock()
            index = build(session, edition_id, version_tag)
            if index is not None:
                self._kept[edition_id] = index
        return index
