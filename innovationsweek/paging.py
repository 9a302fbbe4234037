"""Keyset (cursor) paging: a page ends at a row, and the next page starts after that row.

Page numbers over a list that changes between requests give duplicates and gaps; a cursor
that names the last row seen does not. The cursor is opaque to callers (base64 of the sort
key), and a damaged one is a 422 on the ``cursor`` parameter.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek.errors import Invalid

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [{"t": value.isoformat()} if isinstance(value, datetime) else value for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort key in ``cursor``, one value of each of ``kinds`` (the sort columns' Python
    types): a value of another type would reach the database's comparison and fail there."""
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(plain, list) or len(plain) != len(kinds):
            raise ValueError("wrong shape")
        return [_key_value(value, kind) for value, kind in zip(plain, kinds)]
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        raise Invalid(_l("This cursor is not one this API gave out; start again without it."), "cursor", in_query=True) from None


def _key_value(plain: Any, kind: type) -> Any:
    value = datetime.fromisoformat(plain["t"]) if kind is datetime else plain
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"not a {kind.__name__}")
    if kind is datetime and value.tzinfo is None:  # the column compares aware times only
        raise ValueError("a time without an offset")
    if kind is int and not -(2**63) <= value < 2**63:  # beyond bigint: the database refuses it
        raise ValueError("out of range")
    return value


def keyset_page(
    session: Session,
    query: sa.Select[Any],
    *,
    order_by: Sequence[sa.ColumnElement[Any]],
    key: Callable[[Any], Sequence[Any]],
    cursor: str | None,
    limit: int,
    total: Callable[[Callable[[], int]], int] = lambda count: count(),
    descending: bool = False,
) -> Page[Any]:
    """One page of ``query`` in ascending (or ``descending``) ``order_by`` order (its last column
    must be unique); ``key`` gives a row's values of ``order_by``. ``total`` is given the counting
    and may answer from memory instead."""
    counted = total(lambda: session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0)
    if cursor is not None:
        after = decode_cursor(cursor, [column.type.python_type for column in order_by])
        seen, rest = sa.tuple_(*order_by), sa.tuple_(*after)
        query = query.where(seen < rest if descending else seen > rest)
    ordering = [column.desc() for column in order_by] if descending else list(order_by)
    rows = list(session.scalars(query.order_by(*ordering).limit(limit + 1)))
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, total=counted, next_cursor=encode_cursor(key(items[-1])) if more else None)
