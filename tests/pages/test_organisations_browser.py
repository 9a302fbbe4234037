"""Organisation screens in a real browser (headless Debian Chromium): an organiser answers an
invitation, creates an organisation after a mistake, and makes a member an owner; an owner renames
one after a refusal, deletes it after confirming and, as the last owner, cannot leave another; an
organiser on a coordinator's screen is told who may. axe-core finds no serious or critical
violation on any of the screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import PASSWORD, need
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_coordinator import week  # noqa: F401 (a fixture)
from tests.pages.test_organisations import COORDINATOR, ORGANISER, invite


def sign_in_in_english(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login?lang=en")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")


def test_an_organiser_creates_an_organisation_and_manages_its_members(browser_page, base_url, runtime, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    _activity_id, title = invite(runtime, "Linköpings kommun")
    page = browser_page
    sign_in_in_english(page, base_url, ORGANISER)
    page.get_by_role("link", name="Your organisations, their members and invitations to co-organise").click()
    page.wait_for_url("**/organiser/organisations/")
    blocking = {"list": axe_violations(page)}
    shoot(page, "en-organisations")

    page.get_by_role("listitem").filter(has_text=title).get_by_role("button", name="Accept").click()
    expect(page.get_by_text("No invitations are waiting for your answer.")).to_be_visible()

    page.get_by_label("Name").fill("Norrköpings kommun")
    page.get_by_label("Country code").fill("Sweden")
    page.get_by_role("button", name="Create organisation").click()
    assert page.get_by_label("Name").input_value() == "Norrköpings kommun"
    blocking["invalid"] = axe_violations(page)
    shoot(page, "en-organisations-invalid")
    page.get_by_label("Country code").fill("SE")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_selector("h1:has-text('Norrköpings kommun')")

    page.get_by_label("Email address").fill(COORDINATOR)
    page.get_by_role("button", name="Add member").click()
    page.get_by_role("row", name="Marianne Löfgren").get_by_role("button", name="Make owner").click()
    expect(page.get_by_role("row", name="Marianne Löfgren").get_by_text("Owner", exact=True)).to_be_visible()
    blocking["organisation"] = axe_violations(page)
    shoot(page, "en-organisation")
    assert blocking == {"list": [], "invalid": [], "organisation": []}


def test_an_owner_renames_and_deletes_an_organisation_and_a_member_leaves_one(browser_page, base_url, runtime, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    sign_in_in_english(page, base_url, COORDINATOR)  # owner of SKL
    page.goto(f"{base_url}/organiser/organisations/")
    page.get_by_label("Name").fill("Testkommunen")
    page.get_by_label("Country code").fill("SE")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_selector("h1:has-text('Testkommunen')")

    details = page.get_by_role("region", name="The organisation's details")
    details.get_by_label("Name").fill("Malmö stad")  # taken in Sweden
    details.get_by_role("button", name="Save the details").click()
    expect(page.locator(".error-summary").get_by_role("link", name="Name")).to_be_visible()
    blocking = {"refused details": axe_violations(page)}
    details.get_by_label("Name").fill("Testkommunen i Östergötland")
    details.get_by_label("Region").fill("Östergötland")
    details.get_by_role("button", name="Save the details").click()
    page.wait_for_selector("h1:has-text('Testkommunen i Östergötland')")
    expect(page.get_by_role("status").filter(has_text="The organisation's details are saved.")).to_be_visible()

    page.get_by_role("button", name="Delete Testkommunen i Östergötland").click()
    expect(page.locator(".error-summary").get_by_role("link", name="I understand")).to_be_visible()
    blocking["unconfirmed deletion"] = axe_violations(page)
    shoot(page, "en-organisation-delete-unconfirmed")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Delete Testkommunen i Östergötland").click()
    page.wait_for_url("**/organiser/organisations/")
    expect(page.get_by_role("status").filter(has_text="Testkommunen i Östergötland is deleted.")).to_be_visible()

    page.get_by_role("link", name="Sveriges Kommuner och Landsting").click()
    page.get_by_role("button", name="Leave Sveriges Kommuner och Landsting").click()  # the only owner
    expect(page.get_by_role("alert").filter(has_text="You are its only owner")).to_be_visible()
    blocking["last owner"] = axe_violations(page)
    shoot(page, "en-organisation-last-owner")
    assert blocking == {"refused details": [], "unconfirmed deletion": [], "last owner": []}


def test_the_forbidden_page_tells_an_organiser_who_may_and_where_to_go(browser_page, base_url, runtime, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    sign_in_in_english(page, base_url, ORGANISER)

    answer = page.goto(f"{base_url}/coordinator/editions/innovationsveckan-2019/queue")

    assert answer.status == 403
    expect(page.get_by_text("Only the week's coordinators may open this page.")).to_be_visible()
    blocking = axe_violations(page)
    shoot(page, "en-forbidden")
    page.get_by_role("link", name="See your activities").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")
    assert blocking == []


def test_the_tables_fit_a_phones_screen(browser_page, base_url, week):  # noqa: F811 (week: a fixture)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_in_english(page, base_url, COORDINATOR)  # an organiser at SKL too

    for path in ("/organiser/", f"/coordinator/editions/{week}/queue", f"/coordinator/editions/{week}/audit"):
        page.goto(f"{base_url}{path}?lang=da")  # Danish: the longest words ("Innovationsugen", "Offentliggjort")
        shoot(page, "da-phone-" + path.strip("/").replace("/", "-"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path  # no sideways scrolling of the whole page
