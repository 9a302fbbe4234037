"""The page a signed-in person gets where the API answers 403: it says who may, by the kind of
screen, and where this person can go instead, whether an organiser, a coordinator of another
week, or an account without any organisation yet."""

from __future__ import annotations

from tests.pages.test_coordinator import COORDINATOR, ORGANISER, week  # noqa: F401 (a fixture)
from tests.pages.test_organisations import MINE, organisation_id, sign_in_in_english
from tests.pages.test_sign_in import csrf_token

NEWCOMER = "ny@example.org"  # an account in no organisation, coordinating nothing


def test_an_organiser_on_a_coordinators_screen_is_told_who_may_and_sent_to_their_activities(client, week):  # noqa: F811
    sign_in_in_english(client, ORGANISER)

    page = client.get(f"/coordinator/editions/{week}/settings")

    assert page.status_code == 403
    assert page.headers["Cache-Control"] == "no-store"
    assert "Only the week&#39;s coordinators may open this page." in page.text
    assert 'href="/organiser/"' in page.text and "See your activities" in page.text
    assert "See the weeks you coordinate" not in page.text
    assert "Sign out" in page.text


def test_a_member_changing_what_only_owners_change_is_told_so(client, runtime, week):  # noqa: F811
    sign_in_in_english(client, COORDINATOR)  # owner of SKL, not of Linköping
    place = organisation_id(runtime, "Linköpings kommun")

    page = client.post(f"{MINE}{place}/delete", data={"csrf_token": csrf_token(client.get(MINE)), "confirm": "y"})

    assert page.status_code == 403
    assert "Only the organisation&#39;s owners may do this." in page.text
    assert "See the weeks you coordinate" in page.text


def test_an_account_without_an_organisation_is_shown_how_to_get_one(client, people, week):  # noqa: F811
    people.create(NEWCOMER)
    sign_in_in_english(client, NEWCOMER)

    page = client.get(f"/coordinator/editions/{week}/queue")

    assert page.status_code == 403
    assert "Your account does not belong to any organisation yet." in page.text
    assert f'href="{MINE}"' in page.text and "Create an organisation, or ask an owner of yours to add you" in page.text
    assert "See your activities" not in page.text
