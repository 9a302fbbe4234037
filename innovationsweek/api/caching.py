"""HTTP caching for public reads, keyed by the programme's change number.

The ETag names the edition's last change number and the request (path, query, negotiated
format), so a revalidation is answered 304 before any query runs or anything is rendered, and
a CDN may keep answers for a while and serve stale ones while it revalidates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, request

from innovationsweek.programme.service import ProgrammeVersion

LIST_CACHE = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"


def cached(
    version: ProgrammeVersion,
    build: Callable[[], Response],
    *,
    cache_control: str = LIST_CACHE,
    vary: str = "Accept",
    variant: str = "",
) -> Response:
    """``build()``'s answer with ETag, Last-Modified and Cache-Control, or a 304 that repeats
    them when the client already has it. ``variant`` names what else chose the answer (a page's
    language, negotiated from the headers in ``vary``), so each variant has its own ETag."""
    key = "|".join((request.path, request.query_string.decode(), request.headers.get("Accept", ""), variant))
    etag = f"{version.change_number}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = build()
    response.set_etag(etag)
    response.last_modified = version.changed_at
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = vary
    return response
