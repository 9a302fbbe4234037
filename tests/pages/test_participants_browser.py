"""An organiser in a real browser (headless Debian Chromium) opens the participants of an activity
from their home, then reports on an activity after the event, first with a mistake. axe-core
finds no serious or critical violation on any of these screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import PASSWORD, need
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_participants import ORGANISER, coming, linkoping_activity  # noqa: F401


def test_an_organiser_sees_the_participants_and_reports_after_the_event(browser_page, base_url, runtime, coming):  # noqa: F811
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    past = linkoping_activity(runtime, past=True)
    page = browser_page
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Svenska", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label("E-postadress").fill(ORGANISER)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")
    blocking = {"home": axe_violations(page)}

    page.locator(f'a[href="/organiser/activities/{coming}/participants"]').click()
    page.wait_for_url(f"**/organiser/activities/{coming}/participants")
    confirmed = page.get_by_role("table", name="Bekräftade deltagare")
    assert confirmed.get_by_role("cell", name="Åsa Ek").is_visible()
    assert page.get_by_role("table", name="Väntelistan, först i kön överst").get_by_role("cell", name="Cecilia Berg").is_visible()
    blocking["participants"] = axe_violations(page)
    shoot(page, "sv-organiser-participants")

    page.goto(f"{base_url}/organiser/activities/{past}/report")
    page.get_by_label("Kom på plats").fill("-3")
    page.locator("#links-0-title").fill("Bilder (PDF)")
    page.locator("#links-0-url").fill("https://example.org/bilder.pdf")
    page.get_by_role("button", name="Spara rapporten").click()
    assert page.get_by_role("alert").get_by_role("link", name="Kom på plats: Ett heltal från 0 och uppåt.").is_visible()
    assert page.locator("#links-0-url").input_value() == "https://example.org/bilder.pdf"
    blocking["report refused"] = axe_violations(page)
    shoot(page, "sv-organiser-report-refused")

    page.get_by_label("Kom på plats").fill("42")
    page.get_by_role("button", name="Spara rapporten").click()
    assert page.get_by_role("status").filter(has_text="Rapporten är sparad.").is_visible()
    assert page.get_by_label("Kom på plats").input_value() == "42"
    blocking["report"] = axe_violations(page)
    shoot(page, "sv-organiser-report")
    assert blocking == {"home": [], "participants": [], "report refused": [], "report": []}
