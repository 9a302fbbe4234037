"""A visitor registers in a real browser (headless Debian Chromium), in Swedish, Danish and
English: filters next year's programme to study visits, opens the one that takes registrations,
forgets the photo choice and is told so, then registers with the keyboard's ways (labels, Tab,
Space, Enter) and reads the confirmation in their language. axe-core finds no serious or
critical violation on the form, the error and the confirmation page; the confirmation mail
arrives at a real SMTP server (aiosmtpd on loopback) once the jobs have run, and its cancel link
opens a page in the registration's language whose button cancels.

Screenshots go to test-artifacts/pages/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import need, run_jobs
from tests.notifications.test_email import settings, smtp  # noqa: F401 (fixtures: a real SMTP server, the app sends to it)
from tests.pages.test_browser import AXE, axe_violations, shoot

WORDS = {  # what the visitor reads and uses, per language
    "sv": {
        "switch": "Svenska", "format": "Studiebesök", "submit": "Visa aktiviteter", "name": "Namn", "email": "E-postadress",
        "workplace": "Arbetsplats", "position": "Befattning eller roll", "no_photos": "Nej, jag vill inte synas på bild eller film",
        "consent": "Jag har läst integritetstexten", "register": "Anmäl dig", "problem": "Något behöver rättas",
        "photo_error": "Välj om du får synas på bild och film.", "done": "Du är anmäld",
        "inbox": "Titta i din inkorg efter bekräftelsen och länken för att avboka.",
        "cancel": "Avboka min plats", "cancelled": "Din anmälan är avbokad",
    },
    "da": {
        "switch": "Dansk", "format": "Studiebesøg", "submit": "Vis aktiviteter", "name": "Navn", "email": "E-mailadresse",
        "workplace": "Arbejdsplads", "position": "Stilling eller rolle", "no_photos": "Nej, jeg vil ikke være med på billeder eller film",
        "consent": "Jeg har læst privatlivserklæringen", "register": "Tilmeld dig", "problem": "Der er et problem",
        "photo_error": "Vælg, om du må være med på billeder og film.", "done": "Du er tilmeldt",
        "inbox": "Se i din indbakke efter bekræftelsen og linket til at afmelde dig.",
        "cancel": "Afmeld mig", "cancelled": "Din tilmelding er afmeldt",
    },
    "en": {
        "switch": "English", "format": "Study visit", "submit": "Show activities", "name": "Name", "email": "Email",
        "workplace": "Workplace", "position": "Position or role", "no_photos": "No, I do not want to appear in photos or film",
        "consent": "I have read the privacy notice", "register": "Register", "problem": "There is a problem",
        "photo_error": "Choose whether you may appear in photos and film.", "done": "You are registered",
        "inbox": "Check your inbox for the confirmation and the cancel link.",
        "cancel": "Cancel my registration", "cancelled": "Your registration is cancelled",
    },
}
TITLE = "Studiebesök: Digitala medarbetare i hemtjänsten"


@pytest.mark.parametrize("language", ["sv", "da", "en"])
def test_a_visitor_registers_by_keyboard_and_the_mail_arrives(browser_page, base_url, demo_data, runtime, smtp, language):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    words = WORDS[language]
    address = f"besokare.{language}@example.org"
    complaints: list[str] = []
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))

    page.goto(f"{base_url}/")  # next year's week
    page.get_by_role("link", name=words["switch"], exact=True).click()
    page.wait_for_load_state()
    page.select_option("#filter-format", label=words["format"])
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url("**format=study_visit**")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url("**/activities/*")
    assert page.locator("html").get_attribute("lang") == language
    blocking = {"form": axe_violations(page)}
    shoot(page, f"{language}-registration-form")

    page.get_by_label(words["name"], exact=True).fill("Vera Visare")
    page.get_by_label(words["email"], exact=True).fill(address)
    page.get_by_label(words["workplace"], exact=True).fill("Linköpings kommun")
    page.get_by_label(words["position"], exact=True).fill("Utvecklingsledare")
    page.get_by_label(words["consent"]).press("Space")  # ticks the box; the photo choice is forgotten
    page.get_by_role("button", name=words["register"], exact=True).press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and words["problem"] in summary.inner_text()
    assert words["photo_error"] in page.locator("#reg-photo_consent-error").inner_text()
    assert page.get_by_label(words["name"], exact=True).input_value() == "Vera Visare"  # kept
    blocking["error"] = axe_violations(page)
    shoot(page, f"{language}-registration-error")

    summary.get_by_role("link").first.press("Enter")  # the summary leads to the field
    page.get_by_label(words["no_photos"]).press("Space")
    assert page.get_by_label(words["no_photos"]).is_checked()
    page.get_by_label(words["consent"]).check()  # the notice was shown again: consent again if unticked
    page.get_by_role("button", name=words["register"], exact=True).press("Enter")
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == words["done"]
    assert words["inbox"] in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == language
    blocking["confirmation"] = axe_violations(page)
    shoot(page, f"{language}-registration-confirmation")

    run_jobs(runtime)
    [message] = [m for m in smtp.messages if m["To"] == address]
    body = message.get_body(("plain",)).get_content()
    assert TITLE in message["Subject"] and TITLE in body
    # The mail's cancel link opens a page in the language of the registration, whose button cancels.
    link = re.search(r"/registrations/iwr_[A-Za-z0-9_-]+\?lang=[a-z]{2}", body).group(0)
    page.context.clear_cookies()  # as in the mail program: no language cookie from the visit
    page.goto(f"{base_url}{link}")
    assert page.locator("html").get_attribute("lang") == language
    assert TITLE in page.locator("main").inner_text()
    blocking["cancel"] = axe_violations(page)
    shoot(page, f"{language}-registration-cancel")
    page.get_by_role("button", name=words["cancel"], exact=True).press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == words["cancelled"]
    blocking["cancelled"] = axe_violations(page)
    assert blocking == {"form": [], "error": [], "confirmation": [], "cancel": [], "cancelled": []}
    assert complaints == []
