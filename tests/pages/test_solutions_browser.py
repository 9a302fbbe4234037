"""In a real browser (headless Debian Chromium), over the demo: an organiser finds Linköping's 2019
study visit with its material on /solutions, builds on it with a new activity in the demo's next
week, a coordinator approves it, and both public entries show the link; then the organiser copies
their own 2019 activity into the new week. axe-core finds no serious or critical violation on the
pages of the journey."""

from __future__ import annotations

from urllib.parse import urlsplit

from innovationsweek.demo import EDITION_SLUG
from tests.conftest import need, run_jobs
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, week  # noqa: F401 (a fixture)
from tests.pages.test_drafts import local_start
from tests.pages.test_drafts_browser import sign_in_as, sign_out
from tests.pages.test_solutions import VISIT, activity_id

TITLE = "Digitala medarbetare i hemtjänsten, steg två"


def test_an_organiser_finds_a_solution_builds_on_it_and_copies_an_activity_forward(browser_page, base_url, runtime, week):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    run_jobs(runtime)  # what the demo's reuse link asked for
    page = browser_page
    blocking: dict[str, list[str]] = {}
    sign_in_as(page, base_url, ORGANISER)

    page.get_by_role("link", name="Solutions to build on").click()
    page.get_by_label("Search").fill("hemtjänsten")
    page.get_by_label("Only with material to reuse").check()
    page.get_by_role("button", name="Show solutions").click()
    card = page.locator("article.solution").filter(has=page.get_by_role("link", name=VISIT, exact=True))
    assert card.get_by_role("link", name="Bilder: Digitala medarbetare i hemtjänsten (PDF)").is_visible()
    assert card.get_by_text("How to reuse it").is_visible()
    blocking["solutions"] = axe_violations(page)
    shoot(page, "en-solutions")

    card.get_by_role("link", name="Build on this").click()
    blocking["build on"] = axe_violations(page)
    page.get_by_role("link", name="New activity in Innovation Week 2027").click()
    assert page.locator("#reuses").is_checked()
    starts = local_start(runtime, week)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Vi bygger vidare på Linköpings digitala medarbetare.")
    page.get_by_label("Format").select_option(label="Webcast")
    page.get_by_label("Attendance").select_option(label="Online")
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Ends").fill(starts.replace("T10:00", "T11:00"))
    page.get_by_label("Link to join").fill("https://www.linkoping.se/innovationsveckan/steg-tva")
    page.get_by_label("Swedish").check()
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(lambda url: urlsplit(url).path.split("/")[-1].isdigit())
    blocking["draft that builds on"] = axe_violations(page)
    new_id = int(urlsplit(page.url).path.split("/")[-1])
    page.get_by_role("button", name="Save and submit").click()
    page.get_by_text("It is submitted: the automatic checks run first.").wait_for()  # before the checks run
    run_jobs(runtime)
    sign_out(page, base_url)

    sign_in_as(page, base_url, COORDINATOR)
    page.goto(f"{base_url}/coordinator/activities/{new_id}")
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send the decision").click()
    page.wait_for_load_state()
    run_jobs(runtime)  # the publish job, and the earlier entry's after it
    sign_out(page, base_url)

    reused = activity_id(runtime, VISIT, EDITION_SLUG)
    page.goto(f"{base_url}/activities/{new_id}")
    assert page.locator("#reuses").get_by_role("link", name=VISIT).is_visible()
    page.goto(f"{base_url}/activities/{reused}")
    assert page.locator("#reused-by").get_by_role("link", name=TITLE).is_visible()
    blocking["activity built on"] = axe_violations(page)
    shoot(page, "en-activity-built-on")

    sign_in_as(page, base_url, ORGANISER)
    page.goto(f"{base_url}/organiser/activities/{reused}")
    page.get_by_label("Week", exact=True).select_option(label="Innovation Week 2027")
    page.get_by_role("button", name="Copy into this week").click()
    page.wait_for_url(lambda url: urlsplit(url).path.split("/")[-1].isdigit() and int(urlsplit(url).path.split("/")[-1]) != reused)
    assert page.get_by_text("Copied into Innovation Week 2027 as a new draft.").is_visible()
    assert page.get_by_label("Title").input_value() == VISIT
    assert page.locator("#reuses").is_checked()  # it builds on the original
    blocking["copy"] = axe_violations(page)
    assert blocking == {"solutions": [], "build on": [], "draft that builds on": [], "activity built on": [], "copy": []}
