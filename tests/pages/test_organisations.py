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
    client.post(f"{MINE}{place}/invitations/{activity_id}/accept", data={"csrf_token": csrf_token(page)})
    with runtime.database.sessions() as session:
        assert session.get(CoOrganiser, (activity_id, place)).status == CoOrganiserStatus.ACCEPTED
    assert "No invitations are waiting for your answer." in client.get(MINE).text


def test_the_organiser_home_links_to_the_organisations(client, demo_data):
    sign_in_in_english(client, ORGANISER)
    assert f'href="{MINE}"' in client.get("/organiser/").text
