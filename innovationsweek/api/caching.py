"""HTTP caching for public reads, keyed by the programme's version.

The ETag names the edition's version and the request (path, query, negotiated format), so a
revalidation is answered 304 before any query runs or anything is rendered, and a CDN may keep
answers for a while and serve stale ones while it revalidates. A public answer asked for again
is served as it was rendered, from the store the ETag names it in (``programme.cache``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Response, request

from innovationsweek.api.context import runtime
from innovationsweek.programme.cache import ProgrammeVersion, StoredAnswer
from innovationsweek.recent_answers import REPEATABLE

LIST_CACHE = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
# Set by cached() itself, or per visitor: never part of a kept answer.
_OWN_HEADERS = {REPEATABLE.lower(), "etag", "last-modified", "cache-control", "vary", "content-length", "content-type", "set-cookie"}


def cached(
    version: ProgrammeVersion,
    build: Callable[[], Response],
    *,
    cache_control: str = LIST_CACHE,
    vary: str = "Accept",
    variant: str = "",
    keep_at_once: bool = False,
) -> Response:
    """``build()``'s answer with ETag, Last-Modified and Cache-Control, or a 304 that repeats
    them when the client already has it. ``variant`` names what else chose the answer (a page's
    language, negotiated from the headers in ``vary``), so each variant has its own ETag.
    ``keep_at_once``: keep a public answer from its first request (see ``ProgrammeCache.keep_answer``)."""
    key = "|".join((request.path, request.query_string.decode(), request.headers.get("Accept", ""), variant))
    etag = f"{version.tag}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"
    if etag in request.if_none_match:
        response = Response(status=304)
    elif cache_control.startswith("public"):
        response = _kept_or_built(etag, build, at_once=keep_at_once)
    else:
        response = build()
    if cache_control.startswith("public"):
        response.headers[REPEATABLE] = "1"  # the app's front may repeat it (recent_answers)
    response.set_etag(etag)
    response.last_modified = version.changed_at
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = vary
    return response


def _kept_or_built(etag: str, build: Callable[[], Response], *, at_once: bool) -> Response:
    memory = runtime().programme_cache
    kept = memory.kept_answer(etag)
    if kept is not None:
        return Response(kept.body, content_type=kept.content_type, headers=kept.headers)
    response = build()
    if response.status_code == 200 and not response.is_streamed and "Set-Cookie" not in response.headers:
        headers = {name: value for name, value in response.headers.items() if name.lower() not in _OWN_HEADERS}
        memory.keep_answer(etag, StoredAnswer(response.content_type or "", headers, response.get_data()), at_once=at_once)
    return response
