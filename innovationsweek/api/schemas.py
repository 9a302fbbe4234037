"""Field types and shapes that several resources share."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from marshmallow import validate
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from innovationsweek.api.library_messages import N_
from innovationsweek.editions.models import LANGUAGES
from innovationsweek.paging import cursor_pattern


# The largest id PostgreSQL's integer columns hold: a larger number sent to the database is an
# error there, so it is refused here, on its field.
INT4_MAX = 2**31 - 1


# JSON bodies are typed: a client that sends "1", 1.0 or true for a number, or 0 or "yes" for a
# boolean, has a bug that coercion would hide (and the OpenAPI document would not tell). These
# fields take the JSON type only; query strings, which are all text, keep marshmallow's own.
class StrictInteger(ma.fields.Integer):
    """An integer in a JSON body: a JSON number without a fraction (no "1", 1.0 or true)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):  # a bool is an int to Python, not to JSON
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictFloat(ma.fields.Float):
    """A number in a JSON body: a JSON number (no "1.5" or true)."""

    def _validated(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


class StrictBoolean(ma.fields.Boolean):
    """``true`` or ``false`` in a JSON body: no 0, 1, "yes" or "true"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


ID_RANGE = validate.Range(min=1, max=INT4_MAX)


class Id(StrictInteger):
    """A row id in a JSON body: a positive integer its column can hold."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ID_RANGE, **kwargs)


class QueryId(ma.fields.Integer):
    """A row id in a query string, as :class:`Id`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=ID_RANGE, **kwargs)


class IdConverter(IntegerConverter):
    """``<id:activity_id>`` in a route: an id out of range matches no route, so it is a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=INT4_MAX)


SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class SlugConverter(BaseConverter):
    """``<slug:slug>`` in a route: only what an edition's slug can be matches, so anything else
    (such as a NUL, which PostgreSQL cannot even compare with text) is a 404 from routing."""

    regex = SLUG_PATTERN


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:localhost|{_OCTET}(?:\.{_OCTET}){{3}}|(?:{_LABEL}\.)+[A-Za-z][A-Za-z0-9-]{{0,61}}[A-Za-z0-9])"
_PORT = r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?"


# White space as Python's str.isspace() and str.strip() know it, spelled out for a pattern
# character class: \s means a little else in ECMAScript, whose regexes the document's are.
WHITESPACE = "".join(f"\\u{ord(character):04x}" for character in map(chr, range(0x10000)) if character.isspace())


def web_address_pattern(*, fragment: bool = True) -> str:
    """An absolute http(s) URL with a host name (with a top-level domain), ``localhost`` or an
    IPv4 address in dotted decimal, an optional port, then a path or query: what the server takes,
    written so that the document says it exactly (marshmallow's URL check is a regex too, but
    not one a document can show)."""
    # No white space, and none of the control characters the link checks refuse (ssrfguard:
    # urlsplit would drop them), NUL among them (see guards.py).
    rest = rf"[^\x00-\x20\x7f{WHITESPACE}#]" if not fragment else rf"[^\x00-\x20\x7f{WHITESPACE}]"
    return rf"^https?://{_HOST}{_PORT}(?:/{rest}*|\?{rest}+)?$"


def web_address(max_length: int, *, fragment: bool = True, **kwargs: Any) -> ma.fields.String:
    """A link to a web page (or a webhook endpoint, which has no ``#fragment``)."""
    pattern = validate.Regexp(web_address_pattern(fragment=fragment), error=N_("Not a valid URL."))
    return ma.fields.String(validate=[pattern, validate.Length(max=max_length)], **kwargs)


class Instant(ma.fields.AwareDateTime):
    """A point in time: read as ISO 8601 with an offset (naive times are refused), answered in
    UTC as stored, so the answer to a write reads like a later GET."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(value and value.astimezone(timezone.utc), attr, obj, **kwargs)


class ReadableText(ma.fields.String):
    """Text that must hold something to read: the service refuses a blank one
    (``errors.non_blank``), and the document says so in the field's pattern (document.py)."""

    def __init__(self, max_length: int, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=1, max=max_length), **kwargs)


def localised_text(max_length: int, *, may_be_empty: bool = False, **kwargs: object) -> ma.fields.Dict:
    """Text per language, e.g. ``{"sv": "Att sprida och involvera", "en": "Spread and involve"}``;
    ``may_be_empty``: ``{}`` says there is no such text yet."""
    return ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(LANGUAGES)),
        values=ma.fields.String(validate=validate.Length(min=1, max=max_length)),
        validate=[] if may_be_empty else validate.Length(min=1, error=N_("Give the text in at least one language.")),
        **kwargs,  # type: ignore[arg-type]
    )


def listing(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A list page: ``{"items": [...], "total": n}``."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True),
        },
        name=name,
    )


def listed(items: list[object]) -> dict[str, object]:
    return {"items": items, "total": len(items)}


# The x-rule of an operation that names an account by its email: an unknown one is 422 (see
# accounts.service.get_user_by_email).
AN_EXISTING_ACCOUNT = "email: the email of an existing account"


EMAIL = {"validate": validate.Length(max=254)}


class Extended:
    """``base`` with extra attributes, for answers that add a field or two to a model
    (a partner with its one-time API key, an account with its memberships)."""

    def __init__(self, base: object, **extra: object) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> object:
        return getattr(self._base, name)


def _cursor(*kinds: type) -> ma.fields.String:
    # The shape only: the service refuses another (paging.decode_cursor), with its own message.
    return ma.fields.String(metadata={"description": "From the previous page's Link rel=next", "pattern": cursor_pattern(kinds)})


class PageQuerySchema(ma.Schema):
    """Paging of a list in order of a time, then id."""

    cursor = _cursor(datetime, int)
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class IdPageQuerySchema(PageQuerySchema):
    """Paging of a list in order of id."""

    cursor = _cursor(int)


def paged(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A page of a cursor-paged list: ``{"items", "total", "next_cursor"}`` (and a Link header)."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "total": ma.fields.Integer(required=True, metadata={"description": "Items in the whole list"}),
            "next_cursor": ma.fields.String(allow_none=True),
        },
        name=name,
    )
