"""The answers this process gave in the last second, repeated to whoever asks the same again.

On the opening morning many people load the same programme page at once, and partner sites poll
it. An answer that the views marked as the same for everyone who sends the same request (a
public, ETag'd answer: see ``api.caching.cached``) is kept for :data:`KEPT_SECONDS`, keyed by
everything it may depend on: the URL with its query in a normal order, and the headers that
choose a representation (``Accept``, ``Accept-Language``, ``Cookie``, the host and scheme). A
request with ``Authorization`` is never answered from here.

This is a front for the WSGI app, so a repeated read or its revalidation (304) costs neither a
route match nor a hook nor a query: "microcaching", as reverse proxies call it. It adds at most a
second to how stale a public read may be, while clients and CDNs may keep these answers for a
minute anyway, and this process forgets everything as soon as it commits a write of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cachetools import TTLCache
from sqlalchemy.orm import Session
from werkzeug.http import parse_etags, remove_entity_headers, unquote_etag

KEPT_SECONDS = 1.0
KEPT_BYTES = 16_000_000
LARGEST_KEPT = 1_000_000  # bytes; whole-programme exports are served from their files
# Set by a view on an answer that may be repeated; never sent.
REPEATABLE = "X-Innovationsweek-Repeatable"
_REPEATABLE_HEADER = REPEATABLE.lower()
_KEYED_BY = ("wsgi.url_scheme", "HTTP_HOST", "PATH_INFO", "HTTP_ACCEPT", "HTTP_ACCEPT_LANGUAGE", "HTTP_COOKIE")
_WROTE = "recent_answers_wrote"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class _Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes | None  # None: kept from a 304, for revalidations only
    etag: str  # unquoted

    @property
    def headers_of_304(self) -> list[tuple[str, str]]:
        """What the app's own 304 repeats of the 200 (as werkzeug leaves it: RFC 9110 15.4.5)."""
        headers = list(self.headers)
        remove_entity_headers(headers)
        return headers


@dataclass
class RecentAnswers:
    """This process's memory of repeatable answers, and the WSGI front that serves from it."""

    _answers: TTLCache = field(default_factory=lambda: TTLCache(maxsize=KEPT_BYTES, ttl=KEPT_SECONDS, getsizeof=_size))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def front(self, app: WsgiApp) -> WsgiApp:
        """``app`` behind this memory."""

        def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            key = _key(environ)
            if key is None:
                return app(environ, start_response)
            with self._lock:
                kept = self._answers.get(key)
            if kept is not None and (kept.body is not None or _revalidates(kept, environ)):
                return _repeat(kept, environ, start_response)
            if environ["REQUEST_METHOD"] != "GET":
                return app(environ, start_response)
            return self._answer_and_keep(app, key, environ, start_response)

        return answer

    def _answer_and_keep(self, app: WsgiApp, key: tuple[str, ...], environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent = [(name, value) for name, value in headers if name.lower() != _REPEATABLE_HEADER]
            if len(sent) < len(headers) and status[:3] in ("200", "304"):
                seen.update(status=status, headers=sent, etag=_repeatable_etag(sent))
            return start_response(status, sent, exc_info)

        answer = app(environ, start)
        if seen.get("etag") is None:
            return answer
        if seen["status"].startswith("304"):
            # Only its validator is known yet: enough to answer the same revalidation again.
            self._keep(key, _Answer(body=None, **seen))
            return answer
        return _Collected(answer, lambda body: self._keep(key, _Answer(body=body, **seen)))

    def _keep(self, key: tuple[str, ...], answer: _Answer) -> None:
        with self._lock:
            self._answers[key] = answer

    def note_writes(self, session: Session, *_: Any) -> None:
        """(before_flush) Notes that this transaction writes something."""
        if session.new or session.dirty or session.deleted:
            session.info[_WROTE] = True

    def forget_after_write(self, session: Session) -> None:
        """(after_commit) A write of this process is seen by its next read."""
        if session.info.pop(_WROTE, False):
            with self._lock:
                self._answers.clear()

    def forget_rolled_back(self, session: Session, *_: Any) -> None:
        session.info.pop(_WROTE, None)


def _key(environ: dict[str, Any]) -> tuple[str, ...] | None:
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
        return None
    query = "&".join(sorted(environ.get("QUERY_STRING", "").split("&")))
    return (query, *(environ.get(name, "") for name in _KEYED_BY))


def _repeatable_etag(headers: list[tuple[str, str]]) -> str | None:
    """The answer's ETag, unless something in it is not for everyone, or it is too large to keep
    (then it goes out untouched: a file is sent by the server's own means, such as sendfile)."""
    named = {name.lower(): value for name, value in headers}
    if "set-cookie" in named or not named.get("cache-control", "").startswith("public") or "etag" not in named:
        return None
    if int(named.get("content-length") or 0) > LARGEST_KEPT:
        return None
    return unquote_etag(named["etag"])[0]


def _revalidates(kept: _Answer, environ: dict[str, Any]) -> bool:
    asked = environ.get("HTTP_IF_NONE_MATCH")
    return bool(asked) and parse_etags(asked).contains_weak(kept.etag)


def _repeat(kept: _Answer, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if _revalidates(kept, environ) or kept.body is None:  # (the front sends no other 304-only one here)
        start_response("304 NOT MODIFIED", kept.headers_of_304)
        return []
    start_response(kept.status, kept.headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]


def _size(answer: _Answer) -> int:
    return len(answer.body or b"") + 500  # and its headers, roughly


class _Collected:
    """The app's answer as it is sent, handed to ``keep`` whole once it was sent to the end."""

    def __init__(self, answer: Iterable[bytes], keep: Callable[[bytes], None]) -> None:
        self._answer = answer
        self._keep = keep

    def __iter__(self) -> Iterator[bytes]:
        chunks: list[bytes] = []
        size = 0
        for chunk in self._answer:
            if size <= LARGEST_KEPT:
                chunks.append(chunk)
                size += len(chunk)
            yield chunk
        if size <= LARGEST_KEPT:
            self._keep(b"".join(chunks))

    def close(self) -> None:
        close = getattr(self._answer, "close", None)
        if close is not None:
            close()
