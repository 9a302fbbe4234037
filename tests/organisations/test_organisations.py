"""Organisations over HTTP: creating, finding, changing, and managing members."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import count_rows, problem_of

ORGANISATIONS = "/api/v1/organisations"


def organisation(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Linköpings kommun",
        "kind": "municipality",
        "country": "SE",
        "region": "Östergötland",
        "website": "https://www.linkoping.se",
    } | fields


def create(client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post(ORGANISATIONS, json=organisation(**fields), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def members_of(client, headers: dict[str, str], organisation_id: int) -> dict[str, str]:
    response = client.get(f"{ORGANISATIONS}/{organisation_id}/members", headers=headers)
    assert response.status_code == 200, response.get_json()
    return {member["email"]: member["role"] for member in response.get_json()["items"]}


def pointers(body: dict[str, Any]) -> set[str]:
    return {error["pointer"] for error in body["errors"]}


@pytest.fixture
def owner(people) -> dict[str, str]:
    people.create("owner@example.org", name="Olga Owner")
    return people.headers("owner@example.org")


@pytest.fixture
def member(people) -> dict[str, str]:
    people.create("member@example.org", name="Mats Member")
    return people.headers("member@example.org")


@pytest.fixture
def outsider(people) -> dict[str, str]:
    people.create("outsider@example.org", name="Ulla Outsider")
    return people.headers("outsider@example.org")


@pytest.fixture
def admin(people) -> dict[str, str]:
    people.create("admin@example.org", name="Alva Admin", admin=True)
    return people.headers("admin@example.org")


@pytest.fixture
def linkoping(client, owner, member) -> dict[str, Any]:
    """Linköpings kommun, owned by owner@ with member@ as a plain member."""
    created = create(client, owner)
    response = client.post(
        f"{ORGANISATIONS}/{created['id']}/members", json={"email": "member@example.org"}, headers=owner
    )
    assert response.status_code == 201
    return created


def user_id(people, email: str) -> int:
    return people.actor(email).user.id


# Creating


def test_creating_an_organisation_makes_the_creator_its_owner(client, owner):
    created = create(client, owner)

    assert created == created | organisation()
    assert isinstance(created["id"], int)
    members = client.get(f"{ORGANISATIONS}/{created['id']}/members", headers=owner).get_json()
    assert members["total"] == 1
    assert members["items"][0] | {"since": None, "user_id": None} == {
        "user_id": None, "name": "Olga Owner", "email": "owner@example.org", "role": "owner", "since": None
    }
    me = client.get("/api/v1/auth/me", headers=owner).get_json()
    assert me["organisations"] == [{"id": created["id"], "name": "Linköpings kommun", "role": "owner"}]


def test_any_signed_in_person_can_read_an_organisation(client, owner, outsider):
    created = create(client, owner)

    response = client.get(f"{ORGANISATIONS}/{created['id']}", headers=outsider)

    assert response.status_code == 200
    assert response.get_json() == created


def test_region_and_website_are_optional(client, owner):
    created = create(client, owner, name="Coompanion", kind="civil_society", region=None, website=None)
    assert created["region"] is None and created["website"] is None

    body = organisation(name="Välfärdsteknik Norr AB", kind="company")
    del body["region"], body["website"]
    response = client.post(ORGANISATIONS, json=body, headers=owner)
    assert response.status_code == 201
    assert response.get_json()["kind"] == "company"


def test_country_code_is_stored_in_upper_case(client, owner):
    created = create(client, owner, name="Aalborg Kommune", country="dk")
    assert created["country"] == "DK"


def test_surrounding_spaces_are_trimmed_from_the_name(client, owner, runtime):
    created = create(client, owner, name="  Malmö stad ")
    assert created["name"] == "Malmö stad"

    response = client.post(ORGANISATIONS, json=organisation(name="Malmö stad"), headers=owner)

    assert response.status_code == 409
    assert count_rows(runtime, "organisations") == 1


def test_a_blank_name_is_422(client, owner, runtime):
    response = client.post(ORGANISATIONS, json=organisation(name="   "), headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/name"}
    assert count_rows(runtime, "organisations") == 0


def test_duplicate_name_in_the_same_country_is_409_naming_the_name(client, owner, outsider, runtime):
    create(client, owner)

    response = client.post(ORGANISATIONS, json=organisation(), headers=outsider)

    body = problem_of(response)
    assert response.status_code == 409
    assert body["errors"][0]["pointer"] == "/name"
    assert "Linköpings kommun" in body["detail"]
    assert count_rows(runtime, "organisations") == 1
    assert count_rows(runtime, "memberships") == 1
    assert client.get("/api/v1/auth/me", headers=outsider).get_json()["organisations"] == []


def test_the_same_name_in_another_country_is_allowed(client, owner, runtime):
    create(client, owner, name="Region Syd", country="SE")

    danish = create(client, owner, name="Region Syd", country="DK")

    assert danish["country"] == "DK"
    assert count_rows(runtime, "organisations") == 2


def test_unknown_kind_is_422_pointing_at_kind(client, owner, runtime):
    response = client.post(ORGANISATIONS, json=organisation(kind="parish"), headers=owner)

    body = problem_of(response)
    assert response.status_code == 422
    assert [error["pointer"] for error in body["errors"]] == ["/kind"]
    assert count_rows(runtime, "organisations") == 0


@pytest.mark.parametrize("country", ["SWE", "S", "", "S1", "12", "Sweden", None])
def test_a_bad_country_code_is_422(client, owner, runtime, country):
    response = client.post(ORGANISATIONS, json=organisation(country=country), headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/country"}
    assert count_rows(runtime, "organisations") == 0


def test_every_invalid_field_is_listed(client, owner, runtime):
    body = {"name": "", "kind": "parish", "country": "Sweden", "region": "", "website": "ftp://example.org"}

    response = client.post(ORGANISATIONS, json=body, headers=owner)

    problem = problem_of(response)
    assert response.status_code == 422
    assert pointers(problem) == {"/name", "/kind", "/country", "/region", "/website"}
    assert all(error["detail"] for error in problem["errors"])
    assert count_rows(runtime, "organisations") == 0


def test_missing_required_fields_are_each_listed(client, owner):
    response = client.post(ORGANISATIONS, json={}, headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/name", "/kind", "/country"}


def test_an_unknown_field_is_422(client, owner, runtime):
    response = client.post(ORGANISATIONS, json=organisation(budget=1000), headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/budget"}
    assert count_rows(runtime, "organisations") == 0


def test_the_id_cannot_be_chosen_by_the_caller(client, owner, runtime):
    response = client.post(ORGANISATIONS, json=organisation(id=4711), headers=owner)

    assert response.status_code == 422
    assert count_rows(runtime, "organisations") == 0


# Who may call


def test_anonymous_callers_get_401_problem_with_www_authenticate(client, owner, runtime):
    created = create(client, owner)

    for response in (
        client.get(ORGANISATIONS),
        client.post(ORGANISATIONS, json=organisation(name="Umeå kommun")),
        client.get(f"{ORGANISATIONS}/{created['id']}"),
        client.patch(f"{ORGANISATIONS}/{created['id']}", json={"name": "Hijacked"}),
        client.get(f"{ORGANISATIONS}/{created['id']}/members"),
    ):
        assert response.status_code == 401
        assert problem_of(response)["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count_rows(runtime, "organisations") == 1
    assert client.get(f"{ORGANISATIONS}/{created['id']}", headers=owner).get_json()["name"] == "Linköpings kommun"


def test_an_unknown_token_is_401(client):
    response = client.get(ORGANISATIONS, headers={"Authorization": "Bearer not-a-real-token"})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_partner_api_key_cannot_create_or_change_organisations(client, owner, admin, runtime):
    created = create(client, owner)
    key = client.post(
        "/api/v1/partners", json={"name": "Partner", "contact_email": "p@example.org"}, headers=admin
    ).get_json()["api_key"]
    partner = {"Authorization": f"Bearer {key}"}

    assert client.post(ORGANISATIONS, json=organisation(name="Umeå kommun"), headers=partner).status_code == 403
    assert client.patch(f"{ORGANISATIONS}/{created['id']}", json={"name": "X"}, headers=partner).status_code == 403
    assert count_rows(runtime, "organisations") == 1


# Listing


@pytest.fixture
def several(client, owner, outsider) -> None:
    create(client, owner, name="Linköpings kommun", kind="municipality", country="SE")
    create(client, owner, name="Region Skåne", kind="region", country="SE")
    create(client, outsider, name="Aalborg Kommune", kind="municipality", country="DK")
    create(client, outsider, name="Region Syddanmark", kind="region", country="DK")
    create(client, outsider, name="100% Innovation AB", kind="company", country="SE")


def names(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == len(body["items"])
    return [item["name"] for item in body["items"]]


def test_list_shows_every_organisation_by_name(client, owner, several):
    assert names(client.get(ORGANISATIONS, headers=owner)) == [
        "100% Innovation AB", "Aalborg Kommune", "Linköpings kommun", "Region Skåne", "Region Syddanmark"
    ]


def test_list_filters_by_kind(client, owner, several):
    assert names(client.get(f"{ORGANISATIONS}?kind=region", headers=owner)) == ["Region Skåne", "Region Syddanmark"]


def test_list_filters_by_country_in_any_case(client, owner, several):
    assert names(client.get(f"{ORGANISATIONS}?country=dk", headers=owner)) == ["Aalborg Kommune", "Region Syddanmark"]
    assert names(client.get(f"{ORGANISATIONS}?country=SE&kind=municipality", headers=owner)) == ["Linköpings kommun"]


def test_list_filters_by_part_of_the_name_ignoring_case(client, owner, several):
    assert names(client.get(f"{ORGANISATIONS}?q=KOMMUN", headers=owner)) == ["Aalborg Kommune", "Linköpings kommun"]
    assert names(client.get(f"{ORGANISATIONS}?q=nowhere", headers=owner)) == []


def test_list_name_filter_treats_wildcards_literally(client, owner, several):
    assert names(client.get(ORGANISATIONS, query_string={"q": "%"}, headers=owner)) == ["100% Innovation AB"]
    assert names(client.get(ORGANISATIONS, query_string={"q": "_"}, headers=owner)) == []


def test_list_mine_shows_only_organisations_the_caller_belongs_to(client, owner, outsider, several):
    assert names(client.get(f"{ORGANISATIONS}?mine=true", headers=owner)) == ["Linköpings kommun", "Region Skåne"]
    assert names(client.get(f"{ORGANISATIONS}?mine=true&country=DK", headers=outsider)) == [
        "Aalborg Kommune", "Region Syddanmark"
    ]
    assert len(names(client.get(f"{ORGANISATIONS}?mine=false", headers=owner))) == 5


@pytest.mark.parametrize(
    "query, parameter", [("kind=parish", "kind"), ("country=SWE", "country"), ("mine=perhaps", "mine")]
)
def test_list_with_a_bad_filter_is_422_naming_the_parameter(client, owner, query, parameter):
    response = client.get(f"{ORGANISATIONS}?{query}", headers=owner)

    assert response.status_code == 422
    assert [error["parameter"] for error in problem_of(response)["errors"]] == [parameter]


def test_demo_organisations_can_be_filtered(client, demo_data, people):
    organiser = people.headers("organiser@example.org")

    danish = names(client.get(f"{ORGANISATIONS}?country=DK", headers=organiser))
    assert danish == [
        "Aalborg Kommune", "Center for Offentlig Innovation", "Kolding Kommune", "Københavns Kommune",
        "Region Syddanmark", "Roskilde Universitet",
    ]
    assert names(client.get(f"{ORGANISATIONS}?mine=true", headers=organiser)) == ["Linköpings kommun"]
    assert names(client.get(f"{ORGANISATIONS}?kind=national_coordinator&country=SE", headers=organiser)) == [
        "Sveriges Kommuner och Landsting"
    ]


# Reading one


def test_get_of_a_missing_organisation_is_404(client, owner):
    response = client.get(f"{ORGANISATIONS}/999999", headers=owner)

    assert response.status_code == 404
    assert problem_of(response)["instance"] == f"{ORGANISATIONS}/999999"


# Changing


def test_an_owner_can_change_the_organisation(client, owner, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"website": "https://linkoping.se/innovation", "region": None}, headers=owner)

    assert response.status_code == 200
    assert response.get_json() | {"updated_at": None} == linkoping | {
        "website": "https://linkoping.se/innovation", "region": None, "updated_at": None
    }
    assert client.get(url, headers=owner).get_json()["website"] == "https://linkoping.se/innovation"


def test_a_plain_member_cannot_change_the_organisation(client, member, owner, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"name": "Linköping"}, headers=member)

    assert response.status_code == 403
    problem_of(response)
    assert client.get(url, headers=owner).get_json() == linkoping


def test_a_non_member_cannot_change_the_organisation(client, outsider, owner, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"name": "Linköping"}, headers=outsider)

    assert response.status_code == 403
    assert client.get(url, headers=owner).get_json() == linkoping


def test_a_non_owner_gets_403_before_any_validation_of_the_change(client, outsider, linkoping):
    response = client.patch(f"{ORGANISATIONS}/{linkoping['id']}", json={"name": "   "}, headers=outsider)
    assert response.status_code == 403


def test_an_admin_can_change_any_organisation(client, admin, owner, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"kind": "region", "name": "Region Östergötland"}, headers=admin)

    assert response.status_code == 200
    assert client.get(url, headers=owner).get_json() | {"updated_at": None} == linkoping | {
        "kind": "region", "name": "Region Östergötland", "updated_at": None
    }


@pytest.mark.parametrize("field", ["name", "kind", "country"])
def test_patch_with_null_for_a_required_field_is_422(client, owner, linkoping, field):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={field: None}, headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {f"/{field}"}
    assert client.get(url, headers=owner).get_json() == linkoping


def test_patch_with_an_invalid_value_changes_nothing(client, owner, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"region": "Skåne", "kind": "parish"}, headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/kind"}
    assert client.get(url, headers=owner).get_json() == linkoping


def test_renaming_to_a_name_taken_in_the_same_country_is_409(client, owner, linkoping):
    create(client, owner, name="Norrköpings kommun")
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"name": "Norrköpings kommun"}, headers=owner)

    assert response.status_code == 409
    assert problem_of(response)["errors"][0]["pointer"] == "/name"
    assert client.get(url, headers=owner).get_json()["name"] == "Linköpings kommun"


def test_moving_to_a_country_where_the_name_is_taken_is_409(client, owner, linkoping):
    create(client, owner, name="Linköpings kommun", country="DK")
    url = f"{ORGANISATIONS}/{linkoping['id']}"

    response = client.patch(url, json={"country": "dk"}, headers=owner)

    assert response.status_code == 409
    assert client.get(url, headers=owner).get_json()["country"] == "SE"


def test_patching_the_unchanged_name_is_not_a_conflict(client, owner, linkoping):
    response = client.patch(
        f"{ORGANISATIONS}/{linkoping['id']}", json={"name": " Linköpings kommun ", "country": "se"}, headers=owner
    )

    assert response.status_code == 200
    assert response.get_json()["name"] == "Linköpings kommun"


def test_patch_of_a_missing_organisation_is_404(client, admin):
    response = client.patch(f"{ORGANISATIONS}/999999", json={"name": "Nothing"}, headers=admin)
    assert response.status_code == 404
    problem_of(response)


# Members


def test_an_owner_adds_a_member_by_the_email_of_an_existing_account(client, people, owner, outsider, runtime):
    created = create(client, owner)

    response = client.post(
        f"{ORGANISATIONS}/{created['id']}/members", json={"email": "Outsider@Example.org"}, headers=owner
    )

    assert response.status_code == 201
    assert response.get_json() | {"since": None} == {
        "user_id": user_id(people, "outsider@example.org"),
        "name": "Ulla Outsider",
        "email": "outsider@example.org",
        "role": "member",
        "since": None,
    }
    assert members_of(client, owner, created["id"]) == {"owner@example.org": "owner", "outsider@example.org": "member"}
    me = client.get("/api/v1/auth/me", headers=outsider).get_json()
    assert me["organisations"] == [{"id": created["id"], "name": "Linköpings kommun", "role": "member"}]
    assert count_rows(runtime, "memberships") == 2


def test_members_are_listed_owners_first(client, owner, linkoping, outsider):
    client.post(
        f"{ORGANISATIONS}/{linkoping['id']}/members", json={"email": "outsider@example.org", "role": "owner"},
        headers=owner,
    )

    items = client.get(f"{ORGANISATIONS}/{linkoping['id']}/members", headers=owner).get_json()["items"]

    assert [(item["name"], item["role"]) for item in items] == [
        ("Olga Owner", "owner"), ("Ulla Outsider", "owner"), ("Mats Member", "member")
    ]


def test_adding_an_unknown_email_is_422_naming_it_and_adds_nobody(client, owner, runtime):
    created = create(client, owner)

    response = client.post(
        f"{ORGANISATIONS}/{created['id']}/members", json={"email": "nobody@example.org"}, headers=owner
    )

    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["pointer"] == "/email"
    assert count_rows(runtime, "memberships") == 1


@pytest.mark.parametrize("body, pointer", [
    ({"email": "not-an-email"}, "/email"),
    ({"email": "member@example.org", "role": "chair"}, "/role"),
    ({}, "/email"),
])
def test_adding_a_member_with_invalid_fields_is_422(client, owner, member, runtime, body, pointer):
    created = create(client, owner)

    response = client.post(f"{ORGANISATIONS}/{created['id']}/members", json=body, headers=owner)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {pointer}
    assert count_rows(runtime, "memberships") == 1


def test_an_owner_changes_a_members_role(client, owner, member, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}/members"

    response = client.post(url, json={"email": "member@example.org", "role": "owner"}, headers=owner)

    assert response.status_code == 201
    assert response.get_json()["role"] == "owner"
    assert members_of(client, owner, linkoping["id"]) == {"owner@example.org": "owner", "member@example.org": "owner"}
    # The promoted member may now change the organisation.
    assert client.patch(f"{ORGANISATIONS}/{linkoping['id']}", json={"region": "Ö"}, headers=member).status_code == 200


def test_a_plain_member_cannot_add_members(client, member, owner, outsider, linkoping, runtime):
    response = client.post(
        f"{ORGANISATIONS}/{linkoping['id']}/members", json={"email": "outsider@example.org"}, headers=member
    )

    assert response.status_code == 403
    assert count_rows(runtime, "memberships") == 2


def test_a_plain_member_cannot_promote_themselves(client, member, owner, linkoping):
    response = client.post(
        f"{ORGANISATIONS}/{linkoping['id']}/members", json={"email": "member@example.org", "role": "owner"},
        headers=member,
    )

    assert response.status_code == 403
    assert members_of(client, owner, linkoping["id"])["member@example.org"] == "member"


def test_members_see_the_member_list_but_outsiders_do_not(client, member, outsider, admin, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}/members"

    assert client.get(url, headers=member).status_code == 200
    assert client.get(url, headers=admin).get_json()["total"] == 2
    response = client.get(url, headers=outsider)
    assert response.status_code == 403
    assert "items" not in response.get_json()


def test_an_admin_can_add_members_to_any_organisation(client, admin, owner, outsider, linkoping):
    response = client.post(
        f"{ORGANISATIONS}/{linkoping['id']}/members", json={"email": "outsider@example.org"}, headers=admin
    )

    assert response.status_code == 201
    assert "outsider@example.org" in members_of(client, owner, linkoping["id"])


def test_a_member_may_leave_by_themselves(client, people, member, owner, linkoping):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'member@example.org')}", headers=member
    )

    assert response.status_code == 204
    assert members_of(client, owner, linkoping["id"]) == {"owner@example.org": "owner"}
    assert client.get("/api/v1/auth/me", headers=member).get_json()["organisations"] == []
    assert client.get(f"{ORGANISATIONS}/{linkoping['id']}/members", headers=member).status_code == 403


def test_a_member_cannot_remove_others(client, people, member, owner, linkoping, runtime):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'owner@example.org')}", headers=member
    )

    assert response.status_code == 403
    problem_of(response)
    assert count_rows(runtime, "memberships") == 2


def test_an_outsider_cannot_remove_members(client, people, outsider, linkoping, runtime):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'member@example.org')}", headers=outsider
    )

    assert response.status_code == 403
    assert count_rows(runtime, "memberships") == 2


def test_an_outsider_cannot_probe_who_is_a_member(client, people, outsider, linkoping):
    """To someone who may not remove members, a non-member's id answers 403 like a member's."""
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'outsider@example.org')}", headers=outsider
    )
    assert response.status_code == 404  # the outsider asked about themselves: they may know they are not a member

    response = client.delete(f"{ORGANISATIONS}/{linkoping['id']}/members/999999", headers=outsider)
    assert response.status_code == 403


def test_an_owner_removes_a_member(client, people, owner, member, linkoping):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'member@example.org')}", headers=owner
    )

    assert response.status_code == 204
    assert members_of(client, owner, linkoping["id"]) == {"owner@example.org": "owner"}


def test_removing_someone_who_is_not_a_member_is_404(client, people, owner, outsider, linkoping):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'outsider@example.org')}", headers=owner
    )

    assert response.status_code == 404
    problem_of(response)


def test_the_last_owner_cannot_leave(client, people, owner, linkoping, runtime):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'owner@example.org')}", headers=owner
    )

    assert response.status_code == 409
    assert "owner" in problem_of(response)["detail"]
    assert count_rows(runtime, "memberships") == 2


def test_an_admin_cannot_remove_the_last_owner_either(client, people, admin, owner, linkoping, runtime):
    response = client.delete(
        f"{ORGANISATIONS}/{linkoping['id']}/members/{user_id(people, 'owner@example.org')}", headers=admin
    )

    assert response.status_code == 409
    assert members_of(client, owner, linkoping["id"])["owner@example.org"] == "owner"


def test_the_last_owner_cannot_be_demoted(client, owner, linkoping):
    response = client.post(
        f"{ORGANISATIONS}/{linkoping['id']}/members", json={"email": "owner@example.org", "role": "member"},
        headers=owner,
    )

    assert response.status_code == 409
    problem_of(response)
    assert members_of(client, owner, linkoping["id"])["owner@example.org"] == "owner"


def test_an_owner_may_step_down_once_there_is_another_owner(client, people, owner, member, linkoping):
    url = f"{ORGANISATIONS}/{linkoping['id']}/members"
    assert client.post(url, json={"email": "member@example.org", "role": "owner"}, headers=owner).status_code == 201

    assert client.post(url, json={"email": "owner@example.org", "role": "member"}, headers=owner).status_code == 201
    assert members_of(client, member, linkoping["id"]) == {"owner@example.org": "member", "member@example.org": "owner"}

    response = client.delete(f"{url}/{user_id(people, 'owner@example.org')}", headers=owner)
    assert response.status_code == 204
    assert members_of(client, member, linkoping["id"]) == {"member@example.org": "owner"}


def test_member_operations_on_a_missing_organisation_are_404(client, people, admin):
    admin_id = user_id(people, "admin@example.org")
    assert client.get(f"{ORGANISATIONS}/999999/members", headers=admin).status_code == 404
    assert client.post(
        f"{ORGANISATIONS}/999999/members", json={"email": "admin@example.org"}, headers=admin
    ).status_code == 404
    assert client.delete(f"{ORGANISATIONS}/999999/members/{admin_id}", headers=admin).status_code == 404
