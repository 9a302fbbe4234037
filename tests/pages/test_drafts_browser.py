"""An organiser in a real browser (headless Debian Chromium) drafts an activity, submits it, is
shown the blocking finding at the venue, fixes it and submits again; a coordinator approves it from
the queue and it is in the public programme; an organiser of another organisation cannot open it.
An organiser fills the contact, topics and photo notice and invites a co-organiser, refused at the
email first with everything kept.
axe-core finds no serious or critical violation on the form."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

from innovationsweek.activities.models import ActivityStatus, CoOrganiser, CoOrganiserStatus
from tests.conftest import PASSWORD, need, run_jobs
from tests.pages.test_browser import AXE, axe_violations, shoot
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, week  # noqa: F401
from tests.pages.test_drafts import OTHER, create_draft, local_start, organisation_named, other_organiser, stored  # noqa: F401
from tests.pages.test_sign_in import sign_in

TITLE = "Workshop: tjänstedesign i kommunen"


def sign_in_as(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="English", exact=True).click()  # the switch's cookie keeps it
    page.wait_for_load_state()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page, base_url: str) -> None:
    page.goto(f"{base_url}/organiser/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_an_organiser_drafts_fixes_a_finding_and_the_approved_activity_is_published(browser_page, base_url, runtime, week, other_organiser):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    starts = local_start(runtime, week)

    sign_in_as(page, base_url, ORGANISER)
    page.get_by_role("link", name="New activity").click()
    page.get_by_role("link", name="Innovation Week 2027").click()
    page.wait_for_url(f"**/organiser/activities/new?edition={week}")
    assert page.get_by_text("Deadline for submissions:").is_visible()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Vi provar metoderna tillsammans.")
    page.get_by_label("Format").select_option(label="Workshop")
    page.get_by_label("Attendance").select_option(label="On site")
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Ends").fill(starts.replace("T10:00", "T08:00"))  # before the start: refused
    page.get_by_label("Swedish").check()
    page.get_by_label("Employees in the public sector").check()
    page.get_by_label("Spread").check()
    page.get_by_role("button", name="Save the draft").click()

    assert page.locator(".error-summary").get_by_role("link", name="Ends").is_visible()
    assert page.get_by_label("Title").input_value() == TITLE  # kept as typed
    blocking = {"refused form": axe_violations(page)}
    shoot(page, "en-draft-refused")
    page.get_by_label("Ends").fill(starts.replace("T10:00", "T12:00"))
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(lambda url: urlsplit(url).path.split("/")[-1].isdigit())
    activity_id = int(urlsplit(page.url).path.split("/")[-1])

    page.get_by_role("button", name="Save and submit").click()
    run_jobs(runtime)  # the automatic checks
    page.reload()
    assert page.locator("#venue .finding--block").filter(has_text="No complete venue").is_visible()
    blocking["finding"] = axe_violations(page)
    shoot(page, "en-draft-finding")
    page.get_by_label("Venue name").fill("Stadshuset")
    page.get_by_label("Street address").fill("Drottninggatan 45")
    page.get_by_label("Municipality").fill("Linköping")
    page.get_by_role("button", name="Save and submit").click()
    run_jobs(runtime)
    assert stored(runtime, activity_id).status == ActivityStatus.IN_REVIEW
    sign_out(page, base_url)

    sign_in_as(page, base_url, COORDINATOR)
    page.goto(f"{base_url}/coordinator/editions/{week}/queue")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Send the decision").click()
    page.wait_for_url(f"**/coordinator/editions/{week}/queue")
    run_jobs(runtime)  # the publish job
    page.goto(f"{base_url}/editions/{week}")
    assert page.get_by_role("link", name=TITLE).is_visible()
    sign_out(page, base_url)

    sign_in_as(page, base_url, OTHER)
    answer = page.goto(f"{base_url}/organiser/activities/{activity_id}")
    assert answer.status == 404
    assert TITLE not in page.content()
    assert blocking == {"refused form": [], "finding": []}


def test_an_organiser_fills_contact_topics_photo_notice_and_invites_a_co_organiser(browser_page, base_url, runtime, week):  # noqa: F811
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    starts = local_start(runtime, week)
    sign_in_as(page, base_url, ORGANISER)
    page.goto(f"{base_url}/organiser/activities/new?edition={week}")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Format").select_option(label="Workshop")
    page.get_by_label("Attendance").select_option(label="Online")
    page.get_by_label("Starts").fill(starts)
    page.get_by_label("Ends").fill(starts.replace("T10:00", "T12:00"))
    page.get_by_label("Topics").fill("tjänstedesign, medborgardialog")
    page.get_by_label("Contact person").fill("Anna Berg")
    page.get_by_label("Contact email address", exact=True).fill("anna.berg")  # no address: refused
    page.get_by_label("Show the contact email address").check()
    page.get_by_label("Notice about photos and film").fill("Vi spelar in workshoppen.")
    page.get_by_label("Invite an organisation to co-organise").select_option(label="Umeå kommun (SE)")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.locator(".error-summary").get_by_role("link", name="Contact email address")).to_be_visible()
    assert page.get_by_label("Topics").input_value() == "tjänstedesign, medborgardialog"
    assert page.get_by_label("Show the contact email address").is_checked()
    assert page.get_by_label("Invite an organisation to co-organise").input_value() != ""
    blocking = {"refused": axe_violations(page)}
    shoot(page, "en-draft-every-field-refused")
    page.get_by_label("Contact email address", exact=True).fill("anna.berg@example.org")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(lambda url: urlsplit(url).path.split("/")[-1].isdigit())

    assert page.get_by_label("Umeå kommun (invited, no answer yet)").is_checked()
    assert page.get_by_label("Notice about photos and film").input_value() == "Vi spelar in workshoppen."
    blocking["saved"] = axe_violations(page)
    shoot(page, "en-draft-every-field-saved")
    activity = stored(runtime, int(urlsplit(page.url).path.split("/")[-1]))
    assert (activity.contact_email, activity.contact_email_public, activity.topics) == ("anna.berg@example.org", True, ["tjänstedesign", "medborgardialog"])
    assert blocking == {"refused": [], "saved": []}


def test_a_co_organiser_reads_the_activity_without_a_form_to_change_it(browser_page, base_url, client, runtime, week, other_organiser):  # noqa: F811
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    sign_in(client, ORGANISER)
    norrkoping = organisation_named(runtime, "Norrköpings kommun")
    activity_id = create_draft(client, runtime, week, co_organiser_ids_add=str(norrkoping))
    with runtime.database.unit_of_work() as session:
        session.get(CoOrganiser, (activity_id, norrkoping)).status = CoOrganiserStatus.ACCEPTED
    page = browser_page

    sign_in_as(page, base_url, OTHER)
    page.get_by_role("region", name="Activities you co-organise").get_by_role("link", name="Workshop om tjänstedesign").click()
    page.wait_for_url(f"**/organiser/activities/{activity_id}")

    expect(page.get_by_text("Only members of Linköpings kommun, its host, change this activity")).to_be_visible()
    expect(page.get_by_label("Title")).to_be_disabled()
    expect(page.get_by_role("button", name="Save the draft")).to_have_count(0)
    blocking = axe_violations(page)
    shoot(page, "en-draft-co-organiser")
    assert blocking == []
