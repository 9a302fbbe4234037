"""The read path's memory: a revalidation and a repeated read need no database, and a change is
seen at once after its commit, also through the remembered answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from innovationsweek.app import create_app
from innovationsweek.programme.cache import LOCAL_STATE_SECONDS
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.runtime import Runtime
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.programme.test_programme import PROGRAMME, published

STATISTICS = "/api/v1/editions/test-week/statistics"


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    event.listen(runtime.database.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", note)


def test_a_revalidation_asks_the_database_nothing(client, runtime, week):
    published(client, runtime, week)
    first = client.get(PROGRAMME)
    with statements(runtime) as sent:
        again = client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert sent == []


@pytest.mark.parametrize("path", [PROGRAMME, f"{PROGRAMME}?format=webcast&language=sv", STATISTICS])
def test_a_read_asked_for_again_is_served_as_rendered_without_the_database(client, runtime, week, path):
    published(client, runtime, week)
    first, second = client.get(path), client.get(path)
    with statements(runtime) as sent:
        third = client.get(path)
    assert sent == []
    assert third.status_code == 200
    assert third.data == first.data == second.data
    assert third.headers["ETag"] == first.headers["ETag"]
    assert third.headers["Content-Type"] == first.headers["Content-Type"]


@pytest.mark.parametrize("path", [STATISTICS, "/api/v1/editions/test-week/programme.atom", "/api/v1/editions/test-week/programme.ics"])
def test_a_costly_answer_the_same_for_everyone_is_kept_from_its_first_request(client, runtime, week, path):
    published(client, runtime, week)
    first = client.get(path).data  # read to its end, as a client does
    with statements(runtime) as sent, client.get(path) as second:
        assert second.data == first
    assert sent == []


def test_a_kept_answer_keeps_its_link_to_the_next_page(client, runtime, week):
    published(client, runtime, week)
    published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    answers = [client.get(f"{PROGRAMME}?limit=1") for _ in range(3)]
    assert answers[2].headers["Link"] == answers[0].headers["Link"]
    assert 'rel="next"' in answers[2].headers["Link"]


def test_a_published_change_is_seen_at_once_by_the_next_read(client, runtime, week):
    published(client, runtime, week)
    before = [client.get(PROGRAMME) for _ in range(3)][-1]
    second = published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    after = client.get(PROGRAMME, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert second in [item["id"] for item in after.get_json()["items"]]
    assert after.get_json()["total"] == 2


def test_an_edited_edition_changes_the_answers_of_its_programme(client, runtime, week):
    published(client, runtime, week)
    before = [client.get(PROGRAMME) for _ in range(3)][-1]
    response = client.patch("/api/v1/editions/test-week", json={"programme_open": False}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()
    assert client.get(PROGRAMME, headers={"If-None-Match": before.headers["ETag"]}).status_code == 404


def test_a_change_committed_by_another_process_is_seen_within_a_second(client, runtime, week, settings):
    published(client, runtime, week)
    elsewhere = Runtime(settings)
    try:
        reader = create_app(runtime=elsewhere).test_client()
        before = [reader.get(PROGRAMME) for _ in range(3)][-1]
        published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
        time.sleep(LOCAL_STATE_SECONDS + 0.1)
        after = reader.get(PROGRAMME, headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200
        assert after.get_json()["total"] == 2
    finally:
        elsewhere.close()


def test_without_redis_the_programme_is_read_from_the_database(client, runtime, week, settings):
    published(client, runtime, week)
    unreachable = Runtime(settings.__class__(**{**vars(settings), "redis_url": "redis://127.0.0.1:1/0"}))
    try:
        reader = create_app(runtime=unreachable).test_client()
        answers = [reader.get(PROGRAMME) for _ in range(2)]
        assert [answer.status_code for answer in answers] == [200, 200]
        assert answers[1].get_json()["total"] == 1
        assert reader.get(PROGRAMME, headers={"If-None-Match": answers[0].headers["ETag"]}).status_code == 304
    finally:
        unreachable.close()


ICS = "/api/v1/editions/test-week/programme.ics"


def exported(settings) -> list[str]:
    return sorted(path.name for path in (settings.instance_path / "exports" / "test-week").glob("*.ics"))


def test_the_whole_calendar_is_written_once_per_version_and_served_from_its_file(client, runtime, week, settings):
    published(client, runtime, week)
    first = client.get(ICS).data
    [written] = exported(settings)
    with statements(runtime) as sent, client.get(ICS) as again:
        assert again.data == first
    assert sent == []
    published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    changed = client.get(ICS).data
    assert changed.count(b"BEGIN:VEVENT") == 2
    assert exported(settings) != [written] and len(exported(settings)) == 1


def stored_events(runtime) -> dict[int, tuple[str | None, str | None]]:
    with runtime.database.unit_of_work() as session:
        rows = session.execute(sa.select(ProgrammeEntry.activity_id, ProgrammeEntry.calendar_event, ProgrammeEntry.calendar_base_url))
        return {activity_id: (event, base) for activity_id, event, base in rows}


def test_the_whole_calendar_is_the_events_rendered_when_each_entry_was_published(client, runtime, week, settings):
    activity_id = published(client, runtime, week)
    event, base = stored_events(runtime)[activity_id]
    assert base == settings.public_url
    assert event.startswith("BEGIN:VEVENT") and event.encode() in client.get(ICS).data
    with runtime.database.unit_of_work() as session:  # as only a stored event can differ from a fresh one
        session.execute(sa.update(ProgrammeEntry).values(calendar_event=event.replace("SUMMARY:", "SUMMARY:Kept ")))
    published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    assert b"SUMMARY:Kept " in client.get(ICS).data


def test_an_event_kept_for_another_address_is_rendered_again(client, runtime, week):
    activity_id = published(client, runtime, week)
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(ProgrammeEntry).values(calendar_base_url="https://old.example"))
    one_event = client.get(f"/api/v1/programme/activities/{activity_id}.ics").data
    whole = client.get(ICS).data
    assert whole.count(b"BEGIN:VEVENT") == 1
    assert one_event[one_event.index(b"BEGIN:VEVENT"):one_event.index(b"END:VCALENDAR")] in whole


def test_a_calendar_download_broken_off_leaves_no_file(client, runtime, week, settings):
    published(client, runtime, week)
    response = client.get(ICS, buffered=False)
    next(iter(response.response))
    response.close()
    assert exported(settings) == []
    assert client.get(ICS).data.count(b"BEGIN:VEVENT") == 1
    assert len(exported(settings)) == 1


def test_the_total_is_counted_once_per_version_and_filters(client, runtime, week):
    published(client, runtime, week)
    published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    first = client.get(f"{PROGRAMME}?limit=1").get_json()
    with statements(runtime) as sent:
        second = client.get(f"{PROGRAMME}?limit=1&cursor={first['next_cursor']}").get_json()
    assert first["total"] == second["total"] == 2
    assert not any("count(" in statement.lower() for statement in sent)
    published(client, runtime, week, title="Tredje", starts_at=week.at(3, 9), ends_at=week.at(3, 10))
    assert client.get(f"{PROGRAMME}?limit=1&cursor={first['next_cursor']}").get_json()["total"] == 3
