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


def test_a_coordinator_opens_the_national_webcast_form_and_is_told_what_is_missing(browser_page, base_url, week):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    sign_in_as_coordinator(page, base_url)
    page.locator("section.edition-card").first.get_by_role("link", name="Ny nationell webbsändning").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/webcasts/new")
    blocking = {"form": axe_violations(page)}
    page.get_by_label("Länk för att delta").fill("inte en länk")
    page.get_by_role("button", name="Lägg till webbsändningen").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Länk för att delta").input_value() == "inte en länk"
    blocking["refused"] = axe_violations(page)
    shoot(page, "sv-coordinator-webcast-refused")
    assert blocking == {"form": [], "refused": []}
