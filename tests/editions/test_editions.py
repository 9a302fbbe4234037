"""Editions over HTTP: the public list, creating and changing an edition, its coordinators, and
the demo edition (Innovationsveckan 2019)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from innovationsweek import demo
from innovationsweek.reminders.settings import DEFAULTS as DEFAULT_REMINDERS
from tests.conftest import PASSWORD, count_rows, problem_of

EDITIONS = "/api/v1/editions"
UTC = timezone.utc


def edition(slug: str = "innovationsveckan-2020", year: int = 2020, **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": {"sv": f"Innovationsveckan {year}", "en": f"Innovation Week {year}"},
        "theme": {"sv": "Att sprida och involvera", "en": "Spread and involve"},
        "timezone": "Europe/Stockholm",
        "starts_at": f"{year}-09-28T08:00:00+02:00",
        "ends_at": f"{year}-10-02T16:00:00+02:00",
        "submissions_open_at": f"{year}-04-01T00:00:00+02:00",
        "submissions_close_at": f"{year}-09-18T23:59:00+02:00",
        "themes": [
            {"key": "spread", "label": {"sv": "Sprida", "en": "Spread"}},
            {"key": "involve", "label": {"sv": "Involvera", "en": "Involve"}},
        ],
    } | fields


def create(client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post(EDITIONS, json=edition(**fields), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def instant(text: str) -> datetime:
    """An API time as an aware datetime (``Z`` and ``+00:00`` alike)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert value.tzinfo is not None, text
    return value


def pointers(body: dict[str, Any]) -> set[str]:
    return {error["pointer"] for error in body["errors"]}


def coordinator_emails(client, headers: dict[str, str], slug: str) -> list[str]:
    response = client.get(f"{EDITIONS}/{slug}/coordinators", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [item["email"] for item in response.get_json()["items"]]


@pytest.fixture
def admin(people) -> dict[str, str]:
    people.create("admin@example.org", name="Alva Admin", admin=True)
    return people.headers("admin@example.org")


@pytest.fixture
def someone(people) -> dict[str, str]:
    """A signed-in person with no role at all."""
    people.create("someone@example.org", name="Sam Someone")
    return people.headers("someone@example.org")


@pytest.fixture
def week(client, admin) -> dict[str, Any]:
    """Innovationsveckan 2020, created by the admin."""
    return create(client, admin)


@pytest.fixture
def coordinator(client, people, admin, week) -> dict[str, str]:
    """coordinator@ on the national team of Innovationsveckan 2020."""
    people.create("coordinator@example.org", name="Marianne Löfgren")
    response = client.post(
        f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "coordinator@example.org"}, headers=admin
    )
    assert response.status_code == 201
    return people.headers("coordinator@example.org")


@pytest.fixture
def partner(client, admin) -> dict[str, str]:
    response = client.post(
        "/api/v1/partners", json={"name": "Offentliga Affärer", "contact_email": "api@example.org"}, headers=admin
    )
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['api_key']}"}


# Reading


def test_the_edition_list_is_public_and_newest_first(client, admin):
    create(client, admin, slug="innovationsveckan-2019", year=2019)
    create(client, admin, slug="innovationsveckan-2021", year=2021)
    create(client, admin, slug="innovationsveckan-2020", year=2020)

    response = client.get(EDITIONS)

    assert response.status_code == 200
    body = response.get_json()
    assert [item["slug"] for item in body["items"]] == [
        "innovationsveckan-2021", "innovationsveckan-2020", "innovationsveckan-2019"
    ]
    assert body["total"] == 3


def test_the_edition_list_is_empty_without_editions(client):
    assert client.get(EDITIONS).get_json() == {"items": [], "total": 0}


def test_an_edition_is_public_by_its_slug(client, week):
    response = client.get(f"{EDITIONS}/innovationsveckan-2020")

    assert response.status_code == 200
    assert response.get_json() == week


def test_an_unknown_slug_is_404(client):
    response = client.get(f"{EDITIONS}/innovationsveckan-1999")

    assert response.status_code == 404
    body = problem_of(response)
    assert body["instance"] == f"{EDITIONS}/innovationsveckan-1999"
    assert "innovationsveckan-1999" in body["detail"]


def test_a_partner_api_key_may_read_editions(client, partner, week):
    assert client.get(EDITIONS, headers=partner).get_json()["total"] == 1
    assert client.get(f"{EDITIONS}/{week['slug']}", headers=partner).status_code == 200


# Creating


def test_an_admin_creates_an_edition_with_localised_name_theme_and_themes(client, admin, runtime):
    response = client.post(EDITIONS, json=edition(), headers=admin)

    assert response.status_code == 201
    body = response.get_json()
    assert body | {"created_at": None, "updated_at": None} == {
        "slug": "innovationsveckan-2020",
        "name": {"sv": "Innovationsveckan 2020", "en": "Innovation Week 2020"},
        "theme": {"sv": "Att sprida och involvera", "en": "Spread and involve"},
        "timezone": "Europe/Stockholm",
        "starts_at": body["starts_at"],
        "ends_at": body["ends_at"],
        "submissions_open_at": body["submissions_open_at"],
        "submissions_close_at": body["submissions_close_at"],
        "programme_open": False,
        "retention_days": 180,
        "themes": [
            {"key": "spread", "label": {"sv": "Sprida", "en": "Spread"}},
            {"key": "involve", "label": {"sv": "Involvera", "en": "Involve"}},
        ],
        "privacy_notice": {},
        "privacy_notice_version": "1",
        "reminder_settings": DEFAULT_REMINDERS,
        "created_at": None,
        "updated_at": None,
    }
    assert instant(body["starts_at"]) == datetime(2020, 9, 28, 6, 0, tzinfo=UTC)
    assert instant(body["ends_at"]) == datetime(2020, 10, 2, 14, 0, tzinfo=UTC)
    assert instant(body["submissions_close_at"]) == datetime(2020, 9, 18, 21, 59, tzinfo=UTC)
    assert client.get(f"{EDITIONS}/innovationsveckan-2020").get_json() == body
    # An administrator who creates an edition does not join its team.
    assert coordinator_emails(client, admin, "innovationsveckan-2020") == []
    assert count_rows(runtime, "edition_coordinators") == 0


def test_programme_visibility_and_retention_can_be_set_on_creation(client, admin):
    created = create(client, admin, programme_open=True, retention_days=90, themes=[])

    assert (created["programme_open"], created["retention_days"], created["themes"]) == (True, 90, [])


def test_a_coordinator_of_an_existing_edition_may_create_another_and_coordinates_it(client, coordinator, admin):
    response = client.post(EDITIONS, json=edition(slug="innovationsveckan-2021", year=2021), headers=coordinator)

    assert response.status_code == 201
    assert coordinator_emails(client, coordinator, "innovationsveckan-2021") == ["coordinator@example.org"]
    me = client.get("/api/v1/auth/me", headers=coordinator).get_json()
    assert me["coordinates"] == ["innovationsveckan-2021", "innovationsveckan-2020"]
    patched = client.patch(f"{EDITIONS}/innovationsveckan-2021", json={"programme_open": True}, headers=coordinator)
    assert patched.status_code == 200


def test_a_plain_account_cannot_create_an_edition(client, someone, runtime):
    response = client.post(EDITIONS, json=edition(), headers=someone)

    assert response.status_code == 403
    problem_of(response)
    assert count_rows(runtime, "editions") == 0


def test_anonymous_callers_cannot_create_an_edition(client, runtime):
    response = client.post(EDITIONS, json=edition())

    assert response.status_code == 401
    problem_of(response)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert count_rows(runtime, "editions") == 0


def test_a_partner_api_key_gets_403_on_every_write(client, partner, week, runtime):
    slug = week["slug"]

    responses = [
        client.post(EDITIONS, json=edition(slug="innovationsveckan-2021", year=2021), headers=partner),
        client.patch(f"{EDITIONS}/{slug}", json={"programme_open": True}, headers=partner),
        client.get(f"{EDITIONS}/{slug}/coordinators", headers=partner),
        client.post(f"{EDITIONS}/{slug}/coordinators", json={"email": "admin@example.org"}, headers=partner),
        client.delete(f"{EDITIONS}/{slug}/coordinators/1", headers=partner),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    for response in responses:
        problem_of(response)
    assert count_rows(runtime, "editions") == 1
    assert count_rows(runtime, "edition_coordinators") == 0
    assert client.get(f"{EDITIONS}/{slug}").get_json() == week


def test_a_duplicate_slug_is_409_naming_the_slug(client, admin, week, runtime):
    response = client.post(EDITIONS, json=edition(year=2021), headers=admin)

    assert response.status_code == 409
    assert problem_of(response)["errors"][0]["pointer"] == "/slug"
    assert count_rows(runtime, "editions") == 1
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


@pytest.mark.parametrize(
    "slug",
    ["Innovationsveckan-2020", "innovations veckan", "innovations_veckan", "-2020", "2020-", "iv--2020", "iv", ""],
)
def test_a_bad_slug_is_422(client, admin, runtime, slug):
    response = client.post(EDITIONS, json=edition(slug=slug), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/slug"}
    assert count_rows(runtime, "editions") == 0


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "submissions_open_at", "submissions_close_at"])
def test_a_time_without_offset_is_422(client, admin, runtime, field):
    naive = edition()[field][: len("2020-09-28T08:00:00")]

    response = client.post(EDITIONS, json=edition(**{field: naive}), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {f"/{field}"}
    assert count_rows(runtime, "editions") == 0


def test_a_naive_start_is_422_pointing_at_starts_at(client, admin, runtime):
    response = client.post(EDITIONS, json=edition(starts_at="2020-09-28T08:00:00"), headers=admin)

    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["pointer"] == "/starts_at"
    assert count_rows(runtime, "editions") == 0


@pytest.mark.parametrize("ends_at", ["2020-09-27T16:00:00+02:00", "2020-09-28T08:00:00+02:00", "2020-09-28T06:00:00Z"])
def test_a_week_that_ends_before_or_when_it_starts_is_422_pointing_at_ends_at(client, admin, runtime, ends_at):
    response = client.post(EDITIONS, json=edition(ends_at=ends_at), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/ends_at"}
    assert count_rows(runtime, "editions") == 0


def test_submissions_that_close_before_they_open_are_422(client, admin, runtime):
    response = client.post(EDITIONS, json=edition(submissions_close_at="2020-03-01T00:00:00+01:00"), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/submissions_close_at"}
    assert count_rows(runtime, "editions") == 0


def test_submissions_that_open_after_the_week_starts_are_422(client, admin, runtime):
    response = client.post(
        EDITIONS,
        json=edition(submissions_open_at="2020-09-29T00:00:00+02:00", submissions_close_at="2020-09-30T00:00:00+02:00"),
        headers=admin,
    )

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/submissions_open_at"}
    assert count_rows(runtime, "editions") == 0


@pytest.mark.parametrize(
    "zone", ["Europe/Stokholm", "Mars/Olympus_Mons", "Europe", "Europe/", "../etc/passwd", "/etc/localtime", "CEST"]
)
def test_an_unknown_time_zone_is_422_pointing_at_timezone(client, admin, runtime, zone):
    response = client.post(EDITIONS, json=edition(timezone=zone), headers=admin)

    assert response.status_code == 422
    body = problem_of(response)
    assert pointers(body) == {"/timezone"}
    assert count_rows(runtime, "editions") == 0


@pytest.mark.parametrize("zone", ["Europe/Copenhagen", "UTC", "America/Argentina/Buenos_Aires"])
def test_any_iana_time_zone_is_accepted(client, admin, zone):
    assert create(client, admin, timezone=zone)["timezone"] == zone


@pytest.mark.parametrize("field", ["name", "theme"])
def test_an_unknown_language_in_localised_text_is_422(client, admin, runtime, field):
    response = client.post(EDITIONS, json=edition(**{field: {"sv": "Hej", "fr": "Bonjour"}}), headers=admin)

    assert response.status_code == 422
    body = problem_of(response)
    assert len(body["errors"]) == 1
    assert body["errors"][0]["pointer"].startswith(f"/{field}/fr")
    assert count_rows(runtime, "editions") == 0


@pytest.mark.parametrize("value", [{}, {"sv": ""}, "Innovationsveckan", None])
def test_a_name_must_be_given_in_at_least_one_language(client, admin, runtime, value):
    response = client.post(EDITIONS, json=edition(name=value), headers=admin)

    assert response.status_code == 422
    assert {pointer.split("/")[1] for pointer in pointers(problem_of(response))} == {"name"}
    assert count_rows(runtime, "editions") == 0


def test_theme_keys_must_be_unique(client, admin, runtime):
    themes = [{"key": "spread", "label": {"sv": "Sprida"}}, {"key": "spread", "label": {"sv": "Sprida igen"}}]

    response = client.post(EDITIONS, json=edition(themes=themes), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/themes"}
    assert count_rows(runtime, "editions") == 0


def test_every_invalid_field_is_listed(client, admin, runtime):
    body = edition(
        slug="Bad Slug",
        name={"fr": "Semaine"},
        timezone="",
        starts_at="not a time",
        retention_days=0,
        programme_open="perhaps",
    )
    del body["theme"]

    response = client.post(EDITIONS, json=body, headers=admin)

    assert response.status_code == 422
    found = {pointer.split("/")[1] for pointer in pointers(problem_of(response))}
    assert found == {"slug", "name", "theme", "timezone", "starts_at", "retention_days", "programme_open"}
    assert count_rows(runtime, "editions") == 0


def test_an_unknown_field_is_422(client, admin, runtime):
    response = client.post(EDITIONS, json=edition(venue="Stockholm"), headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/venue"}
    assert count_rows(runtime, "editions") == 0


# Changing


def test_the_editions_coordinator_can_change_it(client, coordinator, week):
    url = f"{EDITIONS}/{week['slug']}"

    response = client.patch(
        url, json={"programme_open": True, "theme": {"sv": "Att våga", "en": "Dare"}}, headers=coordinator
    )

    assert response.status_code == 200
    after = client.get(url).get_json()
    assert after == response.get_json()
    assert after | {"updated_at": None} == week | {
        "programme_open": True, "theme": {"sv": "Att våga", "en": "Dare"}, "updated_at": None
    }


def test_a_patch_leaves_the_fields_it_does_not_name_alone(client, coordinator, admin):
    url = f"{EDITIONS}/innovationsveckan-2020"
    client.patch(url, json={"programme_open": True, "retention_days": 30}, headers=admin)
    before = client.get(url).get_json()

    response = client.patch(url, json={"name": {"sv": "Innovationsveckan 2020!"}}, headers=coordinator)

    assert response.status_code == 200
    assert response.get_json() | {"updated_at": None} == before | {
        "name": {"sv": "Innovationsveckan 2020!"}, "updated_at": None
    }
    assert (response.get_json()["programme_open"], response.get_json()["retention_days"]) == (True, 30)
    assert len(response.get_json()["themes"]) == 2


def test_the_week_can_be_moved(client, coordinator, week):
    response = client.patch(
        f"{EDITIONS}/{week['slug']}",
        json={"starts_at": "2020-10-05T09:00:00+02:00", "ends_at": "2020-10-09T15:00:00+02:00"},
        headers=coordinator,
    )

    assert response.status_code == 200
    assert instant(response.get_json()["starts_at"]) == datetime(2020, 10, 5, 7, 0, tzinfo=UTC)
    assert instant(response.get_json()["ends_at"]) == datetime(2020, 10, 9, 13, 0, tzinfo=UTC)


def test_a_coordinator_of_another_edition_cannot_change_it(client, people, admin, coordinator, week):
    create(client, admin, slug="innovationsugen-2020", timezone="Europe/Copenhagen")
    people.create("koordinator@example.dk", name="Karen Koordinator")
    client.post(
        f"{EDITIONS}/innovationsugen-2020/coordinators", json={"email": "koordinator@example.dk"}, headers=admin
    )
    danish = people.headers("koordinator@example.dk")

    response = client.patch(f"{EDITIONS}/{week['slug']}", json={"programme_open": True}, headers=danish)

    assert response.status_code == 403
    problem_of(response)
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week
    assert client.get(f"{EDITIONS}/{week['slug']}/coordinators", headers=danish).status_code == 403


def test_a_plain_account_cannot_change_an_edition(client, someone, week):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json={"programme_open": True}, headers=someone)

    assert response.status_code == 403
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


def test_anonymous_callers_cannot_change_an_edition(client, week):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json={"programme_open": True})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


def test_an_admin_can_change_any_edition(client, admin, week):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json={"retention_days": 365}, headers=admin)

    assert response.status_code == 200
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json()["retention_days"] == 365


@pytest.mark.parametrize(
    "changes",
    [
        {"ends_at": "2020-09-27T16:00:00+02:00"},
        {"starts_at": "2020-10-03T08:00:00+02:00"},
        {"starts_at": "2020-10-02T16:00:00+02:00"},
    ],
)
def test_a_patch_that_would_end_the_week_before_it_starts_is_422_and_changes_nothing(
    client, coordinator, week, changes
):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json=changes, headers=coordinator)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/ends_at"}
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


def test_a_patch_with_an_unknown_time_zone_changes_nothing(client, coordinator, week):
    response = client.patch(
        f"{EDITIONS}/{week['slug']}", json={"timezone": "Europe/Atlantis", "programme_open": True}, headers=coordinator
    )

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/timezone"}
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


@pytest.mark.parametrize("field", ["name", "theme", "timezone", "starts_at", "ends_at", "programme_open"])
def test_patch_with_null_for_a_required_field_is_422(client, admin, week, field):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json={field: None}, headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {f"/{field}"}
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week


def test_the_slug_cannot_be_changed(client, admin, week):
    response = client.patch(f"{EDITIONS}/{week['slug']}", json={"slug": "innovationsveckan-2030"}, headers=admin)

    assert response.status_code == 422
    assert pointers(problem_of(response)) == {"/slug"}
    assert client.get(f"{EDITIONS}/innovationsveckan-2030").status_code == 404


def test_patch_of_an_unknown_edition_is_404(client, admin):
    response = client.patch(f"{EDITIONS}/innovationsveckan-1999", json={"programme_open": True}, headers=admin)

    assert response.status_code == 404
    problem_of(response)


# Coordinators


def test_an_admin_assigns_a_coordinator_by_email(client, people, admin, week, runtime):
    people.create("coordinator@example.org", name="Marianne Löfgren")

    response = client.post(
        f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "Coordinator@Example.org"}, headers=admin
    )

    assert response.status_code == 201
    body = response.get_json()
    assert body | {"assigned_at": None} == {
        "user_id": people.actor("coordinator@example.org").user.id,
        "name": "Marianne Löfgren",
        "email": "coordinator@example.org",
        "assigned_at": None,
    }
    assert instant(body["assigned_at"]) <= datetime.now(UTC)
    assert count_rows(runtime, "edition_coordinators") == 1
    me = client.get("/api/v1/auth/me", headers=people.headers("coordinator@example.org")).get_json()
    assert me["coordinates"] == [week["slug"]]


def test_coordinators_see_the_coordinator_list(client, people, admin, coordinator, week):
    people.create("second@example.org", name="Anders Andersson")
    client.post(f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "second@example.org"}, headers=admin)

    assert coordinator_emails(client, coordinator, week["slug"]) == ["second@example.org", "coordinator@example.org"]
    assert coordinator_emails(client, admin, week["slug"]) == ["second@example.org", "coordinator@example.org"]


def test_others_do_not_see_the_coordinator_list(client, someone, coordinator, week):
    response = client.get(f"{EDITIONS}/{week['slug']}/coordinators", headers=someone)
    assert response.status_code == 403
    assert "items" not in problem_of(response)

    response = client.get(f"{EDITIONS}/{week['slug']}/coordinators")
    assert response.status_code == 401


def test_assigning_twice_keeps_one_assignment(client, admin, coordinator, week, runtime):
    response = client.post(
        f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "coordinator@example.org"}, headers=admin
    )

    assert response.status_code == 201
    assert count_rows(runtime, "edition_coordinators") == 1


def test_only_admins_assign_coordinators(client, people, coordinator, someone, week, runtime):
    for headers in (coordinator, someone):
        response = client.post(
            f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "someone@example.org"}, headers=headers
        )
        assert response.status_code == 403
        problem_of(response)
    assert count_rows(runtime, "edition_coordinators") == 1
    assert coordinator_emails(client, coordinator, week["slug"]) == ["coordinator@example.org"]


def test_assigning_an_unknown_email_is_422_naming_it(client, admin, week, runtime):
    response = client.post(
        f"{EDITIONS}/{week['slug']}/coordinators", json={"email": "nobody@example.org"}, headers=admin
    )

    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["pointer"] == "/email"
    assert count_rows(runtime, "edition_coordinators") == 0


@pytest.mark.parametrize("body", [{}, {"email": "not-an-email"}, {"email": "a@example.org", "role": "lead"}])
def test_assigning_with_an_invalid_body_is_422(client, admin, week, body):
    response = client.post(f"{EDITIONS}/{week['slug']}/coordinators", json=body, headers=admin)

    assert response.status_code == 422
    problem_of(response)


def test_coordinator_operations_on_an_unknown_edition_are_404(client, people, admin):
    admin_id = people.actor("admin@example.org").user.id
    assert client.get(f"{EDITIONS}/nothing-here/coordinators", headers=admin).status_code == 404
    assert client.post(
        f"{EDITIONS}/nothing-here/coordinators", json={"email": "admin@example.org"}, headers=admin
    ).status_code == 404
    assert client.delete(f"{EDITIONS}/nothing-here/coordinators/{admin_id}", headers=admin).status_code == 404


def test_an_unassigned_coordinator_loses_the_right_to_change_the_edition(client, people, admin, coordinator, week):
    coordinator_id = people.actor("coordinator@example.org").user.id

    response = client.delete(f"{EDITIONS}/{week['slug']}/coordinators/{coordinator_id}", headers=admin)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert coordinator_emails(client, admin, week["slug"]) == []
    refused = client.patch(f"{EDITIONS}/{week['slug']}", json={"programme_open": True}, headers=coordinator)
    assert refused.status_code == 403
    assert client.get(f"{EDITIONS}/{week['slug']}").get_json() == week
    assert client.get("/api/v1/auth/me", headers=coordinator).get_json()["coordinates"] == []
    # ... and may no longer create editions either.
    assert client.post(EDITIONS, json=edition(slug="iv-2021", year=2021), headers=coordinator).status_code == 403


def test_unassigning_someone_who_does_not_coordinate_is_404(client, people, admin, week):
    admin_id = people.actor("admin@example.org").user.id

    response = client.delete(f"{EDITIONS}/{week['slug']}/coordinators/{admin_id}", headers=admin)

    assert response.status_code == 404
    problem_of(response)


def test_only_admins_unassign_coordinators(client, people, coordinator, week, runtime):
    coordinator_id = people.actor("coordinator@example.org").user.id

    response = client.delete(f"{EDITIONS}/{week['slug']}/coordinators/{coordinator_id}", headers=coordinator)

    assert response.status_code == 403
    assert count_rows(runtime, "edition_coordinators") == 1


# The demo edition


def test_the_demo_edition_runs_30_september_to_4_october_2019_in_stockholm(client, demo_data):
    response = client.get(f"{EDITIONS}/innovationsveckan-2019")

    assert response.status_code == 200
    body = response.get_json()
    assert body["timezone"] == "Europe/Stockholm"
    assert instant(body["starts_at"]) == datetime(2019, 9, 30, 6, 0, tzinfo=UTC)
    assert instant(body["ends_at"]) == datetime(2019, 10, 4, 14, 0, tzinfo=UTC)
    assert instant(body["starts_at"]).utcoffset().total_seconds() == 0
    assert body["starts_at"].replace("+00:00", "Z") == "2019-09-30T06:00:00Z"
    assert body["ends_at"].replace("+00:00", "Z") == "2019-10-04T14:00:00Z"
    assert body["theme"]["sv"] == "Att sprida och involvera"
    assert body["name"]["sv"] == "Innovationsveckan 2019"
    assert [theme["key"] for theme in body["themes"]] == ["spread", "involve"]
    assert body["programme_open"] is True
    assert "innovationsveckan-2019" in [e["slug"] for e in client.get(EDITIONS).get_json()["items"]]


def test_loading_the_demo_twice_changes_nothing(runtime, demo_data):
    tables = ("users", "organisations", "memberships", "editions", "edition_coordinators")
    before = {table: count_rows(runtime, table) for table in tables}
    assert all(before.values())

    with runtime.database.unit_of_work() as session:
        again = demo.load_demo(session, password=PASSWORD)

    assert {table: count_rows(runtime, table) for table in tables} == before
    assert again == demo_data


def test_the_demo_coordinator_can_sign_in_and_change_the_edition(client, demo_data):
    signed_in = client.post("/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": PASSWORD})
    assert signed_in.status_code == 201
    headers = {"Authorization": f"Bearer {signed_in.get_json()['token']}"}

    response = client.patch(f"{EDITIONS}/innovationsveckan-2019", json={"programme_open": False}, headers=headers)

    assert response.status_code == 200
    assert client.get(f"{EDITIONS}/innovationsveckan-2019").get_json()["programme_open"] is False
    assert coordinator_emails(client, headers, "innovationsveckan-2019") == ["coordinator@example.org"]


def test_the_demo_organiser_cannot_change_the_demo_edition(client, people, demo_data):
    organiser = people.headers("organiser@example.org")

    response = client.patch(f"{EDITIONS}/innovationsveckan-2019", json={"programme_open": False}, headers=organiser)

    assert response.status_code == 403
    assert client.get(f"{EDITIONS}/innovationsveckan-2019").get_json()["programme_open"] is True


def test_a_changed_privacy_notice_needs_a_new_version_and_each_version_is_kept(client, coordinator, week, runtime):
    slug = week["slug"]
    first = client.patch(f"{EDITIONS}/{slug}", json={"privacy_notice": {"sv": "Första."}, "privacy_notice_version": "1"}, headers=coordinator)
    second = client.patch(f"{EDITIONS}/{slug}", json={"privacy_notice": {"sv": "Andra."}, "privacy_notice_version": "2"}, headers=coordinator)

    same_name = client.patch(f"{EDITIONS}/{slug}", json={"privacy_notice": {"sv": "Tredje."}, "privacy_notice_version": "1"}, headers=coordinator)

    assert first.status_code == second.status_code == 200
    assert same_name.status_code == 422
    assert pointers(problem_of(same_name)) == {"/privacy_notice_version"}
    assert client.get(f"{EDITIONS}/{slug}").get_json()["privacy_notice"] == {"sv": "Andra."}
    assert count_rows(runtime, "privacy_notice_versions") == 2


def notice_versions(client, headers: dict[str, str], slug: str) -> list[tuple[str, dict[str, str], bool]]:
    response = client.get(f"{EDITIONS}/{slug}/privacy-notice-versions", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == len(body["items"])
    assert all(instant(item["published_at"]) for item in body["items"])
    return [(item["version"], item["texts"], item["in_use"]) for item in body["items"]]


def test_coordinators_read_every_privacy_notice_version_the_one_in_use_first(client, admin, coordinator, week):
    slug = week["slug"]
    assert notice_versions(client, coordinator, slug) == []  # none yet: nobody can register
    client.patch(f"{EDITIONS}/{slug}", json={"privacy_notice": {"sv": "Första."}, "privacy_notice_version": "2020-1"}, headers=coordinator)
    client.patch(
        f"{EDITIONS}/{slug}", json={"privacy_notice": {"sv": "Andra.", "da": "Anden."}, "privacy_notice_version": "2020-2"}, headers=coordinator
    )

    expected = [("2020-2", {"sv": "Andra.", "da": "Anden."}, True), ("2020-1", {"sv": "Första."}, False)]
    assert notice_versions(client, coordinator, slug) == expected
    assert notice_versions(client, admin, slug) == expected

    client.patch(f"{EDITIONS}/{slug}", json={"privacy_notice": {}}, headers=coordinator)
    assert [in_use for _, _, in_use in notice_versions(client, coordinator, slug)] == [False, False]


def test_only_the_editions_coordinators_read_its_privacy_notice_versions(client, people, admin, coordinator, someone, week):
    path = f"{EDITIONS}/{week['slug']}/privacy-notice-versions"
    client.patch(f"{EDITIONS}/{week['slug']}", json={"privacy_notice": {"sv": "Första."}}, headers=coordinator)
    create(client, admin, slug="innovationsveckan-2021", year=2021)
    people.create("other@example.org")
    client.post(f"{EDITIONS}/innovationsveckan-2021/coordinators", json={"email": "other@example.org"}, headers=admin)

    assert problem_of(client.get(path, headers=someone))["status"] == 403
    assert problem_of(client.get(path, headers=people.headers("other@example.org")))["status"] == 403
    assert problem_of(client.get(path))["status"] == 401
    assert problem_of(client.get(f"{EDITIONS}/no-such-week/privacy-notice-versions", headers=admin))["status"] == 404
