"""The programme's index in memory (programme.index) chooses, orders and counts the same pages as
the database does, on PostgreSQL and on the embedded SQLite, and is rebuilt for a new version
of the programme no more often than it is told."""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from pyroaring import BitMap

from innovationsweek import demo, migrate
from innovationsweek.activities.models import AttendanceMode, Format
from innovationsweek.config import Settings
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import OrganisationKind
from innovationsweek.programme import index as programme_index
from innovationsweek.programme import service as programme
from innovationsweek.programme.index import ProgrammeIndex, ProgrammeIndexes
from innovationsweek.programme.service import ProgrammeFilters
from innovationsweek.runtime import Runtime


@pytest.fixture(params=["postgresql", "sqlite"])
def demo_runtime(request, tmp_path: Path):
    if request.param == "postgresql":
        runtime = request.getfixturevalue("runtime")
    else:
        runtime = Runtime(Settings(instance_path=tmp_path / "embedded"))
        migrate.upgrade(runtime.database.engine)
    with runtime.database.unit_of_work() as session:
        demo.load_demo(session, password="demo-password")
    yield runtime
    if request.param == "sqlite":
        runtime.close()


def _queries(edition: Edition) -> list[ProgrammeFilters]:
    first_day = edition.starts_at.date()
    return [
        ProgrammeFilters(),
        ProgrammeFilters(formats=[Format.WORKSHOP]),
        ProgrammeFilters(formats=[Format.WEBCAST, Format.LECTURE], languages=["sv"]),
        ProgrammeFilters(attendance_modes=[AttendanceMode.ONLINE]),
        ProgrammeFilters(organisation_kinds=[OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]),
        ProgrammeFilters(languages=["en", "da"]),
        ProgrammeFilters(audiences=["citizens"], themes=["spread", "involve"]),
        ProgrammeFilters(regions=["Östergötland", "Skåne"]),
        ProgrammeFilters(municipalities=["Linköping"]),
        ProgrammeFilters(featured=True),
        ProgrammeFilters(cancelled=False),
        ProgrammeFilters(cancelled=True),
        ProgrammeFilters(q="innovation"),
        ProgrammeFilters(q="kommun", formats=[Format.WORKSHOP, Format.DIALOGUE_MEETING]),
        ProgrammeFilters(q="xyzzy"),
        ProgrammeFilters(q="kommunernas"),
        ProgrammeFilters(q="digital innovation"),
        ProgrammeFilters(q="välfärd", languages=["sv"]),
        ProgrammeFilters(q="Öppen"),
        ProgrammeFilters(q="och"),
        ProgrammeFilters(q="—"),
        ProgrammeFilters(starts_from=first_day + timedelta(days=1)),
        ProgrammeFilters(starts_to=first_day + timedelta(days=1), languages=["sv"]),
        ProgrammeFilters(starts_from=first_day + timedelta(days=2), starts_to=first_day + timedelta(days=1)),
        ProgrammeFilters(regions=["Nowhere"]),
    ]


def _every_page(session, edition: Edition, filters: ProgrammeFilters, index: ProgrammeIndex | None) -> list[tuple[list[int], int]]:
    pages, cursor = [], None
    while True:
        page = programme.programme_page(session, edition, filters, cursor=cursor, limit=3, index=index)
        pages.append(([entry.activity_id for entry in page.items], page.total))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_the_index_gives_the_pages_and_totals_the_database_gives(demo_runtime):
    found = 0
    with demo_runtime.database.sessions() as session:
        for edition in session.query(Edition).filter(Edition.programme_open):
            index = programme_index.build(session, edition.id, "demo")
            # On PostgreSQL the index matches words itself, against the forms PostgreSQL made.
            assert index.knows_words == (session.get_bind().dialect.name == "postgresql")
            for filters in _queries(edition):
                by_index = _every_page(session, edition, filters, index)
                assert by_index == _every_page(session, edition, filters, None), filters
                found += sum(len(ids) for ids, _ in by_index)
    assert found > 50  # the demo's programmes are in it, so the comparison compared something


def _index(starts: list[int], ids: list[int], tag: str = "v") -> ProgrammeIndex:
    """An index of entries that start at ``starts`` (minutes) with ``ids``, an hour long."""
    moment = datetime(2030, 9, 30, 8, tzinfo=timezone.utc)
    micro = [programme_index._microseconds(moment + timedelta(minutes=m)) for m in starts]
    return ProgrammeIndex(
        tag,
        array("q", ids),
        array("q", (10 * i for i in ids)),
        array("q", micro),
        array("q", (m + 3_600_000_000 for m in micro)),
        {("format", "workshop"): BitMap(range(0, len(ids), 2))},
    )


def test_a_cursor_among_entries_that_start_together_continues_after_its_id():
    index = _index([0, 0, 0, 30, 30], [4, 7, 9, 2, 5])
    everything = index.selected({})
    seen, after = [], None
    while True:
        page = index.page(everything, after=after, limit=2)
        seen += page.activity_ids
        assert page.total == 5
        assert page.change_numbers == [10 * i for i in page.activity_ids]
        if page.next_key is None:
            break
        start, activity_id = page.next_key
        after = (programme_index._EPOCH + timedelta(microseconds=start), activity_id)
    assert seen == [4, 7, 9, 2, 5]
    workshops = index.selected({"format": ["workshop"]})
    assert index.page(workshops, after=None, limit=10).activity_ids == [4, 9, 5]
    # A cursor between two of them (an id of no entry) continues after it all the same.
    moment = datetime(2030, 9, 30, 8, tzinfo=timezone.utc)
    assert index.page(everything, after=(moment, 8), limit=10).activity_ids == [9, 2, 5]


def test_a_changed_programme_is_read_from_the_database_until_the_index_may_be_rebuilt(monkeypatch):
    now = [1000.0]
    builds: list[str] = []
    monkeypatch.setattr(programme_index, "build", lambda session, edition_id, tag: builds.append(tag) or _index([0], [1], tag))
    indexes = ProgrammeIndexes(rebuild_seconds=60, clock=lambda: now[0])
    assert indexes.current(None, 1, "v1") is not None
    assert indexes.current(None, 1, "v1") is not None
    now[0] += 59
    assert indexes.current(None, 1, "v2") is None  # built a minute ago: the database answers
    now[0] += 2
    assert indexes.current(None, 1, "v2") is not None
    assert builds == ["v1", "v2"]


def test_a_pages_entries_are_read_once_by_change_number_and_never_stale(runtime):
    memory = runtime.programme_cache
    stored = {1: (5, '{"id":1,"v":5}'), 2: (7, '{"id":2,"v":7}')}
    asked: list[list[int]] = []

    def load(activity_ids: list[int]) -> dict[int, tuple[int, str]]:
        asked.append(activity_ids)
        return {i: stored[i] for i in activity_ids if i in stored}

    assert memory.public_texts([(1, 5), (2, 7)], load) == [b'{"id":1,"v":5}', b'{"id":2,"v":7}']
    assert memory.public_texts([(2, 7), (1, 5)], load) == [b'{"id":2,"v":7}', b'{"id":1,"v":5}']
    assert asked == [[1, 2]]  # the second page needed no query
    # Changed since the index was built: given as it is now. Withdrawn since: left out.
    stored[1] = (9, '{"id":1,"v":9}')
    del stored[2]
    assert memory.public_texts([(1, 6), (2, 8)], load) == [b'{"id":1,"v":9}']
    assert memory.public_texts([(1, 9)], load) == [b'{"id":1,"v":9}']
    assert asked == [[1, 2], [1, 2]]


def test_a_change_committed_while_the_index_is_read_is_read_again(runtime):
    with runtime.database.unit_of_work() as session:
        demo.load_demo(session, password="demo-password")
    engine = runtime.database.engine
    moved: list[int] = []

    def publish_meanwhile(_connection, _cursor, statement: str, *_args) -> None:
        # After the entries' keys are read, before their filters are: another process publishes
        # a change that moves the first entry to the end of the programme.
        if moved or "programme_entries.change_number, programme_entries.starts_at" not in statement:
            return
        with engine.begin() as other:
            first, edition_id = other.execute(sa.text(
                "SELECT activity_id, edition_id FROM programme_entries WHERE state = 'updated' ORDER BY starts_at, activity_id LIMIT 1"
            )).one()
            other.execute(sa.text(
                "UPDATE programme_entries SET starts_at = starts_at + interval '300 days',"
                " change_number = (SELECT max(change_number) + 1 FROM programme_entries WHERE edition_id = :edition) WHERE activity_id = :id"
            ), {"edition": edition_id, "id": first})
        moved.append(first)

    sa.event.listen(engine, "after_cursor_execute", publish_meanwhile)
    try:
        with runtime.database.sessions() as session:
            edition_id = session.scalar(sa.text("SELECT edition_id FROM programme_entries WHERE state = 'updated' ORDER BY starts_at, activity_id LIMIT 1"))
            index = programme_index.build(session, edition_id, "v")
    finally:
        sa.event.remove(engine, "after_cursor_execute", publish_meanwhile)
    with runtime.database.sessions() as session:
        now = programme_index.build(session, edition_id, "v")
    assert moved and index.activity_ids[-1] == moved[0]
    assert (index.activity_ids, index.change_numbers, index._sets) == (now.activity_ids, now.change_numbers, now._sets)


def test_a_query_of_a_shape_the_index_does_not_read_is_left_to_the_database():
    index = ProgrammeIndex(
        "v", array("q", [1, 2]), array("q", [1, 2]), array("q", [0, 1]), array("q", [5, 6]),
        {("word", "innovation"): BitMap([0]), ("word", "innovera"): BitMap([1]), ("word", "kommun"): BitMap([1])},
    )
    assert list(index.with_words(["'innov':*"])) == [0, 1]
    assert list(index.with_words(["'innov':* & 'kommun':* | 'xyz':*"])) == [1]
    assert list(index.with_words(["'innov':*", "'kommun':*"])) == [1]
    assert list(index.with_words([None])) == []
    assert index.with_words(["'innov' <-> 'kommun'"]) is None
