"""Organisers see and export their own participants (every read logged); coordinators see counts
only; organisers close and reopen registration."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from innovationsweek.audit import AuditEntry
from innovationsweek.registrations.models import PersonalDataAccess
from tests.conftest import problem_of
from tests.registrations.conftest import participant, publish, register


@pytest.fixture
def activity_id(client, runtime, open_week) -> int:
    activity_id = publish(client, runtime, open_week, capacity=2)
    register(client, activity_id, participant("anna@example.org", name="Anna Åberg", workplace="Linköpings kommun"))
    register(client, activity_id, participant("bo@example.org", name="Bo Öst", phone=None, photo_consent=False))
    register(client, activity_id, participant("cilla@example.org", name="=HYPERLINK(\"http://evil.example\")", phone="+46 70-123 45 67"))
    return activity_id


def access_log(runtime) -> list[tuple[str, str, int]]:
    with runtime.database.sessions() as session:
        rows = session.scalars(sa.select(PersonalDataAccess).order_by(PersonalDataAccess.id))
        return [(row.actor_label, row.action, row.records) for row in rows]


def test_organisers_see_their_participants_and_each_read_is_logged(client, runtime, open_week, activity_id):
    response = client.get(f"/api/v1/activities/{activity_id}/registrations", headers=open_week.colleague)

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    assert [(p["name"], p["email"], p["status"]) for p in body["items"]] == [
        ("Anna Åberg", "anna@example.org", "confirmed"),
        ("Bo Öst", "bo@example.org", "confirmed"),
        ('=HYPERLINK("http://evil.example")', "cilla@example.org", "waitlisted"),
    ]
    first = body["items"][0]
    assert (first["workplace"], first["position"], first["phone"], first["photo_consent"]) == (
        "Linköpings kommun",
        "Verksamhetsutvecklare",
        "+46 13 22 20 00",
        True,
    )
    assert first["consent_version"] == "2026-1" and first["registered_at"] and first["consented_at"]
    assert access_log(runtime) == [("Kim", "list", 3)]


@pytest.mark.parametrize("how", [{"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}])
def test_the_export_is_a_spreadsheet_excel_reads_in_swedish(client, runtime, open_week, activity_id, how):
    headers = {**open_week.organiser, **how.get("headers", {})}
    response = client.get(f"/api/v1/activities/{activity_id}/registrations", headers=headers, query_string=how.get("query_string"))

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["name", "email", "workplace", "position", "phone", "photo consent", "status", "registered at", "consent version"]
    assert rows[1][:7] == ["Anna Åberg", "anna@example.org", "Linköpings kommun", "Verksamhetsutvecklare", "+46 13 22 20 00", "yes", "confirmed"]
    assert rows[2][4:7] == ["", "no", "confirmed"]
    # A formula typed as a name is shown, not run; a phone number stays a phone number.
    assert rows[3][0] == "'=HYPERLINK(\"http://evil.example\")" and rows[3][4] == "+46 70-123 45 67"
    assert rows[1][8] == "2026-1"
    assert len(rows) == 4
    assert access_log(runtime) == [("Olga", "export", 3)]


def test_coordinators_see_counts_not_people(client, runtime, open_week, activity_id):
    people = client.get(f"/api/v1/activities/{activity_id}/registrations", headers=open_week.coordinator)
    counts = client.get(f"/api/v1/activities/{activity_id}/registrations/summary", headers=open_week.coordinator)

    assert people.status_code == 403
    problem_of(people)
    assert counts.status_code == 200
    assert counts.get_json() == {
        "activity_id": activity_id,
        "mode": "internal",
        "capacity": 2,
        "registration_closed": False,
        "confirmed": 2,
        "waitlisted": 1,
        "cancelled": 0,
    }
    assert "anna" not in counts.get_data(as_text=True)
    assert access_log(runtime) == []  # counts are no personal data


def test_other_organisations_see_neither_people_nor_counts(client, open_week, activity_id):
    for url in (f"/api/v1/activities/{activity_id}/registrations", f"/api/v1/activities/{activity_id}/registrations/summary"):
        response = client.get(url, headers=open_week.outsider)
        assert response.status_code == 404  # the organisers' view of the activity is not theirs to see
        assert client.get(url).status_code == 401
    assert client.get("/api/v1/activities/999999/registrations", headers=open_week.organiser).status_code == 404


def test_closing_and_reopening_registration_is_audited(client, runtime, open_week, activity_id):
    closed = client.post(f"/api/v1/activities/{activity_id}/registration/close", headers=open_week.organiser)
    again = client.post(f"/api/v1/activities/{activity_id}/registration/close", headers=open_week.organiser)
    outsider = client.post(f"/api/v1/activities/{activity_id}/registration/open", headers=open_week.outsider)
    reopened = client.post(f"/api/v1/activities/{activity_id}/registration/open", headers=open_week.organiser)

    assert (closed.status_code, closed.get_json()["registration_closed"]) == (200, True)
    assert again.status_code == 200
    assert outsider.status_code == 404
    assert (reopened.status_code, reopened.get_json()["registration_closed"]) == (200, False)
    with runtime.database.sessions() as session:
        actions = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.activity_id == activity_id, AuditEntry.action.like("registration_%")).order_by(AuditEntry.id)
        )
        assert list(actions) == ["registration_closed", "registration_opened"]
