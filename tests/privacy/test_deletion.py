"""Deleting an account or an organisation takes away the people, never the programme."""

from __future__ import annotations

import sqlalchemy as sa

from innovationsweek.accounts.models import AccessToken, User
from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.audit import AuditEntry
from innovationsweek.organisations.models import Membership
from tests.conftest import PASSWORD, problem_of

ACTIVITIES = "/api/v1/editions/test-week/activities"
PROGRAMME = "/api/v1/editions/test-week/programme"


def create(client, week, headers, **overrides) -> int:
    response = client.post(ACTIVITIES, json=week.webcast(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def user_id(runtime, email: str) -> int | None:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(User.id).where(User.email == email))


def activity(runtime, activity_id: int) -> Activity:
    with runtime.database.sessions() as session:
        return session.get(Activity, activity_id)


# --- accounts -------------------------------------------------------------------------------


def test_deleting_my_account_keeps_my_activities_and_the_programme(client, runtime, data, week):
    published = create(client, week, week.colleague, title="Kims webbsändning")
    data.publish(published)
    kim = user_id(runtime, "kim@linkoping.se")

    response = client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.colleague)

    assert response.status_code == 204
    assert user_id(runtime, "kim@linkoping.se") is None
    assert client.get("/api/v1/auth/me", headers=week.colleague).status_code == 401
    with runtime.database.sessions() as session:
        assert session.scalars(sa.select(Membership).where(Membership.user_id == kim)).all() == []
        assert session.scalars(sa.select(AccessToken).where(AccessToken.user_id == kim)).all() == []
        created = session.scalar(sa.select(AuditEntry).where(AuditEntry.activity_id == published, AuditEntry.action == "created"))
        assert (created.actor_id, created.actor_label) == (None, "Kim")
    kept = activity(runtime, published)
    assert (kept.status, kept.created_by_id) == (ActivityStatus.PUBLISHED, None)
    [item] = client.get(PROGRAMME).get_json()["items"]
    assert (item["id"], item["title"], item["organiser"]["name"]) == (published, "Kims webbsändning", "Linköpings kommun")


def test_deleting_my_account_needs_my_password(client, runtime, week):
    wrong = client.delete("/api/v1/auth/me", json={"password": "not my password"}, headers=week.colleague)
    missing = client.delete("/api/v1/auth/me", json={}, headers=week.colleague)

    assert wrong.status_code == 403
    assert problem_of(wrong)["errors"] == [{"detail": "The password is wrong.", "pointer": "/password"}]
    assert missing.status_code == 422
    assert user_id(runtime, "kim@linkoping.se") is not None


def test_the_last_owner_of_an_organisation_with_members_must_hand_it_on_first(client, runtime, week):
    refused = client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.organiser)

    assert refused.status_code == 409
    problem = problem_of(refused)
    assert problem["organisations"] == [{"id": week.organisation_id, "name": "Linköpings kommun"}]
    assert f"POST /api/v1/organisations/{week.organisation_id}/members" in problem["detail"]
    assert user_id(runtime, "olga@linkoping.se") is not None

    client.post(f"/api/v1/organisations/{week.organisation_id}/members", json={"email": "kim@linkoping.se", "role": "owner"}, headers=week.organiser)
    assert client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.organiser).status_code == 204
    assert client.get(f"/api/v1/organisations/{week.organisation_id}/members", headers=week.colleague).get_json()["total"] == 1


def test_the_only_member_of_an_organisation_may_leave_it_behind(client, runtime, week):
    response = client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.outsider)

    assert response.status_code == 204
    assert client.get(f"/api/v1/organisations/{week.other_organisation_id}", headers=week.organiser).status_code == 200


def test_an_administrator_deletes_an_account_without_its_password(client, runtime, people, week):
    people.create("admin@example.org", admin=True)
    admin = people.headers("admin@example.org")
    kim = user_id(runtime, "kim@linkoping.se")

    assert client.delete(f"/api/v1/users/{kim}", headers=week.organiser).status_code == 403
    assert client.delete(f"/api/v1/users/{kim}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/users/{kim}", headers=admin).status_code == 404
    olga = user_id(runtime, "olga@linkoping.se")
    assert client.delete(f"/api/v1/users/{olga}", headers=admin).status_code == 204  # kim has gone: nobody is stranded


# --- organisations --------------------------------------------------------------------------


def test_deleting_an_organisation_hides_it_and_keeps_its_published_activity_in_the_programme(client, runtime, data, week):
    published = create(client, week, week.organiser, title="Publicerad")
    data.publish(published)
    draft = create(client, week, week.organiser, title="Utkast")
    before = client.get(PROGRAMME).get_json()["items"]

    response = client.delete(f"/api/v1/organisations/{week.organisation_id}", headers=week.organiser)

    assert response.status_code == 204
    names = [o["name"] for o in client.get("/api/v1/organisations", headers=week.outsider).get_json()["items"]]
    assert names == ["Umeå kommun"]
    assert client.get(f"/api/v1/organisations/{week.organisation_id}", headers=week.outsider).status_code == 404
    assert client.get("/api/v1/auth/me", headers=week.organiser).get_json()["organisations"] == []
    # The programme is untouched: same entry, same host name, same change number.
    assert client.get(PROGRAMME).get_json()["items"] == before
    assert before[0]["organiser"]["name"] == "Linköpings kommun"
    assert activity(runtime, published).status == ActivityStatus.PUBLISHED
    assert activity(runtime, draft).status == ActivityStatus.WITHDRAWN
    with runtime.database.sessions() as session:
        withdrawn = session.scalar(sa.select(AuditEntry).where(AuditEntry.activity_id == draft, AuditEntry.action == "withdraw"))
        assert withdrawn.detail["reason"] == "organisation_deleted"
    # Its former owner, a member of nothing now, may go too.
    assert client.delete("/api/v1/auth/me", json={"password": PASSWORD}, headers=week.organiser).status_code == 204


def test_only_owners_and_administrators_delete_an_organisation(client, people, runtime, week):
    people.create("admin@example.org", admin=True)
    path = f"/api/v1/organisations/{week.organisation_id}"

    assert client.delete(path, headers=week.colleague).status_code == 403  # a member, not an owner
    assert client.delete(path, headers=week.outsider).status_code == 403
    assert client.delete(path, headers=people.headers("admin@example.org")).status_code == 204
    assert client.delete(path, headers=people.headers("admin@example.org")).status_code == 404
