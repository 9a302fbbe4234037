"""An organiser signs in in a real browser (headless Debian Chromium), by keyboard, sees their
activities, chooses the language of their mails and signs out; axe-core finds no serious or critical
violation on any of the screens."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.conftest import PASSWORD, need
from tests.pages.test_browser import AXE, axe_violations, shoot


def test_an_organiser_signs_in_by_keyboard_and_out_again(browser_page, base_url, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page

    page.goto(f"{base_url}/organiser/")
    page.wait_for_url("**/login?next=**")
    page.get_by_role("link", name="Svenska", exact=True).click()  # the switch's cookie keeps it
    page.wait_for_load_state()
    blocking = {"login": axe_violations(page)}
    shoot(page, "sv-login")
    page.get_by_label("E-postadress").fill("organiser@example.org")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/organiser/")  # back where they were going

    assert page.get_by_role("heading", name="Mina aktiviteter").is_visible()
    assert page.get_by_role("cell", name="Publicerad").count() > 0
    blocking["home"] = axe_violations(page)
    shoot(page, "sv-organiser-home")

    # The account screen: the language of one's mails chosen by keyboard.
    page.get_by_role("link", name="Lösenord och språk i dina mejl").click()
    page.get_by_role("radio", name="Dansk").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Spara språk").click()
    assert page.get_by_text("Sparat: dina mejl kommer på danska.").is_visible()
    blocking["account"] = axe_violations(page)
    shoot(page, "sv-account-mail-language")

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/login?signed_out=1")
    assert page.get_by_text("Du är utloggad.").is_visible()
    page.goto(f"{base_url}/organiser/")
    assert "/login" in page.url
    assert blocking == {"login": [], "home": [], "account": []}
