"""Headers on every answer: what browsers may do with it, who may cache it, who may read it.

- Every answer: ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy`` (a page may send
  a stricter one of its own: the pages behind secret links send ``no-referrer``).
- HTML pages: a Content-Security-Policy with no inline script or style and no framing. A page
  that must differ (a widget meant for partners' iframes) sends its own policy, which is kept.
- A request that carried ``Authorization``, accepted or not: ``Cache-Control: no-store``, over
  any public caching, so that no shared cache keeps what a signed-in caller was shown.
- CORS for the public read API: the GET operations declared ``@blp.access("public")`` alone
  (see blueprint.py), so a new public read is readable from partners' sites without a list to
  keep here. Anything else answers no CORS headers at all, preflights included, so a page on
  another site can never call it from a browser. flask-cors configures per path, and several
  paths mix a public GET with authenticated writes (``/editions/{slug}``), hence this.
  (Not flask-talisman: it redirects to HTTPS, which ``make run`` must not, and knows no roles.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from innovationsweek.api.blueprint import declared_roles

REFERRER_POLICY = "strict-origin-when-cross-origin"
# data: images: Swagger UI's stylesheet draws its icons as inline SVG data URLs.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PUBLIC_READS = frozenset({"GET", "HEAD"})
CORS_ALLOW_METHODS = "GET, HEAD, OPTIONS"
# What a partner's script may send or read besides the CORS-safelisted headers; never Authorization.
CORS_ALLOW_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since"
CORS_EXPOSE_HEADERS = "ETag, Link, Last-Modified, Retry-After"
PREFLIGHT_MAX_AGE = "86400"
# Pages opened from a secret link in a mail (cancel, erasure): kept out of shared caches, out of
# other sites' Referer and out of search engines.
SECRET_LINK_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


def register_headers(app: Flask) -> None:
    app.before_request(_answer_public_preflight)
    app.after_request(_add_headers)


def _answer_public_preflight() -> Response | None:
    if not _is_preflight() or not _is_public_read(request.access_control_request_method):
        return None  # Flask's own OPTIONS answer, without CORS headers
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, and so no page policy either
    response.headers.update(
        {
            "Access-Control-Allow-Methods": CORS_ALLOW_METHODS,
            "Access-Control-Allow-Headers": CORS_ALLOW_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
    )
    return response


def _add_headers(response: Response) -> Response:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    if "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    if _is_public_read(request.access_control_request_method if _is_preflight() else request.method):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSE_HEADERS
    return response


def _is_preflight() -> bool:
    return request.method == "OPTIONS" and request.origin is not None and request.access_control_request_method is not None


def _is_public_read(method: str | None) -> bool:
    """Whether ``method`` on the requested URL is a read declared for the public alone."""
    if method not in PUBLIC_READS:
        return False
    view = _view_for(method)
    return view is not None and declared_roles(view) == {"public"}


def _view_for(method: str) -> Callable[..., Any] | None:
    """The function that answers ``method`` on the requested URL (a MethodView's method)."""
    endpoint = request.endpoint if method == request.method else _endpoint_for(method)
    if endpoint is None:
        return None
    view = current_app.view_functions[endpoint]
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    return getattr(view_class, method.lower(), None) or getattr(view_class, "get", None)


def _endpoint_for(method: str) -> str | None:
    """The endpoint ``method`` would reach on the requested URL (a preflight asks for another
    method than its own)."""
    try:
        endpoint, _ = current_app.url_map.bind_to_environ(request.environ).match(method=method)
    except HTTPException:
        return None
    return endpoint
