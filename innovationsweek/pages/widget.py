"""The partner widget: an edition's programme, filtered, on a partner's own site, either as one
script tag (``/embed.js``, which reads the public JSON API from its own origin and draws into a
Shadow DOM) or as an iframe page (``/editions/{slug}/embed``, server-rendered, no script).

Neither sets a cookie or asks any other host for anything. The script's words come from the
catalogue, rendered into it for every language, so the one file serves every partner."""

from __future__ import annotations

import json

from flask import Response, render_template, request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from innovationsweek.api.headers import PAGE_POLICY
from innovationsweek.editions.models import LANGUAGES
from innovationsweek.pages import labels
from innovationsweek.pages.views import bp, programme_listing

EMBED_LIMIT = 20
# The default policy with one change: any site may frame this page.
FRAMEABLE_POLICY = PAGE_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *")
# The script changes with a deployment only; partners' visitors keep it an hour.
SCRIPT_CACHE = "public, max-age=3600, stale-while-revalidate=86400"
WIDGET_MESSAGES = {
    "heading": _l("Programme"),
    "loading": _l("Loading the programme…"),
    "empty": _l("No activities match right now."),
    "failed": _l("The programme could not be loaded. Try again later."),
    "whole": _l("See the whole programme"),
    "online": _l("Online"),
    "cancelled": _l("Cancelled"),
}


@bp.get("/editions/<slug:slug>/embed")
def embed_page(slug: str) -> Response:
    response = programme_listing(slug, "embed.html", with_highlights=False, default_limit=EMBED_LIMIT)
    response.headers["Content-Security-Policy"] = FRAMEABLE_POLICY
    return response


@bp.get("/embed.js")
def embed_script() -> Response:
    script = render_template("pages/embed.js", words=json.dumps(_words_in_every_language(), ensure_ascii=False))
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = SCRIPT_CACHE
    response.add_etag()
    return response.make_conditional(request)


def _words_in_every_language() -> dict[str, dict[str, object]]:
    words: dict[str, dict[str, object]] = {}
    for language in LANGUAGES:
        with force_locale(language):
            words[language] = {
                **{key: str(text) for key, text in WIDGET_MESSAGES.items()},
                "formats": {code.value: str(text) for code, text in labels.FORMATS.items()},
            }
    return words
