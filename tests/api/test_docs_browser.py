"""The docs page in a real browser: Swagger UI renders the operations under the page's
Content-Security-Policy, loading nothing from another host.

Needs Debian's Chromium (the ``browser_page`` fixture in tests/conftest.py): without it the
test is skipped locally and fails with CI=true.
"""

from __future__ import annotations

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
