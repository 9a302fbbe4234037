"""The public pages: the programme of an edition and each activity's page, server-rendered
(nothing needs JavaScript), over the same service functions as the public API."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlsplit

import flask
import marshmallow as ma
from flask import Response, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from innovationsweek.activities.models import Audience, Format
from innovationsweek.api.caching import LIST_CACHE, cached
from innovationsweek.api.context import db, runtime
from innovationsweek.api.limits import rate_limited
from innovationsweek.api.programme import ProgrammeQuerySchema, open_programme_state, programme_filters, programme_page_of
from innovationsweek.api.urls import public_base_url
from innovationsweek.db import utcnow
from innovationsweek.editions.models import LANGUAGES, Edition
from innovationsweek.errors import Conflict, Invalid, NotFound
import innovationsweek.pages.forms as forms
import innovationsweek.pages.labels as labels
from innovationsweek.pages.i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, page_language
from innovationsweek.programme import formats
from innovationsweek.programme import service as programme
from innovationsweek.programme.cache import ProgrammeVersion
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.registrations import service as registrations
from innovationsweek.solutions import links as reuse

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
    "limit": _l("Enter a whole number from 1 to 500."),
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
    "limit": _l("Number of activities"),
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
    return programme_listing(slug, "programme.html", with_highlights=True)


def programme_listing(slug: str, template: str, *, with_highlights: bool, default_limit: int | None = None) -> Response:
    """An edition's programme filtered as the API filters it, day by day, rendered with
    ``template``: the programme page, or the partners' widget in an iframe. A refused filter is a
    400 naming it; an accepted query is cached by the edition's change number."""
    edition = use_edition(programme.open_programme(db(), slug))
    values = {name: _chosen(name) for name in FILTER_FIELDS}
    choices = _filter_choices(edition)
    errors = filter_errors()
    if errors:
        return render_page(template, 400, edition=edition, values=values, errors=errors, days=[], highlights=[], **choices)
    query = ProgrammeQuerySchema(unknown=ma.EXCLUDE).load(schema_input())
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    if default_limit is not None and "limit" not in request.args:
        limit = default_limit
    filters = programme_filters(query)
    state = open_programme_state(slug)

    def build() -> Response:
        page = programme_page_of(state, filters, cursor=cursor, limit=limit)
        highlights = programme.highlights(db(), edition, filters, limit=HIGHLIGHTS) if with_highlights and not cursor else []
        more = url_with(cursor=page.next_cursor) if page.next_cursor else None
        return render_page(
            template, 200, edition=edition, values=values, errors={}, days=_by_day(page.items),
            highlights=highlights, total=page.total, more=more, **choices,
        )

    return cached_page(state.version, build)


def _filter_choices(edition: Edition) -> dict[str, dict[str, Any]]:
    """What the programme's filters offer besides the fixed codes: the edition's themes (in its
    order, named per language) and the languages."""
    return {
        "themes": {theme["key"]: theme.get("label") for theme in edition.themes or []},
        "language_names": {code: labels.language_name(code) for code in LANGUAGES},
    }


# A page with the registration form carries the visitor's own CSRF token, tied to their session
# cookie: no shared cache may keep it (another visitor would get a token that is not theirs), so
# it is "private", and "no-cache" as the seats left change without the programme changing. Its
# ETag names, besides the programme's change number, the seats left and the visitor's session
# token (hashed), so the browser's own copy is revalidated with a 304 as long as it is still
# right for this visitor, and rendered anew when anything on it would differ. A page without
# the form (closed, started, cancelled, elsewhere) sets no cookie and keeps the public caching.
FORM_PAGE_CACHE = "private, no-cache"
# Where Flask-WTF keeps the visitor's CSRF secret in the session (its default field name).
CSRF_SESSION_KEY = "csrf_token"
# Why registration is not possible here, for the visitor (the service's 409 reasons).
REFUSALS = {
    "cancelled": _l("This activity is cancelled: it takes no registrations."),
    "not_registered_here": _l("Registration for this activity is on the organiser's own site."),
    "closed": _l("The organiser has closed registration for this activity."),
    "started": _l("This activity has already started: registration is over."),
    "no_privacy_notice": _l("Registration is not open yet: the privacy notice is missing."),
    "notice_changed": _l("The privacy notice changed after the form was shown. Read the new text below and consent again."),
}
CSRF_REFUSED = _l("The form had expired or did not come from this page. Check your details and send the form again.")


@bp.get("/activities/<id:activity_id>")
def activity_page(activity_id: int) -> Response:
    entry = programme.public_entry(db(), activity_id)
    edition = use_edition(programme.edition_of(db(), entry))
    opening = registrations.availability(db(), entry)
    version = open_programme_state(edition.slug).version
    if opening.refusal is not None:
        return cached_page(version, lambda: _activity(entry, edition, opening, 200), variant=opening.refusal)
    generate_csrf()  # before the ETag, which names the visitor's token
    variant = f"seats-{opening.seats_left}-{_token_tag()}"
    return cached_page(version, lambda: _activity(entry, edition, opening, 200), variant=variant, cache_control=FORM_PAGE_CACHE)


@bp.post("/activities/<id:activity_id>/registrations")
@rate_limited("registration")  # the API's registration limit, counted together with it
def register(activity_id: int) -> Response:
    g.form_page = url_for("pages.activity_page", activity_id=activity_id)
    entry = programme.public_entry(db(), activity_id)
    edition = use_edition(programme.edition_of(db(), entry))
    submission = forms.read_submission(request.form)
    if not forms.RegistrationForm().validate():  # its CSRF token
        return _refused(entry, edition, submission, 400, problem=str(CSRF_REFUSED))
    if submission.errors:
        return _refused(entry, edition, submission, 400)
    try:
        receipt = registrations.register(
            db(),
            activity_id,
            submission.participant(),
            language=page_language().language,
            public_url=runtime().settings.public_url,
            trap_filled=submission.trap_filled,
            notice_version=submission.notice_version,
        )
    except Conflict as conflict:
        problem = REFUSALS.get(str(conflict.extra.get("reason")), conflict.detail)
        return _refused(entry, edition, submission, 409, problem=str(problem))
    except Invalid as invalid:
        errors = {invalid.field: str(forms.FIELD_ERRORS.get(invalid.field, invalid.detail))}
        return _refused(entry, edition, submission, 400, errors=errors)
    response = render_page("registered.html", 200, edition=edition, entry=entry, data=entry.data, receipt=receipt)
    response.headers["Cache-Control"] = "no-store"
    return response


def _activity(entry: ProgrammeEntry, edition: Edition, opening: registrations.Availability, status: int, **form: Any) -> Response:
    """The activity's page; with the registration form while it takes registrations here."""
    event = formats.json_ld(entry, base_url=public_base_url())
    notice = registrations.privacy_notice(edition, page_language().language) if opening.refusal is None else None
    return render_page(
        "activity.html", status, edition=edition, entry=entry, data=entry.data, related=programme.related_entries(db(), entry),
        title_lang=reuse_title_languages([entry.data]),
        json_ld=_script_json(event), opening=opening, refusal=REFUSALS.get(opening.refusal or ""), notice=notice,
        **{"values": {}, "errors": {}, "problem": None, **form},
    )


def reuse_title_languages(entries: Iterable[Mapping[str, Any]]) -> dict[int, str]:
    """The language of each title in the reuse lists of ``entries`` (their data), by activity."""
    ids = [other["id"] for data in entries for other in [*data.get("reuses", []), *data.get("reused_by", [])]]
    return reuse.title_languages(db(), ids)


def _refused(
    entry: ProgrammeEntry, edition: Edition, submission: forms.Submission, status: int, *, problem: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """The page again with what was typed, the problem on top and each refused field's message
    beside it; the notice as it is now (its consent box unticked when it changed)."""
    values = dict(submission.values)
    if status == 409:
        values["consent"] = ""
    response = _activity(
        entry, edition, registrations.availability(db(), entry), status, values=values,
        errors=errors if errors is not None else submission.errors, problem=problem,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_tag() -> str:
    return hashlib.sha256(str(session.get(CSRF_SESSION_KEY, "")).encode()).hexdigest()[:16]


@bp.errorhandler(NotFound)
def not_found(error: NotFound) -> Response:
    return render_page("error.html", 404, heading=_("Page not found"), message=_("There is no such page, or it is not public yet."))


@bp.errorhandler(RateLimitExceeded)
def too_many(error: RateLimitExceeded) -> Response:
    # flask-limiter adds Retry-After to this answer, as to the API's 429.
    # One page for every limited form (registering, signing in, reset links), in the words of the
    # limit that was hit (limits.py marks them for the catalogue): an account's own limit must not
    # be blamed on the visitor's address.
    response = render_page("error.html", 429, heading=_("Too many attempts"), message=_(error.description))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(Invalid)
def invalid(error: Invalid) -> Response:
    return render_page("error.html", 400, heading=_("This link no longer works"), message=_("Go back to the programme and start again."))


# --- helpers ----------------------------------------------------------------------------------


def use_edition(edition: Edition) -> Edition:
    """The edition the page is about: its first language is the language's last resort, and
    every time on the page is shown in its time zone."""
    g.edition = edition
    return edition


def render_page(template: str, status: int, **context: Any) -> Response:
    choice = page_language()
    response = Response(render_template(f"pages/{template}", **context, **_page_context(choice.language)), status=status)
    _vary(response, choice.vary)
    return response


def cached_page(
    version: ProgrammeVersion, build: Any, *, variant: str = "", cache_control: str = LIST_CACHE
) -> Response:
    choice = page_language()
    response = cached(version, build, vary="Accept", variant=f"{choice.language}|{variant}", cache_control=cache_control)
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
        "finding_detail": lambda finding: labels.finding_detail(finding, edition),
        "field_labels": FIELD_LABELS,
        "form_labels": forms.FIELD_LABELS,
        "csrf_token": generate_csrf,
        "Format": Format,
        "Audience": Audience,
        "LANGUAGES": LANGUAGES,
    }


def _switch_url(language: str) -> str:
    """The switch goes back to this page without its ``?lang=``, which would outrank the choice;
    from the answer to a form, back to the page the form was on (a GET cannot repeat a POST)."""
    if request.method != "GET":
        return url_for("pages.switch_language", lang=language, next=g.get("form_page", "/"))
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    here = f"{request.path}?{urlencode(args)}" if args else request.path
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


def schema_input(schema: type[ma.Schema] = ProgrammeQuerySchema) -> dict[str, Any]:
    """The query as the API's ``schema`` reads it; the form's empty choices mean "any"."""
    loaded: dict[str, Any] = {}
    for field in schema().fields.values():
        key = field.data_key or field.name
        values = [value.strip() for value in request.args.getlist(key) if value.strip()]
        if values:
            loaded[key] = values if isinstance(field, ma.fields.List) else values[0]
    return loaded


def filter_errors(
    schema: type[ma.Schema] = ProgrammeQuerySchema, fields: Sequence[str] = FILTER_FIELDS, messages: Mapping[str, Any] = FIELD_ERRORS
) -> dict[str, str]:
    """Each refused filter with its message, in the order of ``fields``; {} when the API's
    ``schema`` would accept them all."""
    refused = schema(unknown=ma.EXCLUDE).validate(schema_input(schema))
    keys = {_data_key(schema, name) for name in refused} - {"cursor"}  # a bad cursor is a stale link: see invalid()
    if "to" in fields and "to" not in keys and _to_before_from():
        keys.add("to")  # the API answers an empty page; a person gets told
    ordered = [key for key in fields if key in keys] + sorted(keys - set(fields))
    return {key: str(messages.get(key, _l("Check this value."))) for key in ordered}


def _to_before_from() -> bool:
    try:
        return date.fromisoformat(_chosen("to")) < date.fromisoformat(_chosen("from"))
    except ValueError:  # either missing or not a date: nothing to compare
        return False


def _data_key(schema: type[ma.Schema], name: str) -> str:
    field = schema().fields.get(name)
    return (field.data_key or name) if field is not None else name


def url_with(**changes: str) -> str:
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
