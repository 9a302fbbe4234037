"""The public pages: the programme of an edition and each activity's page, server-rendered
(nothing needs JavaScript), over the same service functions as the public API."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import flask
import marshmallow as ma
from flask import Response, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from innovationsweek.activities.models import Audience, Format
from innovationsweek.api.caching import cached
from innovationsweek.api.context import db
from innovationsweek.api.programme import ProgrammeQuerySchema, programme_filters
from innovationsweek.api.urls import public_base_url
from innovationsweek.db import utcnow
from innovationsweek.editions.models import LANGUAGES, Edition
from innovationsweek.errors import Invalid, NotFound
import innovationsweek.pages.labels as labels
from innovationsweek.pages.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, page_language
from innovationsweek.programme import formats
from innovationsweek.programme import service as programme
from innovationsweek.programme.models import ProgrammeEntry

bp = flask.Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")

HIGHLIGHTS = 6
FILTER_FIELDS = ("q", "format", "region", "theme", "language", "audience", "from", "to")
# What a visitor is told next to a field the API's schema refused, in the page's language.
FIELD_ERRORS = {
    "q": _l("Enter at most 200 characters."),
    "format": _l("Choose a format from the list."),
    "region": _l("Enter at most 100 characters."),
    "theme": _l("Choose a theme from the list."),
    "language": _l("Choose a language from the list."),
    "audience": _l("Choose an audience from the list."),
    "from": _l("Enter the date as year-month-day."),
    "to": _l("Enter the date as year-month-day, not before the first day."),
}
FIELD_LABELS = {
    "q": _l("Search"),
    "format": _l("Format"),
    "region": _l("Region"),
    "theme": _l("Theme"),
    "language": _l("Language"),
    "audience": _l("Audience"),
    "from": _l("From"),
    "to": _l("To"),
}


@bp.get("/")
def home() -> BaseResponse:
    edition = programme.current_edition(db(), utcnow())
    return redirect(url_for("pages.programme_page", slug=edition.slug, **lang_in_url()))


@bp.get("/language")
def switch_language() -> BaseResponse:
    """The language switch: remembers the choice in a cookie and goes back to the page."""
    language = request.args.get("lang")
    target = local_path(request.args.get("next", "/"))
    response = redirect(target, 303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure)
    return response


@bp.get("/editions/<slug:slug>")
def programme_page(slug: str) -> Response:
    edition = _use_edition(programme.open_programme(db(), slug))
    values = {name: _chosen(name) for name in FILTER_FIELDS}
    errors = _filter_errors()
    if errors:
        return render_page("programme.html", 400, edition=edition, values=values, errors=errors, days=[], highlights=[])
    query = ProgrammeQuerySchema(unknown=ma.EXCLUDE).load(_schema_input())
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    filters = programme_filters(query)

    def build() -> Response:
        page = programme.programme_page(db(), edition, filters, cursor=cursor, limit=limit)
        highlights = [] if cursor else programme.highlights(db(), edition, filters, limit=HIGHLIGHTS)
        more = _url_with(cursor=page.next_cursor) if page.next_cursor else None
        return render_page(
            "programme.html", 200, edition=edition, values=values, errors={}, days=_by_day(page.items),
            highlights=highlights, total=page.total, more=more,
        )

    return _cached(programme.programme_version(db(), edition), build)


@bp.get("/activities/<id:activity_id>")
def activity_page(activity_id: int) -> Response:
    entry = programme.public_entry(db(), activity_id)
    edition = _use_edition(programme.edition_of(db(), entry))

    def build() -> Response:
        event = formats.json_ld(entry, base_url=public_base_url())
        return render_page(
            "activity.html", 200, edition=edition, entry=entry, data=entry.data, related=programme.related_entries(db(), entry),
            json_ld=_script_json(event),
        )

    return _cached(programme.programme_version(db(), edition), build)


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    return render_page("error.html", 404, heading=_("Page not found"), message=_("There is no such page, or it is not public yet."))


@bp.errorhandler(Invalid)
def invalid(error: Invalid) -> Response:
    return render_page("error.html", 400, heading=_("This link no longer works"), message=_("Go back to the programme and start again."))


# --- helpers ----------------------------------------------------------------------------------


def _use_edition(edition: Edition) -> Edition:
    g.edition = edition  # for the language's last resort and the time zone
    return edition


def render_page(template: str, status: int, **context: Any) -> Response:
    choice = page_language()
    response = Response(render_template(f"pages/{template}", **context, **_page_context(choice.language)), status=status)
    _vary(response, choice.vary)
    return response


def _cached(version: programme.ProgrammeVersion, build: Any) -> Response:
    choice = page_language()
    response = cached(version, build, vary="Accept", variant=choice.language)
    _vary(response, choice.vary)
    return response


def _vary(response: Response, headers: str) -> None:
    for header in filter(None, (h.strip() for h in headers.split(","))):
        response.vary.add(header)


# Each language in its own words, for the switch: a visitor finds their own language.
OWN_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}


def _page_context(language: str) -> dict[str, Any]:
    edition = g.get("edition")
    return {
        "language": language,
        "own_names": OWN_NAMES,
        "in_language": lambda names: labels.in_language(names, language),
        "edition_name": labels.in_language(edition.name, language) if edition is not None else "",
        "edition_theme": labels.in_language(edition.theme, language) if edition is not None else "",
        "first_day": to_user_timezone(edition.starts_at).date().isoformat() if edition is not None else "",
        "languages": [(code, _switch_url(code)) for code in LANGUAGES],
        "labels": labels,
        "field_labels": FIELD_LABELS,
        "Format": Format,
        "Audience": Audience,
        "LANGUAGES": LANGUAGES,
    }


def _switch_url(language: str) -> str:
    here = request.full_path.rstrip("?")
    return url_for("pages.switch_language", lang=language, next=here)


def lang_in_url() -> dict[str, str]:
    asked = request.args.get("lang")
    return {"lang": asked} if asked in LANGUAGES else {}


def local_path(target: str) -> str:
    """Only a path on this site: a switch link must not send anyone elsewhere."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _chosen(name: str) -> str:
    return request.args.get(name, "").strip()


def _schema_input() -> dict[str, Any]:
    """The query as the API's schema reads it; the form's empty choices mean "any"."""
    fields = ProgrammeQuerySchema().fields.values()
    loaded: dict[str, Any] = {}
    for field in fields:
        key = field.data_key or field.name
        values = [value.strip() for value in request.args.getlist(key) if value.strip()]
        if values:
            loaded[key] = values if isinstance(field, ma.fields.List) else values[0]
    return loaded


def _filter_errors() -> dict[str, str]:
    """Each refused filter with its message; {} when the API would accept them all."""
    refused = ProgrammeQuerySchema(unknown=ma.EXCLUDE).validate(_schema_input())
    keys = {_data_key(name) for name in refused}
    return {key: str(FIELD_ERRORS.get(key, _l("Check this value."))) for key in FILTER_FIELDS if key in keys}


def _data_key(name: str) -> str:
    field = ProgrammeQuerySchema().fields.get(name)
    return (field.data_key or name) if field is not None else name


def _url_with(**changes: str) -> str:
    args = request.args.to_dict(flat=False)
    args.update({key: [value] for key, value in changes.items()})
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def _by_day(entries: Iterable[ProgrammeEntry]) -> list[tuple[date, list[ProgrammeEntry]]]:
    """Entries grouped by their first day in the edition's time zone, in order."""
    return [
        (day, list(group)) for day, group in itertools.groupby(entries, key=lambda entry: to_user_timezone(entry.starts_at).date())
    ]


def _script_json(value: Any) -> Markup:
    """JSON safe inside ``<script type="application/ld+json">``: no ``</script>`` can end it."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
