"""Keyset (cursor) paging: a page ends at a row, and the next page starts after that row.

Page numbers over a list that changes between requests give duplicates and gaps; a cursor
that names the last row seen does not. The cursor is the sort key written as integers (its
shape is in the OpenAPI document), and one of another shape is a 422 on the ``cursor`` parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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


# A cursor is the sort key of the last row seen: each value a decimal integer (a time as
# microseconds since 1970 UTC), joined by ".". Sixteen digits keep every value inside what
# PostgreSQL's bigint and Python's datetime hold, so that any cursor of the documented shape
# can be used (it then names a place in the list, as one given out does).
_CURSOR_VALUE = r"-?[0-9]{1,16}"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def cursor_pattern(kinds: Sequence[type]) -> str:
    """The shape of a cursor over sort columns of the Python types ``kinds`` (for the document)."""
    return "^" + r"\.".join([_CURSOR_VALUE] * len(kinds)) + "$"


def encode_cursor(values: Sequence[Any]) -> str:
    return ".".join(str((value - _EPOCH) // _MICROSECOND if isinstance(value, datetime) else value) for value in values)


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort key in ``cursor``, one value of each of ``kinds`` (the sort columns' Python types)."""
    if not re.fullmatch(cursor_pattern(kinds), cursor):
        raise Invalid(_l("This cursor is not one this API gave out; start again without it."), "cursor", in_query=True)
    return [_EPOCH + int(part) * _MICROSECOND if kind is datetime else int(part) for part, kind in zip(cursor.split("."), kinds)]


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
