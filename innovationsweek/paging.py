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


# Rows a query selects at most for its page to be chosen by sorting them all. A rare filter or
# word would otherwise have the database walk the order's index past every row that does not
# match (all of them, for a word nobody wrote), as its planner cannot tell how rare a word is.
FEW_ROWS = 5_000


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
    sort_when_few: bool = False,
) -> Page[Any]:
    """One page of ``query`` in ascending (or ``descending``) ``order_by`` order (its last column
    must be unique); ``key`` gives a row's values of ``order_by``. ``total`` is given the counting
    and may answer from memory instead. ``sort_when_few``: take the page by sorting the selected
    rows when the count says they are few (see :data:`FEW_ROWS`; for filters that may be rare, on
    a query of one entity ordered by its own columns, the last its primary key)."""
    after = decode_cursor(cursor, [column.type.python_type for column in order_by]) if cursor is not None else None
    rows: list[Any] | None = None  # the page, when counting found it too

    def count() -> int:
        nonlocal rows
        if sort_when_few:
            few, rows = _few_counted_with_page(session, query, order_by, after, limit=limit, descending=descending)
            if few is not None:
                return few
        return session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0

    counted = total(count)
    if rows is None:
        few = sort_when_few and counted <= FEW_ROWS
        rows = list(session.scalars(_page(query, order_by, after, limit=limit, descending=descending, few=few)))
    more = len(rows) > limit
    items = rows[:limit]
    return Page(items=items, total=counted, next_cursor=encode_cursor(key(items[-1])) if more else None)


def _few_counted_with_page(
    session: Session, query: sa.Select[Any], order_by: Sequence[Any], after: Sequence[Any] | None, *, limit: int, descending: bool
) -> tuple[int | None, list[Any] | None]:
    """How many rows ``query`` selects and its page, in one statement, when they are few (one
    search of the filters' indexes rather than two); ``(None, None)`` when they are not, or
    when a page after a cursor is empty (which says nothing of the count)."""
    matches = _keys_of(query, order_by, few=FEW_ROWS + 1)
    counted = sa.select(sa.func.count()).select_from(matches).scalar_subquery()
    rows = session.execute(_page_of_keys(query, matches, order_by, after, limit=limit, descending=descending).add_columns(counted)).all()
    if not rows:
        return (0, []) if after is None else (None, None)
    if rows[0][1] > FEW_ROWS:
        return None, None
    return rows[0][1], [row[0] for row in rows]


def _page(query: sa.Select[Any], order_by: Sequence[Any], after: Sequence[Any] | None, *, limit: int, descending: bool, few: bool) -> sa.Select[Any]:
    if few:
        return _page_of_keys(query, _keys_of(query, order_by), order_by, after, limit=limit, descending=descending)
    return _page_in_order(query, order_by, after, limit=limit, descending=descending)


def _page_in_order(query: sa.Select[Any], order_by: Sequence[Any], after: Sequence[Any] | None, *, limit: int, descending: bool) -> sa.Select[Any]:
    """``query``'s next ``limit + 1`` rows after ``after`` in ``order_by`` order."""
    if after is not None:
        seen, rest = sa.tuple_(*order_by), sa.tuple_(*after)
        query = query.where(seen < rest if descending else seen > rest)
    return query.order_by(*(column.desc() if descending else column for column in order_by)).limit(limit + 1)


def _keys_of(query: sa.Select[Any], order_by: Sequence[Any], *, few: int | None = None) -> sa.CTE:
    """The ``order_by`` keys of every row ``query`` selects (of ``few`` at most), found by its
    filters' own indexes: a materialised set, which the planner cannot walk in order."""
    matches = query.with_only_columns(*(column.label(f"key{i}") for i, column in enumerate(order_by))).order_by(None)
    return matches.limit(few).cte("matches").prefix_with("MATERIALIZED")


def _page_of_keys(query: sa.Select[Any], keys: sa.CTE, order_by: Sequence[Any], after: Sequence[Any] | None, *, limit: int, descending: bool) -> sa.Select[Any]:
    """The page of ``query`` by sorting its rows' ``keys`` (from :func:`_keys_of`)."""
    columns = list(keys.c)
    page = _page_in_order(sa.select(columns[-1]), columns, after, limit=limit, descending=descending).subquery()
    entity = query.column_descriptions[0]["entity"]
    rows = sa.select(entity).join(page, page.c[columns[-1].name] == order_by[-1])
    return rows.order_by(*(column.desc() if descending else column for column in order_by))
