"""Details that libraries write in English, as messages of the catalogue.

Marshmallow (through webargs) writes a field error while it validates, before the problem is
written, and puts the values in at once ("Longer than maximum length 200."); webargs, werkzeug
and Flask-Limiter write their details the same way. So the problem is written from the text: a
detail that reads like one of the messages marked here with :func:`N_` is written in the caller's
language, with the values it carries. ``%(name)s`` stands for a value where the library puts one.

The list holds every message marshmallow's fields and validators give on loading, and werkzeug's
descriptions of the statuses the API can answer by itself (tests/api/test_library_messages.py
checks both against the installed libraries). The project's own messages that marshmallow or
Flask-Limiter must be given as plain text are marked with :func:`N_` where they are written.
"""

from __future__ import annotations

import re

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from innovationsweek.translations import PLACEHOLDER, values_pattern

_EXACT: set[str] = set()
_WITH_VALUES: list[tuple[re.Pattern[str], str]] = []


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools know this marker by)
    """Mark ``message`` for the catalogue (Babel extracts ``N_`` by default) and for
    :func:`in_callers_language`; it is returned as it is, plain text for the library."""
    if PLACEHOLDER.search(message) is None:
        _EXACT.add(message)
        return message
    _WITH_VALUES.append((values_pattern(message), message))
    # The longest text first, so "Must be greater than 1 and less than 9." is not taken for the
    # shorter "Must be greater than %(min)s." with "1 and less than 9" as its value.
    _WITH_VALUES.sort(key=lambda entry: -len(PLACEHOLDER.sub("", entry[1])))
    return message


def in_callers_language(detail: str | LazyString) -> str | LazyString:
    """``detail`` as a message of the catalogue, if it reads like one; otherwise as it is."""
    if isinstance(detail, LazyString):
        return detail
    if detail in _EXACT:
        return _l(detail)
    for pattern, message in _WITH_VALUES:
        match = pattern.fullmatch(detail)
        if match is not None:
            return _l(message, **match.groupdict())
    return detail


# marshmallow: fields
N_("Missing data for required field.")
N_("Field may not be null.")
N_("Invalid value.")
N_("Invalid input type.")
N_("Invalid type.")
N_("Unknown field.")
N_("Not a valid string.")
N_("Not a valid utf-8 string.")
N_("Not a valid integer.")
N_("Not a valid number.")
N_("Number too large.")
N_("Special numeric values (nan or infinity) are not permitted.")
N_("Not a valid boolean.")
N_("Not a valid list.")
N_("Not a valid tuple.")
N_("Not a valid mapping type.")
N_("Not a valid date.")
N_("Not a valid time.")
N_("Not a valid datetime.")
N_("Not a valid aware datetime.")
N_("Not a valid naive datetime.")
N_("Not a valid period of time.")
N_("Not a valid UUID.")
N_("Not a valid URL.")
N_("Not a valid email address.")
N_("Not a valid IP address.")
N_("Not a valid IPv4 address.")
N_("Not a valid IPv6 address.")
N_("Not a valid IP interface.")
N_("Not a valid IPv4 interface.")
N_("Not a valid IPv6 interface.")
N_("Must be one of: %(choices)s.")
# marshmallow: validators
N_("Invalid input.")
N_("String does not match expected pattern.")
N_("Must be equal to %(other)s.")
N_("Shorter than minimum length %(min)s.")
N_("Longer than maximum length %(max)s.")
N_("Length must be between %(min)s and %(max)s.")
N_("Length must be %(equal)s.")
N_("Must be greater than or equal to %(min)s.")
N_("Must be greater than %(min)s.")
N_("Must be less than or equal to %(max)s.")
N_("Must be less than %(max)s.")
N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s.")
N_("Must be greater than or equal to %(min)s and less than %(max)s.")
N_("Must be greater than %(min)s and less than or equal to %(max)s.")
N_("Must be greater than %(min)s and less than %(max)s.")
N_("One or more of the choices you made was not in: %(choices)s.")
N_("One or more of the choices you made was in: %(values)s.")
# webargs
N_("Invalid JSON body.")
# werkzeug: what the API answers before any view, or without one
N_("The browser (or proxy) sent a request that this server could not understand.")
N_("The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")
N_("The method is not allowed for the requested URL.")
N_("The data value transmitted exceeds the capacity limit.")
