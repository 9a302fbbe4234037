"""Answers for cursor-paged lists: the page body and its ``Link: <...>; rel="next"`` header."""

from __future__ import annotations

from typing import Any

from flask import request

from innovationsweek.api.urls import public_url_for
from innovationsweek.paging import Page


def page_response(page: Page[Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
    headers = {}
    if page.next_cursor is not None:
        query = {**request.args.to_dict(), "cursor": page.next_cursor}
        next_url = public_url_for(request.endpoint or "", **(request.view_args or {}), **query)
        headers["Link"] = f'<{next_url}>; rel="next"'
    body = {"items": page.items, "total": page.total, "next_cursor": page.next_cursor}
    return body, 200, headers
