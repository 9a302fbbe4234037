"""A coordinator in a real browser (headless Debian Chromium) changes the submission deadline,
is refused a week that ends before it starts, and reads both logs; puts a new privacy notice in
use after a refused version name and reads the one it replaced; axe-core finds no serious or
critical violation on these screens."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import need
from tests.pages.test_browser import ARTIFACTS, AXE, axe_violations, shoot
from tests.pages.test_coordinator import week  # noqa: F401 (a fixture)
from tests.pages.test_coordinator_browser import sign_in_as_coordinator
from tests.pages.test_edition_settings import edition


def test_a_coordinator_changes_the_deadline_and_reads_the_logs(browser_page, base_url, runtime, week):  # noqa: F811
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    sign_in_as_coordinator(page, base_url)
    page.locator("section.edition-card").first.get_by_role("link", name="Inställningar").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/settings")
    blocking = {"settings": axe_violations(page)}
    shoot(page, "sv-coordinator-settings")

    deadline = page.get_by_label("Sista dag för anmälan av aktiviteter")
    later = deadline.input_value()[:11] + "21:37"  # the same day, at another time
    deadline.fill(later)
    page.get_by_role("button", name="Spara datumen").click()
    assert page.get_by_role("status").filter(has_text="Datumen är sparade.").is_visible()
    assert deadline.input_value() == later
    assert edition(runtime, week).submissions_close_at.minute == 37

    page.get_by_label("Veckan slutar").fill("2020-01-01T10:00")
    page.get_by_role("button", name="Spara datumen").click()
    assert page.get_by_role("link", name="Veckan måste sluta efter att den börjar.").is_visible()
    blocking["refused"] = axe_violations(page)
    shoot(page, "sv-coordinator-settings-refused")

    page.goto(f"{base_url}/coordinator/editions/{week}/audit")
    assert page.locator("table.log tbody tr").filter(has_text="edition_changed").count() == 1
    blocking["audit"] = axe_violations(page)
    shoot(page, "sv-coordinator-audit")
    page.goto(f"{base_url}/coordinator/editions/{week}/access-log")
    blocking["access"] = axe_violations(page)
    assert blocking == {"settings": [], "refused": [], "audit": [], "access": []}


def test_a_coordinator_puts_a_new_privacy_notice_in_use_and_reads_the_one_it_replaced(browser_page, base_url, runtime, week):  # noqa: F811
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    first = edition(runtime, week)
    page = browser_page
    sign_in_as_coordinator(page, base_url)
    page.goto(f"{base_url}/coordinator/editions/{week}/settings#privacy-notice")
    notice = page.locator("#privacy-notice")
    expect(notice.get_by_text("Det finns inga tidigare versioner.")).to_be_visible()

    notice.get_by_label("Ny version").fill(first.privacy_notice_version)  # the name in use: refused
    notice.get_by_label("Svensk text").fill("Vi sparar namn och e-post till och med december.")
    notice.get_by_role("button", name="Använd den nya versionen").click()
    expect(page.locator(".error-summary").get_by_role("link", name="Ny version")).to_be_visible()
    assert notice.get_by_label("Svensk text").input_value() == "Vi sparar namn och e-post till och med december."
    blocking = {"refused": axe_violations(page)}
    notice.get_by_label("Ny version").fill("2027-2")
    notice.get_by_role("button", name="Använd den nya versionen").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/settings#privacy-notice")

    expect(notice.get_by_role("heading", name="Version 2027-2, används nu")).to_be_visible()
    earlier = notice.locator("details.notice-version")
    assert earlier.count() == 1
    earlier.get_by_text(f"Version {first.privacy_notice_version}, i bruk från").click()  # opens it
    expect(earlier.get_by_text(first.privacy_notice["sv"])).to_be_visible()
    blocking["versions"] = axe_violations(page)
    notice.screenshot(path=str(ARTIFACTS / "sv-coordinator-notice-versions.png"))
    assert edition(runtime, week).privacy_notice_version == "2027-2"
    assert blocking == {"refused": [], "versions": []}
