"""The coordinators' statistics and national webcasts in a real browser: reached from the
coordination home, and axe-core finds no serious or critical violation."""

from __future__ import annotations

from tests.conftest import need
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_coordinator import week  # noqa: F401 (a fixture)
from tests.pages.test_coordinator_browser import sign_in_as_coordinator


def test_a_coordinator_reads_the_statistics(browser_page, base_url, week):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    sign_in_as_coordinator(page, base_url)
    page.locator("section.edition-card").first.get_by_role("link", name="Statistik").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/statistics")
    assert page.get_by_role("heading", name="Per format").is_visible()
    assert page.get_by_role("img", name="Per region").is_visible()
    blocking = axe_violations(page)
    shoot(page, "sv-coordinator-statistics")
    assert blocking == []
