"""Naming a co-organiser invites that organisation; its owners accept or decline. Until they
accept, it shows nowhere public and its members see nothing of the activity."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from innovationsweek.audit import AuditEntry
from tests.conftest import problem_of, run_jobs
from tests.programme.test_programme import published

ACTIVITIES = "/api/v1/editions/test-week/activities"


def answer(client, activity_id: int, organisation_id: int, headers, decision: str = "accept"):
    return client.post(f"/api/v1/activities/{activity_id}/co-organisers/{organisation_id}/{decision}", headers=headers)


def mails(runtime) -> list[tuple[str, str, str]]:
    with runtime.database.sessions() as session:
        return [tuple(row) for row in session.execute(sa.text("SELECT to_address, subject, text FROM emails ORDER BY id"))]


def actions(runtime, activity_id: int) -> list[tuple[str, int | None]]:
    with runtime.database.sessions() as session:
        entries = session.scalars(sa.select(AuditEntry).where(AuditEntry.activity_id == activity_id).order_by(AuditEntry.id))
        return [(e.action, e.organisation_id) for e in entries if e.action.startswith("co_organiser")]


@pytest.fixture
def umea_member(client, people, week) -> dict[str, str]:
    """A member (not an owner) of the invited organisation."""
    people.create("ida@umea.se")
    added = client.post(
        f"/api/v1/organisations/{week.other_organisation_id}/members", json={"email": "ida@umea.se"}, headers=week.outsider
    )
    assert added.status_code == 201
    return people.headers("ida@umea.se")


@pytest.fixture
def stranger(people) -> dict[str, str]:
    people.create("nobody@example.org")
    return people.headers("nobody@example.org")


def test_naming_a_co_organiser_mails_its_owners_an_invitation(client, runtime, week, umea_member):
    umea = week.other_organisation_id
    created = client.post(ACTIVITIES, json=week.webcast(co_organiser_ids=[umea]), headers=week.organiser).get_json()
    assert [(o["id"], o["status"]) for o in created["co_organisers"]] == [(umea, "pending")]
    [(to, subject, text)] = mails(runtime)
    assert to == "ulf@umea.se"  # the owner, not the member
    assert week.webcast()["title"] in subject and "Linköpings kommun" in text
    assert f"/api/v1/activities/{created['id']}/co-organisers/{umea}/accept" in text
    assert actions(runtime, created["id"]) == [("co_organiser_invited", umea)]
    invitations = client.get(f"/api/v1/organisations/{umea}/co-organiser-invitations", headers=week.outsider).get_json()
    assert [(i["activity_id"], i["title"], i["host"]["name"], i["status"]) for i in invitations["items"]] == [
        (created["id"], week.webcast()["title"], "Linköpings kommun", "pending")
    ]
    assert client.get(f"/api/v1/organisations/{umea}/co-organiser-invitations", headers=umea_member).status_code == 403


@pytest.mark.parametrize(
    ("country", "language_words", "other_words"),
    [
        ("DK", ["Invitation til at være medarrangør", "har angivet Aarhus Kommune som medarrangør", "Mine organisationer"], ["Inbjudan", "named"]),
        # A country the week has no language for: the edition's own (the test week's is Swedish).
        ("DE", ["Inbjudan att arrangera", "har angett Aarhus Kommune som medarrangör", "Mina organisationer"], ["Invitation", "named"]),
    ],
)
def test_an_invitation_is_written_in_the_invited_organisations_language_only(
    client, runtime, week, people, country, language_words, other_words
):
    people.create("mette@aarhus.dk")
    mette = people.headers("mette@aarhus.dk")
    invited = client.post(
        "/api/v1/organisations", json={"name": "Aarhus Kommune", "kind": "municipality", "country": country}, headers=mette
    ).get_json()["id"]

    created = client.post(ACTIVITIES, json=week.webcast(co_organiser_ids=[invited]), headers=week.organiser).get_json()

    [(to, subject, text)] = mails(runtime)
    assert to == "mette@aarhus.dk"
    for words in language_words:
        assert words in f"{subject}\n{text}", words
    for words in other_words:
        assert words not in f"{subject}\n{text}", words
    assert week.webcast()["title"] in subject and "Linköpings kommun" in text and "Testveckan" in text
    assert f"/api/v1/activities/{created['id']}/co-organisers/{invited}/accept" in text


def test_members_of_an_invited_organisation_see_the_activity_only_once_it_accepted(client, week, umea_member, stranger):
    umea = week.other_organisation_id
    activity_id = client.post(ACTIVITIES, json=week.webcast(co_organiser_ids=[umea]), headers=week.organiser).get_json()["id"]
    url = f"/api/v1/activities/{activity_id}"
    refused = client.get(url, headers=stranger).status_code
    assert refused in (403, 404)
    for person in (week.outsider, umea_member):  # the owner and a member alike
        assert client.get(url, headers=person).status_code == refused  # as if they had no part in it
        assert client.get(f"{url}/revisions", headers=person).status_code == refused
        assert client.patch(url, json={"title": "Kapad"}, headers={**person, "If-Match": '"v1"'}).status_code == refused

    accepted = answer(client, activity_id, umea, week.outsider)
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    for person in (week.outsider, umea_member):
        assert client.get(url, headers=person).status_code == 200
    assert client.get(url, headers=stranger).status_code == refused
    assert client.get(url, headers=week.organiser).get_json()["co_organisers"][0]["status"] == "accepted"


def test_only_accepted_co_organisers_show_in_the_programme(client, runtime, week, people):
    people.create("eva@regionostergotland.se")
    eva = people.headers("eva@regionostergotland.se")
    region = client.post("/api/v1/organisations", json={"name": "Region Östergötland", "kind": "region", "country": "SE"}, headers=eva).get_json()["id"]
    umea = week.other_organisation_id
    activity_id = published(client, runtime, week, co_organiser_ids=[umea, region])
    public = f"/api/v1/programme/activities/{activity_id}"

    def shown() -> tuple[list[str], list[str], bytes]:
        ld = client.get(f"{public}?format=jsonld").get_json()
        calendar = client.get(f"{public}.ics").data + client.get("/api/v1/editions/test-week/programme.ics").data
        return [o["name"] for o in client.get(public).get_json()["co_organisers"]], [o["name"] for o in ld["organizer"]], calendar

    names, organizers, calendar = shown()
    assert (names, organizers) == ([], ["Linköpings kommun"])
    assert b"Ume" not in calendar and b"Region" not in calendar
    assert answer(client, activity_id, umea, week.outsider).status_code == 200
    assert answer(client, activity_id, region, eva, "decline").status_code == 200
    run_jobs(runtime)
    names, organizers, calendar = shown()
    assert (names, organizers) == (["Umeå kommun"], ["Linköpings kommun", "Umeå kommun"])
    assert "Region" not in client.get("/api/v1/editions/test-week/programme").get_data(as_text=True)
    assert b"Region" not in calendar
    assert actions(runtime, activity_id)[-2:] == [("co_organiser_accepted", umea), ("co_organiser_declined", region)]


def test_answers_that_cannot_be_given_are_refused_and_change_nothing(client, runtime, week, umea_member, people):
    umea = week.other_organisation_id
    activity_id = client.post(ACTIVITIES, json=week.webcast(co_organiser_ids=[umea]), headers=week.organiser).get_json()["id"]
    other_id = client.post(ACTIVITIES, json=week.webcast(title="Utan medarrangör"), headers=week.organiser).get_json()["id"]

    unknown = answer(client, activity_id, 999_999, week.outsider)
    assert unknown.status_code == 404
    assert problem_of(unknown)["errors"] == [{"detail": "No organisation 999999.", "parameter": "organisation_id"}]
    for person in (umea_member, week.organiser, week.coordinator):  # not owners of Umeå kommun
        assert problem_of(answer(client, activity_id, umea, person))["status"] == 403
    not_invited = answer(client, other_id, umea, week.outsider)
    assert problem_of(not_invited)["status"] == 404
    assert problem_of(not_invited)["errors"][0]["parameter"] == "activity_id"
    assert problem_of(answer(client, 999_999, umea, week.outsider))["status"] == 404
    assert actions(runtime, activity_id) == [("co_organiser_invited", umea)]
    listed = client.get(f"/api/v1/organisations/{umea}/co-organiser-invitations", headers=week.outsider).get_json()
    assert [i["status"] for i in listed["items"]] == ["pending"]

    assert answer(client, activity_id, umea, week.outsider).status_code == 200
    twice = answer(client, activity_id, umea, week.outsider)
    assert problem_of(twice)["status"] == 409 and "already accepted" in problem_of(twice)["detail"]
    assert problem_of(client.get("/api/v1/organisations/999999/co-organiser-invitations", headers=week.outsider))["status"] == 404


def test_removing_a_co_organiser_needs_no_answer_and_ends_its_access(client, runtime, week, umea_member):
    umea = week.other_organisation_id
    activity_id = published(client, runtime, week, co_organiser_ids=[umea])
    assert answer(client, activity_id, umea, week.outsider).status_code == 200
    run_jobs(runtime)
    url = f"/api/v1/activities/{activity_id}"
    assert client.get(url, headers=umea_member).status_code == 200
    etag = client.get(url, headers=week.organiser).headers["ETag"]
    removed = client.patch(url, json={"co_organiser_ids": []}, headers={**week.organiser, "If-Match": etag})
    assert removed.status_code == 200 and removed.get_json()["co_organisers"] == []
    run_jobs(runtime)
    assert client.get(url, headers=umea_member).status_code in (403, 404)
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["co_organisers"] == []
    assert actions(runtime, activity_id)[-1] == ("co_organiser_removed", umea)

    etag = removed.headers["ETag"]
    again = client.patch(url, json={"co_organiser_ids": [umea]}, headers={**week.organiser, "If-Match": etag})
    assert [o["status"] for o in again.get_json()["co_organisers"]] == ["pending"]  # asked anew
    assert [to for to, _, _ in mails(runtime)].count("ulf@umea.se") == 1  # but not mailed again within a week
    listed = client.get(f"/api/v1/organisations/{umea}/co-organiser-invitations", headers=week.outsider).get_json()["items"]
    assert [(i["activity_id"], i["status"]) for i in listed] == [(activity_id, "pending")]


def test_an_organisation_that_accepted_may_leave_by_declining(client, runtime, week, umea_member):
    umea = week.other_organisation_id
    activity_id = published(client, runtime, week, co_organiser_ids=[umea])
    assert answer(client, activity_id, umea, week.outsider).status_code == 200
    run_jobs(runtime)
    assert [o["id"] for o in client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["co_organisers"]] == [umea]

    left = answer(client, activity_id, umea, week.outsider, "decline")
    run_jobs(runtime)

    assert left.status_code == 200
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["co_organisers"] == []
    assert client.get(f"/api/v1/activities/{activity_id}", headers=umea_member).status_code == 404
    assert actions(runtime, activity_id)[-2:] == [("co_organiser_accepted", umea), ("co_organiser_declined", umea)]
    again = answer(client, activity_id, umea, week.outsider, "decline")
    assert problem_of(again)["status"] == 409 and "already declined" in problem_of(again)["detail"]
    assert problem_of(answer(client, activity_id, umea, week.outsider))["status"] == 409
