"""Changes to editions, coordinators, organisations and their members are in the audit log with
whoever made them, field by field, written with the change (a refused change leaves none)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.conftest import PASSWORD, problem_of

EDITION = "/api/v1/editions/test-week"
ORGANISATIONS = "/api/v1/organisations"


@pytest.fixture
def admin(people) -> dict[str, str]:
    people.create("ada@example.org", name="Ada Admin", admin=True)
    return people.headers("ada@example.org")


def entries(client, path: str, headers: dict[str, str], **query) -> list[dict]:
    response = client.get(path, headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def user_id(client, headers: dict[str, str]) -> int:
    return client.get("/api/v1/auth/me", headers=headers).get_json()["id"]


def test_changing_an_edition_records_each_changed_field_before_and_after(client, week):
    notice = {"sv": "Vi sparar dina uppgifter i 30 dagar."}
    starts_at = week.starts_at + timedelta(days=1)
    response = client.patch(
        EDITION,
        json={
            "retention_days": 30,
            "privacy_notice": notice,
            "privacy_notice_version": "2",
            "programme_open": False,
            "starts_at": starts_at.isoformat(),
            "name": {"sv": "Testveckan"},  # as it was: not a change
        },
        headers=week.coordinator,
    )
    assert response.status_code == 200, response.get_json()

    [entry] = entries(client, f"{EDITION}/audit-log", week.coordinator, action="edition_changed")
    assert entry["actor"] == "Marianne"
    assert entry["actor_id"] == user_id(client, week.coordinator)
    assert entry["edition_id"] is not None and entry["activity_id"] is None
    assert entry["detail"]["changes"] == {
        "retention_days": {"before": 180, "after": 30},
        "privacy_notice": {"before": {}, "after": notice},
        "privacy_notice_version": {"before": "1", "after": "2"},
        "programme_open": {"before": True, "after": False},
        "starts_at": {"before": week.starts_at.isoformat(), "after": starts_at.isoformat()},
    }


def test_an_edition_patched_to_what_it_is_records_nothing(client, week):
    assert client.patch(EDITION, json={"programme_open": True}, headers=week.coordinator).status_code == 200
    assert entries(client, f"{EDITION}/audit-log", week.coordinator) == []


def test_a_refused_change_leaves_no_entry(client, week):
    response = client.patch(EDITION, json={"timezone": "Europe/Atlantis", "retention_days": 30}, headers=week.coordinator)
    assert response.status_code == 422
    assert entries(client, f"{EDITION}/audit-log", week.coordinator) == []


def test_moderation_settings_changes_are_recorded_before_and_after(client, week):
    response = client.patch(
        f"{EDITION}/moderation-settings",
        json={"fast_lane": True, "trusted_organisation_ids": [week.organisation_id]},
        headers=week.coordinator,
    )
    assert response.status_code == 200, response.get_json()
    [entry] = entries(client, f"{EDITION}/audit-log", week.coordinator, action="moderation_settings_changed")
    assert entry["actor"] == "Marianne"
    assert entry["detail"]["changes"] == {
        "fast_lane": {"before": False, "after": True},
        "trusted_organisation_ids": {"before": [], "after": [week.organisation_id]},
    }


def test_adding_and_removing_a_coordinator_is_recorded(client, week, admin):
    kim = user_id(client, week.colleague)
    assert client.post(f"{EDITION}/coordinators", json={"email": "kim@linkoping.se"}, headers=admin).status_code == 201
    assert client.delete(f"{EDITION}/coordinators/{kim}", headers=admin).status_code == 204

    log = entries(client, f"{EDITION}/audit-log", week.coordinator)
    assert [(e["action"], e["actor"], e["detail"]) for e in log] == [
        ("coordinator_added", "Ada Admin", {"user_id": kim}),
        ("coordinator_removed", "Ada Admin", {"user_id": kim}),
    ]


def test_an_organisations_changes_and_members_are_recorded(client, week, admin):
    path = f"{ORGANISATIONS}/{week.organisation_id}"
    ulf, kim = user_id(client, week.outsider), user_id(client, week.colleague)
    assert client.patch(path, json={"region": "Skåne", "website": "https://www.linkoping.se"}, headers=week.organiser).status_code == 200
    assert client.post(f"{path}/members", json={"email": "ulf@umea.se"}, headers=week.organiser).status_code == 201
    assert client.post(f"{path}/members", json={"email": "ulf@umea.se", "role": "owner"}, headers=week.organiser).status_code == 201
    assert client.delete(f"{path}/members/{ulf}", headers=week.organiser).status_code == 204
    assert client.delete(f"{path}/members/{kim}", headers=week.colleague).status_code == 204  # leaves on her own

    log = entries(client, f"{path}/audit-log", week.organiser)
    assert [(e["action"], e["actor"], e["organisation_id"], e["detail"]) for e in log] == [
        (
            "organisation_changed",
            "Olga",
            week.organisation_id,
            {"changes": {"region": {"before": "Östergötland", "after": "Skåne"}, "website": {"before": None, "after": "https://www.linkoping.se"}}},
        ),
        ("member_added", "Olga", week.organisation_id, {"user_id": ulf, "role": "member"}),
        ("member_role_changed", "Olga", week.organisation_id, {"user_id": ulf, "changes": {"role": {"before": "member", "after": "owner"}}}),
        ("member_removed", "Olga", week.organisation_id, {"user_id": ulf, "role": "owner"}),
        ("member_removed", "Kim", week.organisation_id, {"user_id": kim, "role": "member"}),
    ]


def test_creating_and_deleting_an_organisation_is_recorded_and_admins_read_it_after(client, week, admin):
    created = client.post(ORGANISATIONS, json={"name": "Region Skåne", "kind": "region", "country": "SE"}, headers=week.outsider)
    organisation_id = created.get_json()["id"]
    assert client.delete(f"{ORGANISATIONS}/{organisation_id}", headers=week.outsider).status_code == 204

    log = entries(client, "/api/v1/audit-log", admin, organisation_id=organisation_id)
    assert [(e["action"], e["actor"], e["organisation_id"]) for e in log] == [
        ("organisation_created", "Ulf", organisation_id),
        ("organisation_deleted", "Ulf", organisation_id),
    ]


def test_a_refused_member_change_leaves_no_entry(client, week):
    path = f"{ORGANISATIONS}/{week.organisation_id}"
    olga = user_id(client, week.organiser)
    response = client.delete(f"{path}/members/{olga}", headers=week.organiser)  # the last owner
    assert response.status_code == 409
    assert entries(client, f"{path}/audit-log", week.organiser) == []


def test_only_owners_and_admins_read_an_organisations_log(client, week, admin):
    path = f"{ORGANISATIONS}/{week.organisation_id}/audit-log"
    assert client.get(path, headers=week.organiser).status_code == 200
    assert client.get(path, headers=admin).status_code == 200
    for someone in (week.colleague, week.outsider, week.coordinator):  # a member, another organisation, a coordinator
        assert problem_of(client.get(path, headers=someone))["status"] == 403
    assert client.get(f"{ORGANISATIONS}/99999/audit-log", headers=admin).status_code == 404


def test_only_admins_read_the_whole_log_and_coordinators_only_their_editions(client, week, admin):
    assert client.get("/api/v1/audit-log", headers=admin).status_code == 200
    for someone in (week.coordinator, week.organiser):
        assert client.get("/api/v1/audit-log", headers=someone).status_code == 403
    assert client.get(f"{EDITION}/audit-log", headers=week.organiser).status_code == 403
    assert client.get(f"{EDITION}/audit-log", headers=admin).status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=yesterday", "from"),
        ("to=2026-01-01T00:00:00", "to"),  # no offset
        ("activity_id=first", "activity_id"),
        ("activity_id=99999999999", "activity_id"),
        ("limit=0", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("actor=Olga", "actor"),
    ],
)
def test_bad_filters_are_422_naming_the_parameter(client, week, admin, query, parameter):
    for path in (f"{EDITION}/audit-log", "/api/v1/audit-log", f"{ORGANISATIONS}/{week.organisation_id}/audit-log"):
        response = client.get(f"{path}?{query}", headers=admin)
        assert response.status_code == 422, (path, response.get_json())
        assert parameter in [error.get("parameter") for error in problem_of(response)["errors"]]


def test_a_range_that_ends_before_it_starts_selects_nothing(client, week, admin):
    assert client.patch(EDITION, json={"retention_days": 30}, headers=week.coordinator).status_code == 200
    assert client.patch(f"{ORGANISATIONS}/{week.organisation_id}", json={"website": "https://example.org"}, headers=week.organiser).status_code == 200
    for path in (f"{EDITION}/audit-log", "/api/v1/audit-log", f"{ORGANISATIONS}/{week.organisation_id}/audit-log"):
        assert entries(client, path, admin, **{"from": "2000-01-01T00:00:00Z"}), path
        assert entries(client, path, admin, **{"from": "2000-01-01T00:00:00Z", "to": "2000-01-01T00:00:00Z"}) == [], path


def test_deleting_an_account_records_it_leaving_its_organisations_and_editions(client, week, admin):
    kim = user_id(client, week.colleague)
    assert client.post(f"{EDITION}/coordinators", json={"email": "kim@linkoping.se"}, headers=admin).status_code == 201
    response = client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.colleague)
    assert response.status_code == 204, response.get_json()

    organisation_log = entries(client, f"{ORGANISATIONS}/{week.organisation_id}/audit-log", week.organiser)
    assert [(e["action"], e["actor"], e["actor_id"], e["detail"]) for e in organisation_log] == [
        ("member_removed", "Kim", None, {"user_id": kim, "role": "member", "reason": "account_deleted"}),
    ]
    edition_log = entries(client, f"{EDITION}/audit-log", week.coordinator, action="coordinator_removed")
    assert [(e["actor"], e["detail"]) for e in edition_log] == [("Kim", {"user_id": kim, "reason": "account_deleted"})]
