"""The partner widget: /embed.js, one script tag that draws the filtered programme into a
partner's page on another site, and /editions/{slug}/embed, the same as an iframe page."""

from __future__ import annotations

import gzip
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from innovationsweek.demo import EDITION_SLUG
from tests.conftest import need
from tests.pages.test_browser import AXE, axe_violations, shoot

EMBED = f"/editions/{EDITION_SLUG}/embed"
REGION = "Östergötland"


def programme_titles(client, **filters) -> list[str]:
    response = client.get(f"/api/v1/editions/{EDITION_SLUG}/programme", query_string={"limit": 100, **filters})
    return [item["title"] for item in response.get_json()["items"]]


def test_the_script_is_small_cacheable_javascript_with_every_language(client, demo_data):
    response = client.get("/embed.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert len(gzip.compress(response.data)) < 15_000
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    for words in ("Se hela programmet", "Se hele programmet", "See the whole programme"):
        assert words in response.text
    assert client.get("/embed.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_iframe_page_shows_the_filtered_programme_and_may_be_framed_anywhere(client, demo_data):
    response = client.get(EMBED, query_string={"region": REGION, "lang": "da"})

    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in response.headers
    assert '<html lang="da">' in response.text
    titles = programme_titles(client, region=REGION)
    assert titles and all(title in response.text for title in titles)
    others = set(programme_titles(client)) - set(titles)
    assert others and not any(f">{title}</a>" in response.text for title in others)
    assert 'target="_top"' in response.text
    assert client.get(EMBED, query_string={"region": REGION, "lang": "da"}, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_a_bad_filter_in_the_iframe_is_named(client, demo_data):
    response = client.get(EMBED, query_string={"format": "juggling", "lang": "en"})

    assert response.status_code == 400
    assert "Format: Choose a format from the list." in response.text


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def partner_site(tmp_path: Path, base_url: str):
    """A partner's page on another origin (another port), with the README's script tag and an
    iframe of the embed page."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>Östergötlands kommuner</title><link rel='icon' href='data:,'>"
        "<style>body{font-family:Georgia,serif} a{color:red}</style></head><body><main><h1>Innovationsveckan i länet</h1>"
        f'<script src="{base_url}/embed.js" data-edition="{EDITION_SLUG}" data-region="{REGION}" data-lang="sv" '
        'data-limit="20" async></script></main></body></html>'
    )
    (tmp_path / "frame.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Partner</title><link rel='icon' href='data:,'></head><body><main>"
        f'<iframe title="Programme" src="{base_url}{EMBED}?region={REGION}&lang=en" width="600" height="500"></iframe>'
        "</main></body></html>"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_partner_page_on_another_origin_shows_only_its_region(browser_page, client, base_url, partner_site, demo_data):
    need(AXE.is_file(), f"{AXE} (npm install axe-core@4)")
    page = browser_page
    origins: set[str] = set()
    complaints: list[str] = []
    page.on("request", lambda r: origins.add(r.url.split("/")[2]))
    page.on("console", lambda m: complaints.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(str(error)))

    page.goto(f"{partner_site}/index.html")
    widget = page.locator(".innovationsweek-widget li")
    widget.first.wait_for()

    expected = programme_titles(client, region=REGION)
    shown = [link.inner_text() for link in page.locator(".innovationsweek-widget li a").all()]
    assert shown == expected
    assert page.locator(".innovationsweek-widget").get_by_role("link", name="Se hela programmet").is_visible()
    assert page.evaluate("document.querySelector('.innovationsweek-widget').shadowRoot !== null")
    assert page.context.cookies() == []
    assert origins <= {partner_site.split("/")[2], base_url.split("/")[2]}
    assert complaints == []
    blocking = {"widget": axe_violations(page)}
    shoot(page, "sv-partner-widget")

    page.goto(f"{partner_site}/frame.html")
    frame = page.frame_locator("iframe")
    frame.locator(".embed__item").first.wait_for()
    assert frame.locator(".embed__item a").all_inner_texts() == expected
    shoot(page, "en-partner-iframe")
    page.goto(f"{base_url}{EMBED}?region={REGION}&lang=en")
    blocking["embed"] = axe_violations(page)

    assert blocking == {"widget": [], "embed": []}


@pytest.mark.parametrize("query", ["limit=abc", "limit=0", "featured=maybe", "organisation_kind=guild"])
@pytest.mark.parametrize("path", [f"/editions/{EDITION_SLUG}", EMBED])
def test_a_refused_parameter_outside_the_form_is_a_400_naming_it(client, demo_data, path, query):
    response = client.get(f"{path}?{query}&lang=en")

    assert response.status_code == 400
    name = query.split("=")[0]
    assert ("Number of activities" if name == "limit" else name) in response.text
