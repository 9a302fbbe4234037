"""The personal-data access log through the API: the edition's coordinators and administrators
read who saw, exported or erased participants' data, filtered by activity and time, page by page."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from innovationsweek.registrations.models import PersonalDataAccess
from tests.conftest import EDITION, problem_of
from tests.test_audit import admin  # noqa: F401 (fixture)

ACCESS_LOG = "/api/v1/editions/test-week/access-log"
ALL = "/api/v1/access-log"


@pytest.fixture
def two_activities(client, data) -> tuple[int, int]:
    """Two activities with registrations; the organisers list the first and export the second,
    and a participant asks for her data."""
    first = data.activity(data.week.starts_at, data.week.starts_at + timedelta(hours=1))
    second = data.activity(data.week.starts_at, data.week.starts_at + timedelta(hours=2))
    data.register(first, "anna@example.org")
    data.register(first, "bo@example.org")
    data.register(second, "anna@example.org")
    assert client.get(f"/api/v1/activities/{first}/registrations", headers=data.week.organiser).status_code == 200
    assert client.get(f"/api/v1/activities/{second}/registrations?format=csv", headers=data.week.colleague).status_code == 200
    assert client.post("/api/v1/privacy/data-requests", json={"email": "anna@example.org"}).status_code == 202
    return first, second


def read(client, path: str, headers: dict[str, str], **query) -> list[tuple]:
    response = client.get(path, headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return [(e["actor"], e["action"], e["activity_id"], e["records"]) for e in response.get_json()["items"]]


def test_coordinators_read_who_saw_their_editions_participants(client, data, two_activities):
    first, second = two_activities
    by_participant = "the participant (by email)"
    assert read(client, ACCESS_LOG, data.week.coordinator) == [
        ("Olga", "list", first, 2),
        ("Kim", "export", second, 1),
        (by_participant, "data_request", first, 1),
        (by_participant, "data_request", second, 1),
    ]
    assert read(client, ACCESS_LOG, data.week.coordinator, activity_id=second) == [
        ("Kim", "export", second, 1),
        (by_participant, "data_request", second, 1),
    ]
    assert read(client, ACCESS_LOG, data.week.coordinator, action="export") == [("Kim", "export", second, 1)]


def test_the_log_filters_by_time(client, runtime, data, two_activities):
    with runtime.database.unit_of_work() as session:
        first_id = session.scalar(sa.select(sa.func.min(PersonalDataAccess.id)))
        session.execute(
            sa.update(PersonalDataAccess).where(PersonalDataAccess.id == first_id).values(at=datetime(2026, 1, 5, 12, tzinfo=timezone.utc))
        )
    january = {"from": "2026-01-01T00:00:00+01:00", "to": "2026-02-01T00:00:00+01:00"}
    assert [action for _, action, _, _ in read(client, ACCESS_LOG, data.week.coordinator, **january)] == ["list"]
    assert [action for _, action, _, _ in read(client, ACCESS_LOG, data.week.coordinator, **{"from": "2026-02-01T00:00:00Z"})] == [
        "export",
        "data_request",
        "data_request",
    ]


def test_the_log_is_cursor_paged(client, data, two_activities):
    first = client.get(f"{ACCESS_LOG}?limit=3", headers=data.week.coordinator)
    body = first.get_json()
    assert (len(body["items"]), body["total"]) == (3, 4)
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(first.headers["Link"].split(";")[0].strip("<>"), headers=data.week.coordinator).get_json()
    assert len(second["items"]) == 1 and second["items"][0]["id"] > body["items"][-1]["id"]
    assert second["next_cursor"] is None


def test_only_the_editions_coordinators_and_admins_read_it(client, data, two_activities, admin):
    for someone in (data.week.organiser, data.week.outsider):
        assert problem_of(client.get(ACCESS_LOG, headers=someone))["status"] == 403
    assert client.post("/api/v1/editions", json=EDITION | {"slug": "other-week"}, headers=admin).status_code == 201
    assert client.get("/api/v1/editions/other-week/access-log", headers=admin).get_json()["items"] == []
    assert len(read(client, ACCESS_LOG, admin)) == 4
    assert len(read(client, ALL, admin)) == 4
    assert problem_of(client.get(ALL, headers=data.week.coordinator))["status"] == 403
    assert client.get("/api/v1/editions/no-such-week/access-log", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=last-week", "from"),
        ("activity_id=-1", "activity_id"),
        ("limit=201", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("edition=test-week", "edition"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(client, data, admin, query, parameter):
    for path in (ACCESS_LOG, ALL):
        response = client.get(f"{path}?{query}", headers=admin)
        assert response.status_code == 422, (path, response.get_json())
        assert parameter in [error.get("parameter") for error in problem_of(response)["errors"]]


def test_a_range_that_ends_before_it_starts_reads_nothing(client, data, admin, two_activities):
    for path in (ACCESS_LOG, ALL):
        assert client.get(f"{path}?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", headers=admin).get_json()["items"], path
        response = client.get(f"{path}?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", headers=admin)  # the same, swapped
        assert response.status_code == 200, (path, response.get_json())
        assert response.get_json()["items"] == []
