"""A coordinator in a real browser (headless Debian Chromium) changes the submission deadline,
is refused a week that ends before it starts, and reads both logs; axe-core finds no serious or
critical violation on these screens."""

from __future__ import annotations

from tests.conftest import need
from tests.pages.test_browser import AXE, axe_violations, shoot
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
