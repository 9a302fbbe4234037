"""The few HTML pages a mailed link opens: they ask before they act (mail scanners follow links)
and keep their secret link out of caches, referrers and frames. They are in the language of the
mail that linked them (its ``?lang=``), else as the pages choose (cookie, Accept-Language)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, request
from flask_babel import get_locale
from flask_smorest import abort

from innovationsweek.api.headers import SECRET_LINK_PAGE
from innovationsweek.errors import DomainError
from innovationsweek.translations import LANGUAGES

HTML = "text/html"


def page(title: str, body: str) -> Response:
    """A page titled ``title`` around ``body`` (HTML the caller has escaped), in the request's
    language (``<html lang>``: the caller wrote the texts in it with ``gettext``)."""
    language = str(get_locale())
    document = (
        f'<!doctype html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n"
    )
    return Response(document, mimetype=HTML, headers=SECRET_LINK_PAGE)


@contextmanager
def expired_link_is_gone(expired: type[DomainError]) -> Iterator[None]:
    """An ``expired`` link is 410 Gone (a forged or used one stays 404): ask for a new one."""
    try:
        yield
    except expired as error:
        abort(410, message=error.detail)


def language_asked() -> dict[str, str]:
    """The ``lang`` the link came with, for the page's form to keep (the cookie or Accept-Language
    choose otherwise)."""
    asked = request.args.get("lang")
    return {"lang": asked} if asked in LANGUAGES else {}
