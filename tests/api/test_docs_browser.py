"""The docs page in a real browser: Swagger UI renders the operations under the page's
Content-Security-Policy, loading nothing from another host.

Needs Debian's Chromium at /usr/bin/chromium (``make test`` installs it where it can, see the
Makefile); without it the test is skipped locally and fails with CI=true.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from innovationsweek.cli import QuietRequestHandler
from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root. The rest keeps Chromium from calling home during the test.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _need(ready: bool, what: str) -> None:
    if not ready:
        if IN_CI:
            pytest.fail(f"{what} is missing (make test installs it)", pytrace=False)
        pytest.skip(f"{what} is missing: apt-get install chromium; pip install -e '.[test]'")


@pytest.fixture
def base_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser_page():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    _need(sync_playwright is not None, "playwright (python)")
    _need(CHROMIUM.is_file(), str(CHROMIUM))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_swagger_ui_renders_the_operations_under_the_pages_policy(browser_page, base_url, tmp_path):
    page = browser_page
    complaints: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: complaints.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )

    page.goto(f"{base_url}/api/docs")
    page.wait_for_selector(".opblock", timeout=60_000)
    page.screenshot(path=str(tmp_path / "docs.png"))
    editions = page.locator("#operations-editions-get_api_v1_editions")
    editions.locator(".opblock-summary").click()
    editions.locator("button.try-out__btn").click()
    editions.locator("button.execute").click()
    status = editions.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=60_000)
    status.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "tried.png"))

    assert page.locator(".opblock").count() >= 50, "every operation is listed"
    assert "innovationsweek" in page.locator(".info .title").inner_text()
    assert status.inner_text().strip() == "200", "Try it out reaches the API"
    assert complaints == []
    assert requested and all(url.startswith(base_url) for url in requested), requested
