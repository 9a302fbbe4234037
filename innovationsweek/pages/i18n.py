"""The page's language, chosen in one place (as PyPI's warehouse/i18n does), and Babel's date
and time formatting in the edition's time zone.

Order: ``?lang=``, then the cookie the language switch sets, then ``Accept-Language``
best-matched, then the edition's first language. The answer's ``Vary`` names the headers that
were consulted, so caches keep the languages apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from babel.dates import format_skeleton
from flask_babel import Babel, get_locale, to_user_timezone

from innovationsweek.editions.models import LANGUAGES, Edition, edition_language
from innovationsweek.moderation.checks import told
from innovationsweek.translations import DIRECTORY

LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
FALLBACK_TIMEZONE = "Europe/Stockholm"


@dataclass(frozen=True)
class LanguageChoice:
    language: str
    vary: str  # the request headers that chose it ("" when the URL did)


def choose_language(edition: Edition | None) -> LanguageChoice:
    """The page's language for this request, and what chose it."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return LanguageChoice(asked, "")
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return LanguageChoice(remembered, "Cookie")
    accepted = request.accept_languages.best_match(LANGUAGES)
    if accepted:
        return LanguageChoice(accepted, "Cookie, Accept-Language")
    return LanguageChoice(edition_language(edition), "Cookie, Accept-Language")


def page_language() -> LanguageChoice:
    """The choice for this request, made once (the edition is set first by the view, if any)."""
    if "language" not in g:
        g.language = choose_language(g.get("edition"))
    return g.language


def init_babel(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(DIRECTORY)
    Babel(app, locale_selector=lambda: page_language().language, timezone_selector=_edition_timezone)
    app.jinja_env.filters["skeleton"] = localised_skeleton
    app.jinja_env.filters["told"] = lambda message: told(message, str(get_locale()))  # a finding's


def localised_skeleton(moment: date | datetime, skeleton: str, zone: str | None = None) -> str:
    """``moment`` with the fields a CLDR skeleton names ("MMMMEEEEd": weekday, day and month),
    in the order and words of the page's language: "måndag 30 september", "mandag den 30.
    september", "Monday, September 30". A datetime is shown in the edition's time zone, or in
    ``zone`` (a page listing several weeks shows each in its own)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(ZoneInfo(zone)) if zone else to_user_timezone(moment)
    return format_skeleton(skeleton, moment, locale=get_locale())


def _edition_timezone() -> str:
    edition = g.get("edition")
    return edition.timezone if edition is not None else FALLBACK_TIMEZONE
