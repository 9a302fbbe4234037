"""The organisers' organisation screens: creating one, its members and their roles, who may
manage them, and answering an invitation to co-organise."""

from __future__ import annotations

import sqlalchemy as sa

from innovationsweek.activities.models import Activity, CoOrganiser, CoOrganiserStatus
from innovationsweek.organisations.models import MemberRole, Membership, Organisation
from tests.pages.test_sign_in import csrf_token, sign_in

ORGANISER = "organiser@example.org"  # owner of Linköpings kommun
COORDINATOR = "coordinator@example.org"  # owner of Sveriges Kommuner och Landsting only
MINE = "/organiser/organisations/"


def sign_in_in_english(client, email: str) -> None:
    sign_in(client, email)
    client.set_cookie("lang", "en")  # what the assertions read


def organisation_id(runtime, name: str) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(Organisation.id).where(Organisation.name == name))


def role_in(runtime, name: str, email: str) -> MemberRole | None:
    with runtime.database.sessions() as session:
        return session.scalar(
            sa.select(Membership.role).join(Organisation).join(Membership.user).where(Organisation.name == name, sa.text("users.email = :email")),
            {"email": email},
        )


def invite(runtime, name: str) -> tuple[int, str]:
    """Another host's activity names the organisation co-organiser: its id and title."""
    place = organisation_id(runtime, name)
    with runtime.database.unit_of_work() as session:
        activity = session.scalars(sa.select(Activity).where(Activity.organisation_id != place).order_by(Activity.id)).first()
        session.add(CoOrganiser(activity_id=activity.id, organisation_id=place))
        return activity.id, activity.title


def test_my_organisations_list_my_role_and_a_created_one_lands_in_the_database(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    page = client.get(MINE)
    assert page.status_code == 200 and "Linköpings kommun" in page.text and "Owner" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    created = client.post(
        MINE,
        data={"csrf_token": csrf_token(page), "name": "Norrköpings kommun", "kind": "municipality", "country": "se", "region": "Östergötland"},
        follow_redirects=True,
    )
    assert created.status_code == 200 and "<h1>Norrköpings kommun</h1>" in created.text
    assert role_in(runtime, "Norrköpings kommun", ORGANISER) == MemberRole.OWNER
    assert "Norrköpings kommun" in client.get(MINE).text


def test_invalid_input_keeps_the_typed_values_answers_at_the_fields_and_creates_nothing(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    token = csrf_token(client.get(MINE))
    with runtime.database.sessions() as session:
        before = session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    page = client.post(MINE, data={"csrf_token": token, "name": "Motala kommun", "kind": "municipality", "country": "Sweden", "website": "not a link"})
    assert page.status_code == 400
    assert 'value="Motala kommun"' in page.text and 'value="Sweden"' in page.text
    assert 'id="country-error"' in page.text and 'id="website-error"' in page.text and 'href="#country"' in page.text
    duplicate = client.post(MINE, data={"csrf_token": token, "name": "Linköpings kommun", "kind": "municipality", "country": "SE"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.text
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == before


def test_a_missing_name_does_not_hide_the_other_refused_fields(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    token = csrf_token(client.get(MINE))

    page = client.post(MINE, data={"csrf_token": token, "name": "", "kind": "municipality", "country": "Sweden", "website": "example.org"})

    assert page.status_code == 400
    assert all(f'href="#{name}"' in page.text for name in ("name", "country", "website"))  # all three at once
    assert "Enter the organisation's name." in page.text  # the form's own words for the name


def test_an_owner_adds_a_member_changes_the_role_and_removes_them(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    place = organisation_id(runtime, "Linköpings kommun")
    page = client.get(f"{MINE}{place}")
    token = csrf_token(page)
    unknown = client.post(f"{MINE}{place}/members", data={"csrf_token": token, "email": "nobody@example.org", "role": "member"})
    assert unknown.status_code == 400 and "No account has this email address." in unknown.text and 'value="nobody@example.org"' in unknown.text
    added = client.post(f"{MINE}{place}/members", data={"csrf_token": token, "email": COORDINATOR, "role": "member"}, follow_redirects=True)
    assert "Marianne Löfgren" in added.text and role_in(runtime, "Linköpings kommun", COORDINATOR) == MemberRole.MEMBER
    client.post(f"{MINE}{place}/members", data={"csrf_token": token, "email": COORDINATOR, "role": "owner"})
    assert role_in(runtime, "Linköpings kommun", COORDINATOR) == MemberRole.OWNER
    with runtime.database.sessions() as session:
        coordinator_id = session.scalar(sa.text("SELECT id FROM users WHERE email = :email"), {"email": COORDINATOR})
    client.post(f"{MINE}{place}/members/{coordinator_id}/remove", data={"csrf_token": token})
    assert role_in(runtime, "Linköpings kommun", COORDINATOR) is None


def test_the_last_owner_cannot_step_down(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    place = organisation_id(runtime, "Linköpings kommun")
    token = csrf_token(client.get(f"{MINE}{place}"))
    refused = client.post(f"{MINE}{place}/members", data={"csrf_token": token, "email": ORGANISER, "role": "member"})
    assert refused.status_code == 400 and "at least one owner" in refused.text
    assert role_in(runtime, "Linköpings kommun", ORGANISER) == MemberRole.OWNER


def test_a_non_member_neither_sees_nor_manages_the_members(client, runtime, demo_data):
    sign_in_in_english(client, COORDINATOR)
    place = organisation_id(runtime, "Linköpings kommun")
    assert client.get(f"{MINE}{place}").status_code == 404
    token = csrf_token(client.get(MINE))
    refused = client.post(f"{MINE}{place}/members", data={"csrf_token": token, "email": COORDINATOR, "role": "owner"})
    assert refused.status_code in (403, 404)
    assert role_in(runtime, "Linköpings kommun", COORDINATOR) is None


def test_a_plain_member_sees_the_list_read_only(client, runtime, demo_data):
    place = organisation_id(runtime, "Linköpings kommun")
    with runtime.database.unit_of_work() as session:
        coordinator_id = session.scalar(sa.text("SELECT id FROM users WHERE email = :email"), {"email": COORDINATOR})
        session.add(Membership(organisation_id=place, user_id=coordinator_id, role=MemberRole.MEMBER))
    sign_in_in_english(client, COORDINATOR)
    page = client.get(f"{MINE}{place}")
    assert page.status_code == 200 and "Oskar Organisatör" in page.text
    assert "Add a member" not in page.text and "Remove" not in page.text


def test_an_owner_accepts_an_invitation_to_co_organise(client, runtime, demo_data):
    place = organisation_id(runtime, "Linköpings kommun")
    activity_id, title = invite(runtime, "Linköpings kommun")
    sign_in_in_english(client, ORGANISER)
    page = client.get(MINE)
    assert title in page.text and "Accept" in page.text
    answered = client.post(f"{MINE}{place}/invitations/{activity_id}/accept", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    with runtime.database.sessions() as session:
        assert session.get(CoOrganiser, (activity_id, place)).status == CoOrganiserStatus.ACCEPTED
    assert "No invitations are waiting for your answer." in answered.text
    assert f"Linköpings kommun co-organises “{title}”." in answered.text  # not just gone from the list


def test_the_organiser_home_links_to_the_organisations(client, demo_data):
    sign_in_in_english(client, ORGANISER)
    assert f'href="{MINE}"' in client.get("/organiser/").text


def details_form(token: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": token, "name": "Linköpings kommun", "kind": "municipality", "country": "SE", "region": "Östergötland",
            "website": "https://www.linkoping.se", **changes}


def make_member(runtime, name: str, email: str, role: MemberRole) -> None:
    with runtime.database.unit_of_work() as session:
        user_id = session.scalar(sa.text("SELECT id FROM users WHERE email = :email"), {"email": email})
        session.add(Membership(organisation_id=organisation_id(runtime, name), user_id=user_id, role=role))


def test_an_owner_changes_the_details_and_an_emptied_field_is_cleared(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    place = organisation_id(runtime, "Linköpings kommun")
    page = client.get(f"{MINE}{place}")
    assert 'value="Linköpings kommun"' in page.text  # the form holds the details as they are

    saved = client.post(f"{MINE}{place}", data=details_form(csrf_token(page), name="Linköpings kommun (Innovationslabbet)", region=""),
                        follow_redirects=True)

    assert "The organisation&#39;s details are saved." in saved.text
    with runtime.database.sessions() as session:
        changed = session.get(Organisation, place)
        assert (changed.name, changed.region) == ("Linköpings kommun (Innovationslabbet)", None)


def test_a_name_taken_or_a_bad_website_is_refused_at_its_field_and_changes_nothing(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    place = organisation_id(runtime, "Linköpings kommun")
    token = csrf_token(client.get(f"{MINE}{place}"))

    taken = client.post(f"{MINE}{place}", data=details_form(token, name="Malmö stad"))
    bad = client.post(f"{MINE}{place}", data=details_form(token, website="linkoping"))

    assert taken.status_code == bad.status_code == 400
    assert 'id="name-error"' in taken.text and "already exists in this country" in taken.text and 'value="Malmö stad"' in taken.text
    assert 'id="website-error"' in bad.text and 'value="linkoping"' in bad.text
    with runtime.database.sessions() as session:
        unchanged = session.get(Organisation, place)
        assert (unchanged.name, unchanged.website) != ("Malmö stad", "linkoping") and unchanged.name == "Linköpings kommun"
        assert unchanged.website != "linkoping"


def test_a_plain_member_may_not_change_or_delete_the_organisation(client, runtime, demo_data):
    make_member(runtime, "Linköpings kommun", COORDINATOR, MemberRole.MEMBER)
    place = organisation_id(runtime, "Linköpings kommun")
    sign_in_in_english(client, COORDINATOR)
    page = client.get(f"{MINE}{place}")
    assert "Save the details" not in page.text and "Delete Linköpings kommun" not in page.text

    changed = client.post(f"{MINE}{place}", data=details_form(csrf_token(page), name="Kapad"))
    deleted = client.post(f"{MINE}{place}/delete", data={"csrf_token": csrf_token(page), "confirm": "y"})

    assert changed.status_code == deleted.status_code == 403
    assert "Only the organisation&#39;s owners may do this." in deleted.text
    with runtime.database.sessions() as session:
        assert session.get(Organisation, place).name == "Linköpings kommun" and session.get(Organisation, place).deleted_at is None


def test_an_owner_deletes_the_organisation_after_confirming_and_its_drafts_are_withdrawn(client, runtime, demo_data):
    sign_in_in_english(client, ORGANISER)
    place = organisation_id(runtime, "Linköpings kommun")
    token = csrf_token(client.get(f"{MINE}{place}"))

    unconfirmed = client.post(f"{MINE}{place}/delete", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and 'id="confirm-error"' in unconfirmed.text
    deleted = client.post(f"{MINE}{place}/delete", data={"csrf_token": token, "confirm": "y"}, follow_redirects=True)

    assert "Linköpings kommun is deleted." in deleted.text
    assert "You are not a member of any organisation yet." in deleted.text
    assert client.get(f"{MINE}{place}").status_code == 404
    with runtime.database.sessions() as session:
        statuses = set(session.scalars(sa.select(Activity.status).where(Activity.organisation_id == place)))
    assert "draft" not in statuses and "withdrawn" in statuses


def test_a_member_leaves_but_the_last_owner_cannot(client, runtime, demo_data):
    make_member(runtime, "Linköpings kommun", COORDINATOR, MemberRole.MEMBER)
    place = organisation_id(runtime, "Linköpings kommun")
    sign_in_in_english(client, ORGANISER)
    refused = client.post(f"{MINE}{place}/leave", data={"csrf_token": csrf_token(client.get(MINE))})
    assert refused.status_code == 409 and "You are its only owner" in refused.text
    assert role_in(runtime, "Linköpings kommun", ORGANISER) == MemberRole.OWNER
    client.post("/logout", data={"csrf_token": csrf_token(client.get(MINE))})

    sign_in_in_english(client, COORDINATOR)
    left = client.post(f"{MINE}{place}/leave", data={"csrf_token": csrf_token(client.get(MINE))}, follow_redirects=True)

    assert "You have left Linköpings kommun." in left.text
    assert role_in(runtime, "Linköpings kommun", COORDINATOR) is None
