"""Request input that would break the parser or the database is refused before any view runs:
JSON nested too deeply, and text holding the NUL character, which PostgreSQL's text columns
cannot store (psycopg refuses it, which would otherwise be a 500 wherever text reaches SQL).
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l

from innovationsweek.api.problems import problem

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

# No request of this API nests deeper than a few levels; a body of 100,000 "[" would make the
# JSON parser recurse until Python's stack limit (a 500), so nesting is counted before parsing.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))

NUL = "\x00"
NUL_DETAIL = _l("Text may not contain the NUL character (U+0000).")


def json_depth(body: bytes) -> int:
    """How deeply ``body`` nests arrays and objects, counted without parsing it (brackets inside
    strings are text)."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    return max(accumulate(1 if bracket in b"[{" else -1 for bracket in brackets), default=0)


def nul_pointer(value: Any, pointer: str = "") -> str | None:
    """The JSON Pointer of the first string (or key) in ``value`` holding a NUL, if any."""
    if isinstance(value, str):
        return pointer if NUL in value else None
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        # RFC 6901 escaping, as in problems.py
        token = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if NUL in str(key):
            return token
        found = nul_pointer(child, token)
        if found is not None:
            return found
    return None


def _refuse_deeply_nested_json() -> Response | None:
    if request.method in BODY_METHODS and request.is_json and json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        return problem(400, _l("The request body is nested deeper than %(levels)s levels.", levels=MAX_JSON_DEPTH))
    return None


def _refuse_nul_characters() -> Response | None:
    for name, value in request.args.items(multi=True):
        if NUL in name or NUL in value:
            return problem(422, NUL_DETAIL, errors=[{"detail": NUL_DETAIL, "parameter": name}])
    if request.method in BODY_METHODS and request.is_json:
        pointer = nul_pointer(request.get_json(silent=True))  # unparsable bodies are webargs' 400
        if pointer is not None:
            return problem(422, NUL_DETAIL, errors=[{"detail": NUL_DETAIL, "pointer": pointer}])
    return None


def register_input_guards(app: Flask) -> None:
    app.before_request(_refuse_deeply_nested_json)  # first: the NUL check parses the body
    app.before_request(_refuse_nul_characters)
