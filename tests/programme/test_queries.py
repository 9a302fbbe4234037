"""The programme's database path, for when no remembered answer can help: words found by
PostgreSQL's full-text search, an index for every filter, and a statement count that does not
grow with the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from innovationsweek.api.programme import ProgrammeQuerySchema, programme_filters
from innovationsweek.editions.models import Edition
from innovationsweek.programme import service as programme
from innovationsweek.programme.models import FILTERED_COLUMNS, EntryState, ProgrammeEntry, ProgrammeTag
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.programme.test_cache import statements
from tests.programme.test_programme import PROGRAMME, published


def ids(client, query: str) -> list[int]:
    response = client.get(f"{PROGRAMME}?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_words_are_found_by_their_start_and_their_swedish_or_danish_stem(client, runtime, week):
    swedish = published(client, runtime, week, title="Kommunerna sprider välfärdsteknik", summary="Digitala medarbetare i hemtjänsten.")
    danish = published(
        client, runtime, week, title="Åbne værksteder for borgerne", summary="Kommunerne viser deres løsninger.",
        starts_at=week.at(2, 9), ends_at=week.at(2, 10),
    )
    assert ids(client, "q=välfärd") == [swedish]  # the start of a word
    assert ids(client, "q=kommun") == [swedish, danish]
    assert ids(client, "q=kommunernas") == [swedish, danish]  # the stem of "kommunerna" and "kommunerne"
    assert ids(client, "q=medarbetarna") == [swedish]  # Swedish stem of "medarbetare"
    assert ids(client, "q=borgere") == [danish]  # Danish stem of "borgerne"
    assert ids(client, "q=værkstedet") == [danish]  # Danish stem of "værksteder"
    assert ids(client, "q=medarbetare hemtjänst") == [swedish]  # every word must match
    assert ids(client, "q=medarbetare borgerne") == []


@pytest.mark.parametrize("q", ["100%", "a_b", "x' OR '1'='1", "ord & | ! :* <->", "(((", "\\"])
def test_search_syntax_in_a_query_is_only_text(client, runtime, week, q):
    published(client, runtime, week)
    response = client.get(PROGRAMME, query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["items"] == []


def _load(session: sa.orm.Session, edition_id: int, organisation_id: int, count: int, data: dict | None = None) -> None:
    """``count`` published entries, straight into the programme's tables, as a big week has;
    ``data`` is their public face (that of a published activity, for the pages)."""
    start = session.get(Edition, edition_id).starts_at
    session.execute(
        sa.text(
            "INSERT INTO activities (id, edition_id, organisation_id, status, version, title, summary, description, "
            "description_was_sanitised, format, attendance_mode, starts_at, ends_at, languages, audiences, themes, topics, "
            "contact_email_public, registration_mode, featured, registration_closed, created_at, updated_at) "
            "VALUES (:id, :edition, :org, 'published', 1, 't', '', '', false, 'lecture', 'in_person', :starts, :ends, "
            "'[\"sv\"]', '[]', '[]', '[]', false, 'none', false, false, now(), now())"
        ),
        [{"id": 10_000 + n, "edition": edition_id, "org": organisation_id, "starts": start + timedelta(minutes=n), "ends": start + timedelta(minutes=n + 60)} for n in range(count)],
    )
    session.add_all(
        ProgrammeEntry(
            activity_id=10_000 + n, edition_id=edition_id, change_number=10_000 + n, state=EntryState.UPDATED,
            data={**(data or {}), "id": 10_000 + n, "languages": ["sv"], "audiences": [], "themes": _themes(n)}, starts_at=start + timedelta(minutes=n), ends_at=start + timedelta(minutes=n + 60),
            format="lecture", attendance_mode="in_person", region=f"Region {n % 20}", municipality=f"Kommun {n % 200}",
            organisation_kind="municipality", search_text=f"aktivitet nummer {n} kommun {n % 200}",
            tags=[ProgrammeTag(kind="language", value="sv"), *(ProgrammeTag(kind="theme", value=theme) for theme in _themes(n))],
        )
        for n in range(count)
    )


def _themes(n: int) -> list[str]:
    """One of ten common themes, and a rare one on every hundredth entry."""
    return [f"theme{n % 10}", *(["rare"] if n % 100 == 0 else [])]


# Every filter the API offers, one at a time and in combinations partners use, with the index
# that should find its rows (the listing's own index alone would walk the whole programme).
BY = "ix_programme_entries_by_"
QUERIES = [
    ("", "ix_programme_entries_listing"),
    ("format=exhibition", f"{BY}format"),
    ("attendance_mode=online", f"{BY}attendance_mode"),
    ("region=Region 3", f"{BY}region"),
    ("municipality=Kommun 7", f"{BY}municipality"),
    ("organisation_kind=region", f"{BY}organisation_kind"),
    ("featured=true", f"{BY}featured"),
    ("cancelled=true", f"{BY}cancelled"),
    ("language=da", "ix_programme_entries_tags"),
    ("theme=rare", "ix_programme_entries_tags"),
    ("audience=citizens", "ix_programme_entries_tags"),
    ("q=2917", "ix_programme_entries_words"),
    ("format=exhibition&language=sv", f"{BY}format"),
    ("municipality=Kommun 7&theme=theme3", f"{BY}municipality"),
    ("municipality=Kommun 7&q=aktivitet", f"{BY}municipality"),
    ("theme=theme3&language=da", "ix_programme_entries_tags"),
]


@pytest.mark.parametrize(("query", "index"), QUERIES)
def test_every_filter_is_served_by_an_index(runtime, week, query, index):
    """Each filter's page and count read their rows from an index that selects them."""
    with runtime.database.unit_of_work() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        _load(session, edition.id, week.organisation_id, 3000)
    with runtime.database.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE programme_entries; ANALYZE programme_tags"))
        connection.commit()
    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        plans = _plans(session, edition, _filters(query))
    # The count and the page; one statement finds both when a filter selects few rows.
    assert len(plans) == (1 if query else 2)
    # Counting a whole programme reads all of it anyway; only its page must come in order.
    for plan in plans if query else plans[1:]:
        assert "Seq Scan on programme_" not in plan, plan
        assert index in plan, plan


@pytest.mark.parametrize("query", ["region=Region 3&format=lecture", "municipality=Kommun 7&theme=theme3", "region=Region 3&language=sv"])
def test_a_count_of_two_filters_reads_no_row(runtime, week, query):
    """The second filter is checked in the first one's index (its covered columns): counting
    reads no 2.5 kB row per entry the first filter selects, once the table is vacuumed. At this
    size a whole-table scan is as cheap, so the planner is kept to indexes read in order."""
    with runtime.database.unit_of_work() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        _load(session, edition.id, week.organisation_id, 3000)
    with runtime.database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE programme_entries"))
    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        session.execute(sa.text("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off"))
        count_plan = _plans(session, edition, _filters(query), analyze=True)[0]
    assert "Index Only Scan" in count_plan and "Heap Fetches: 0" in count_plan, count_plan


def test_a_word_is_searched_once_for_each_distinct_stem(runtime):
    """Its prefix in Swedish, Danish and as written, each term once: the planner adds up the
    terms' frequencies, and a word given three times looked three times as common."""
    with runtime.database.engine.connect() as connection:
        query = connection.scalar(sa.text("SELECT programme_search_query('kommunerna')::text"))
        same = connection.scalar(sa.text("SELECT programme_search_query('innovation')::text"))
    assert sorted(query.split(" | ")) == ["'kommun':*", "'kommunerna':*"]
    assert same == "'innovation':*"


MULTIPLE = {"format", "attendance_mode", "region", "municipality", "organisation_kind", "audience", "theme", "language"}


def _filters(query: str) -> programme.ProgrammeFilters:
    args = dict(pair.split("=") for pair in query.split("&") if pair)
    loaded = ProgrammeQuerySchema().load({key: [value] if key in MULTIPLE else value for key, value in args.items()})
    loaded.pop("limit")
    loaded.pop("cursor", None)
    return programme_filters(loaded)


def _plans(session: sa.orm.Session, edition: Edition, filters: programme.ProgrammeFilters, *, analyze: bool = False) -> list[str]:
    """The plans PostgreSQL makes for the programme page's own statements (as run, ``analyze``)."""
    sent: list[tuple[str, object]] = []

    @sa.event.listens_for(session.get_bind(), "before_cursor_execute")
    def note(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "programme_entries" in statement:
            sent.append((statement, parameters))

    try:
        programme.programme_page(session, edition, filters, cursor=None, limit=50)
    finally:
        sa.event.remove(session.get_bind(), "before_cursor_execute", note)
    connection = session.connection().connection.driver_connection
    return ["\n".join(row[0] for row in connection.execute(f"EXPLAIN {'(ANALYZE) ' if analyze else ''}{statement}", parameters).fetchall()) for statement, parameters in sent]


def test_the_filtered_columns_each_have_an_index():
    indexed = {index.name for index in ProgrammeEntry.__table__.indexes}
    assert {f"ix_programme_entries_by_{column}" for column in FILTERED_COLUMNS} <= indexed


@pytest.mark.parametrize("path", [PROGRAMME, "/editions/test-week"])
def test_the_statements_of_a_page_do_not_grow_with_its_size(client, runtime, week, path):
    model = published(client, runtime, week)
    with runtime.database.unit_of_work() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == week.slug))
        _load(session, edition.id, week.organisation_id, 120, data=session.get(ProgrammeEntry, model).data)

    def counted(limit: int) -> int:
        with statements(runtime) as sent:
            assert client.get(f"{path}?limit={limit}").status_code == 200
        return len(sent)

    counted(1)  # the edition's version is remembered from here on
    assert counted(5) == counted(100) <= 4
