"""Coordinators in a real browser (headless Debian Chromium): one approves an edit from the queue
after reading its diff, and it reaches the public programme; one rejects three activities at
once with a preset reason, and a larger bulk decision runs as a job whose status page follows its
progress by itself, without reloading, and stops asking once it is done. axe-core finds no serious or critical violation on any screen."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from innovationsweek.activities.models import ActivityStatus
from innovationsweek.moderation import bulk
from tests.conftest import PASSWORD, need, run_jobs
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_bulk_decision_job import few_while_waiting  # noqa: F401 (a fixture)
from tests.pages.test_coordinator import COORDINATOR, published_activity, status_of, submit_edit, submit_webcasts, week  # noqa: F401

NEW_TITLE = "Studiebesök: Digitala medarbetare i hemtjänsten och i skolan"
TITLES = ["Hackathon om öppna data", "Frukostmöte om tillit", "Workshop om tjänstedesign"]


def sign_in_as_coordinator(page, base_url: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="Svenska", exact=True).click()  # the switch's cookie keeps it
    page.wait_for_load_state()
    page.get_by_label("E-postadress").fill(COORDINATOR)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")  # the demo coordinator belongs to SKL
    page.get_by_role("link", name="Samordning").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/coordinator/")


def test_a_coordinator_approves_an_edit_after_reading_its_diff_and_it_is_published(browser_page, base_url, client, runtime, week):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    activity_id = published_activity(runtime, week, "Studiebesök")
    submit_edit(client, runtime, activity_id, title=NEW_TITLE)
    page = browser_page

    sign_in_as_coordinator(page, base_url)
    blocking = {"home": axe_violations(page)}
    shoot(page, "sv-coordinator-home")
    page.locator("section.edition-card").first.get_by_role("link", name="Granskningskö").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/queue")
    assert page.get_by_text("Ändring av en publicerad aktivitet").first.is_visible()
    blocking["queue"] = axe_violations(page)
    shoot(page, "sv-coordinator-queue")

    page.get_by_role("link", name=NEW_TITLE).click()
    page.wait_for_url(f"**/coordinator/activities/{activity_id}")
    title_row = page.locator("#field-title")
    assert title_row.locator(".diff__old").inner_text() == "Studiebesök: Digitala medarbetare i hemtjänsten"
    assert title_row.locator(".diff__new").inner_text() == NEW_TITLE
    assert page.locator("table.diff tbody tr").count() == 1  # only the title changed
    page.get_by_label("Godkänn").check()
    page.get_by_role("button", name="Förhandsgranska mejlet").click()
    assert page.get_by_text(f"Godkänd: {NEW_TITLE}").is_visible()
    blocking["review"] = axe_violations(page)
    shoot(page, "sv-coordinator-review")
    page.get_by_label("Godkänn").check()
    page.get_by_role("button", name="Skicka beslutet").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/queue")
    assert page.get_by_role("status").filter(has_text="godkänd").is_visible()

    run_jobs(runtime)  # the publish job
    page.goto(f"{base_url}/editions/{week}?lang=sv")
    assert page.get_by_role("link", name=NEW_TITLE).is_visible()
    assert blocking == {"home": [], "queue": [], "review": []}


def reject_in_bulk(page, base_url: str, week: str) -> None:  # noqa: F811
    """The coordinator signs in, ticks the three in the queue and rejects them with a preset reason."""
    sign_in_as_coordinator(page, base_url)
    page.goto(f"{base_url}/coordinator/editions/{week}/queue")
    for title in TITLES:
        page.get_by_role("checkbox", name=f"Välj {title}").check()
    page.get_by_label("Avslå").check()
    page.get_by_label("Färdigt skäl").select_option(label="Aktiviteten hör inte till veckans tema.")
    shoot(page, "sv-coordinator-bulk")
    page.get_by_role("button", name="Besluta om de valda aktiviteterna").click()


def test_a_coordinator_rejects_three_at_once_with_a_preset_reason(browser_page, base_url, client, runtime, week, link_server):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    ids = submit_webcasts(client, runtime, week, link_server, TITLES)
    page = browser_page

    reject_in_bulk(page, base_url, week)
    page.wait_for_url(f"**/coordinator/editions/{week}/decisions")

    assert page.get_by_text("3 av 3 beslutade.").is_visible()
    for title in TITLES:
        assert re.search("Avslagen", page.get_by_role("row").filter(has_text=title).inner_text())
    blocking = axe_violations(page)
    shoot(page, "sv-coordinator-decisions")
    for activity_id in ids:
        assert status_of(runtime, activity_id) == (ActivityStatus.REJECTED, "Aktiviteten hör inte till veckans tema.")
    assert blocking == []


def test_a_bulk_decision_made_by_a_job_shows_its_progress_and_then_each_outcome_by_itself(
    browser_page, base_url, client, runtime, week, link_server, few_while_waiting,  # noqa: F811
):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    ids = submit_webcasts(client, runtime, week, link_server, TITLES)
    page = browser_page

    reject_in_bulk(page, base_url, week)
    page.wait_for_url(re.compile(r".*/coordinator/jobs/\d+$"))
    bulk_id = int(page.url.rsplit("/", 1)[1])

    assert page.get_by_label("Beslutar: 0 av 3 klara.").is_visible()  # the progress bar, named by its label
    expect(page.get_by_text("Sidan visar själv hur långt det har kommit")).to_be_visible()  # shown only where the script runs
    blocking = {"running": axe_violations(page)}
    shoot(page, "sv-coordinator-job-running")
    page.evaluate("window.notReloaded = true")  # gone if the page reloaded itself
    with runtime.database.unit_of_work() as session:
        bulk.decide_next(session, bulk_id, ids[0])

    expect(page.get_by_label("Beslutar: 1 av 3 klara.")).to_be_visible(timeout=15_000)  # nobody reloaded it
    assert "Avslagen" in page.get_by_role("row").filter(has_text=TITLES[0]).inner_text()
    run_jobs(runtime)

    expect(page.get_by_role("status").filter(has_text="3 av 3 beslutade.")).to_be_visible(timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("progress").count() == 0
    for title in TITLES:
        assert "Avslagen" in page.get_by_role("row").filter(has_text=title).inner_text()
    blocking["finished"] = axe_violations(page)
    shoot(page, "sv-coordinator-job-finished")
    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/coordinator/jobs/" in request.url else None)
    page.wait_for_timeout(5_000)  # more than two of its intervals
    assert polls == []  # done: it stopped asking
    assert all(status_of(runtime, activity_id)[0] == ActivityStatus.REJECTED for activity_id in ids)
    assert blocking == {"running": [], "finished": []}
