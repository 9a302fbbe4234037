"""Headers every answer carries: no sniffing, a referrer policy, a CSP on pages, no-store for
signed-in callers, CORS on the public read API only, and API docs with nothing from a CDN."""

from __future__ import annotations

import re

import pytest

from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.programme.test_programme import published

PROGRAMME = "/api/v1/editions/test-week/programme"
PARTNER_SITE = "https://kommunportalen.example"


@pytest.fixture
def activity_id(client, runtime, week):
    return published(client, runtime, week)


def answers(client, week, activity_id):
    """One answer of every kind: JSON, problem+json errors, a 304, pages, calendars, health."""
    first = client.get(PROGRAMME)
    return {
        "json": client.get("/api/v1/editions"),
        "not found": client.get("/api/v1/editions/no-such-week"),
        "unauthenticated": client.get("/api/v1/auth/me"),
        "invalid": client.get(f"{PROGRAMME}?limit=banana"),
        "not modified": client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]}),
        "calendar": client.get(f"/api/v1/programme/activities/{activity_id}.ics"),
        "atom": client.get("/api/v1/editions/test-week/programme.atom"),
        "page": client.get("/api/v1/registrations/no-such-link"),
        "docs": client.get("/api/docs"),
        "openapi": client.get("/api/openapi.json"),
        "health": client.get("/health"),
        "signed in": client.get("/api/v1/auth/me", headers=week.organiser),
        "no route": client.get("/nowhere"),
    }


def test_every_answer_forbids_sniffing_and_sets_a_referrer_policy(client, week, activity_id):
    for kind, response in answers(client, week, activity_id).items():
        assert response.headers.get("X-Content-Type-Options") == "nosniff", kind
        assert response.headers.get("Referrer-Policy") in ("strict-origin-when-cross-origin", "no-referrer"), kind
    assert answers(client, week, activity_id)["not modified"].status_code == 304


def test_pages_holding_a_secret_link_send_no_referrer(client):
    page = client.get("/registrations/no-such-link")

    assert page.mimetype == "text/html"
    assert page.headers["Referrer-Policy"] == "no-referrer"


def csp_of(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {name: value.strip() for name, _, value in (part.strip().partition(" ") for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/api/v1/registrations/no-such-link", "/api/docs"])
def test_html_pages_carry_a_content_security_policy_without_inline_script_or_framing(client, path):
    page = client.get(path)

    assert page.mimetype == "text/html"
    policy = csp_of(page)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy.get("script-src", "") and "unsafe-eval" not in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.get_data(as_text=True), "inline script would be blocked by the policy"


def test_the_cancel_page_keeps_its_look_under_the_policy(client):
    page = client.get("/registrations/no-such-link")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.get_data(as_text=True)).group(1)

    assert "<style>" not in page.get_data(as_text=True)
    with client.get(stylesheet) as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
        assert b"font-family" in css.data


def test_json_answers_carry_no_page_policy(client):
    assert "Content-Security-Policy" not in client.get("/api/v1/editions").headers


def test_signed_in_answers_are_never_stored_by_a_cache(client, week, activity_id):
    public = client.get(PROGRAMME)
    signed_in = client.get(PROGRAMME, headers=week.organiser)
    refused = client.get(PROGRAMME, headers={"Authorization": "Bearer not-a-token"})
    own = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser)

    assert public.headers["Cache-Control"].startswith("public")
    assert signed_in.status_code == 200 and signed_in.headers["Cache-Control"] == "no-store"
    assert refused.status_code == 401 and refused.headers["Cache-Control"] == "no-store"
    assert own.headers["Cache-Control"] == "no-store"


EXPOSED = {"etag", "link", "last-modified", "retry-after"}


def public_reads(activity_id: int) -> list[str]:
    return [
        PROGRAMME,
        "/api/v1/editions/test-week/feed?afterChangeNumber=0",
        "/api/v1/editions/test-week/programme.ics",
        "/api/v1/editions/test-week/programme.atom",
        "/api/v1/editions/test-week/statistics",
        f"/api/v1/programme/activities/{activity_id}",
        f"/api/v1/programme/activities/{activity_id}?format=jsonld",
        f"/api/v1/programme/activities/{activity_id}.ics",
        "/api/v1/editions",
        "/api/v1/editions/test-week",
        "/api/openapi.json",
    ]


def test_the_public_read_api_may_be_read_from_any_site_without_credentials(client, activity_id):
    for path in public_reads(activity_id):
        with client.get(path, headers={"Origin": PARTNER_SITE}) as response:  # closed, as a server closes a streamed answer
            assert response.status_code == 200, path
            assert response.headers.get("Access-Control-Allow-Origin") == "*", path
            assert "Access-Control-Allow-Credentials" not in response.headers, path
            exposed = {name.strip().lower() for name in response.headers["Access-Control-Expose-Headers"].split(",")}
            assert exposed >= EXPOSED, path


def test_a_public_error_and_a_304_are_readable_cross_site_too(client, activity_id):
    first = client.get(PROGRAMME)
    revalidated = client.get(PROGRAMME, headers={"Origin": PARTNER_SITE, "If-None-Match": first.headers["ETag"]})
    invalid = client.get(f"{PROGRAMME}?limit=banana", headers={"Origin": PARTNER_SITE})

    assert revalidated.status_code == 304 and revalidated.headers["Access-Control-Allow-Origin"] == "*"
    assert invalid.status_code == 422 and invalid.headers["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_on_the_public_programme_is_answered(client):
    preflight = client.options(
        PROGRAMME,
        headers={"Origin": PARTNER_SITE, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )

    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert {m.strip() for m in preflight.headers["Access-Control-Allow-Methods"].split(",")} == {"GET", "HEAD", "OPTIONS"}
    allowed_headers = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert "if-none-match" in allowed_headers
    assert "authorization" not in allowed_headers, "a partner site may never send credentials"
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_authenticated_endpoints_do_not_answer_cors_even_to_a_spoofed_origin(client, week, activity_id):
    for origin in (PARTNER_SITE, "http://localhost", "null"):
        own = client.get(f"/api/v1/activities/{activity_id}", headers={**week.organiser, "Origin": origin})
        refused = client.get("/api/v1/auth/me", headers={"Origin": origin})
        assert own.status_code == 200 and refused.status_code == 401
        assert "Access-Control-Allow-Origin" not in own.headers and "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/v1/auth/me", "GET"),
        ("/api/v1/editions/test-week", "PATCH"),  # the same path's GET is public
        ("/api/v1/editions/test-week/activities", "POST"),
        ("/api/v1/auth/tokens", "POST"),  # public, but not a read
    ],
)
def test_a_preflight_for_anything_but_a_public_read_gets_no_cors(client, week, path, method):
    preflight = client.options(
        path, headers={"Origin": PARTNER_SITE, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization"}
    )

    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Methods" not in preflight.headers


# --- the docs page, offline --------------------------------------------------------------------


def referenced_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_loads_swagger_ui_from_this_service_only(client):
    page = client.get("/api/docs")
    html = page.get_data(as_text=True)
    assets = referenced_assets(html)

    assert page.status_code == 200
    assert not re.search(r"https?://", html), "no CDN or other host"
    wanted = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    kinds = set()
    for asset in assets:
        assert asset.startswith("/"), asset
        suffix = asset[asset.rindex(".") :]
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            assert response.mimetype == wanted[suffix], asset
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        kinds.add(suffix)
    assert kinds >= {".js", ".css"}
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    assert csp_of(page)["script-src"] == "'self'"
