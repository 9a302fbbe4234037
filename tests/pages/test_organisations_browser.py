"""Organisation screens in a real browser (headless Debian Chromium): an organiser answers an
invitation, creates an organisation after a mistake, and makes a member an owner. axe-core
finds no serious or critical violation on any of the screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import PASSWORD, need
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_organisations import COORDINATOR, ORGANISER, invite


def test_an_organiser_creates_an_organisation_and_manages_its_members(browser_page, base_url, runtime, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    _activity_id, title = invite(runtime, "Linköpings kommun")
    page = browser_page
    page.goto(f"{base_url}/login?lang=en")
    page.get_by_label("Email address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")
    page.get_by_role("link", name="Your organisations, their members and invitations to co-organise").click()
    page.wait_for_url("**/organiser/organisations/")
    blocking = {"list": axe_violations(page)}
    shoot(page, "en-organisations")

    page.get_by_role("listitem").filter(has_text=title).get_by_role("button", name="Accept").click()
    assert page.get_by_text("No invitations are waiting for your answer.").is_visible()

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
    assert page.get_by_role("row", name="Marianne Löfgren").get_by_text("Owner", exact=True).is_visible()
    blocking["organisation"] = axe_violations(page)
    shoot(page, "en-organisation")
    assert blocking == {"list": [], "invalid": [], "organisation": []}
