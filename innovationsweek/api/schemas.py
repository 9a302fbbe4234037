"""Field types and shapes that several resources share."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import marshmallow as ma
from marshmallow import validate
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from innovationsweek.api.library_messages import N_
from innovationsweek.editions.models import LANGUAGES


# The largest id PostgreSQL's integer columns hold: a larger number sent to the database is an
# error there, so it is refused here, on its field.
INT4_MAX = 2**31 - 1


class Id(ma.fields.Integer):
    """A row id in a query or body: a positive integer its column can hold."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=1, max=INT4_MAX), **kwargs)


class IdConverter(IntegerConverter):
    """``<id:activity_id>`` in a route: an id out of range matches no route, so it is a 404."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=INT4_MAX)


SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"


class SlugConverter(BaseConverter):
    """``<slug:slug>`` in a route: only what an edition's slug can be matches, so anything else
    (such as a NUL, which PostgreSQL cannot even compare with text) is a 404 from routing."""

    regex = SLUG_PATTERN


class Instant(ma.fields.AwareDateTime):
    """A point in time: read as ISO 8601 with an offset (naive times are refused), answered in
    UTC as stored, so the answer to a write reads like a later GET."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(value and value.astimezone(timezone.utc), attr, obj, **kwargs)


def localised_text(max_length: int, **kwargs: object) -> ma.fields.Dict:
    """Text per language, e.g. ``{"sv": "Att sprida och involvera", "en": "Spread and involve"}``."""
    return ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(LANGUAGES)),
        values=ma.fields.String(validate=validate.Length(min=1, max=max_length)),
        validate=validate.Length(min=1, error=N_("Give the text in at least one language.")),
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


EMAIL = {"validate": validate.Length(max=254)}


class Extended:
    """``base`` with extra attributes, for answers that add a field or two to a model
    (a partner with its one-time API key, an account with its memberships)."""

    def __init__(self, base: object, **extra: object) -> None:
        self._base = base
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> object:
        return getattr(self._base, name)


class PageQuerySchema(ma.Schema):
    cursor = ma.fields.String(validate=validate.Length(max=500), metadata={"description": "From the previous page's Link rel=next"})
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


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
