"""What public reads remember between requests, in Redis (the in-process store when embedded):
each edition's programme state by slug, so that a revalidation is answered without the database,
and rendered answers by the programme's version, so that a repeated read is not rendered again.

Every change to the programme (a numbered entry, an edited edition) bumps one generation number
right after its commit, which outdates every remembered state at once; the next read of an
edition looks it up again. A state also expires after :data:`STATE_SECONDS`, which bounds how
stale a read can be should a bump be lost while Redis was unreachable. Nothing here is needed
for correctness: without Redis every read goes to the database as before.

Each process also remembers a little itself, so that the hottest reads need no round trip to
Redis: a state for :data:`LOCAL_STATE_SECONDS` (and a public activity's version; both forgotten at once when this
process commits a change; another process's change is seen within that second, well inside the minute that public
answers may be kept by clients anyway), and recently served answers by their ETag, which names
the version, so that they never need forgetting.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import orjson
import redis
import sqlalchemy as sa
from cachetools import LRUCache, TTLCache
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek.editions.models import Edition
from innovationsweek.errors import NotFound
from innovationsweek.programme.models import ProgrammeCounter, ProgrammeEntry

log = logging.getLogger(__name__)
_T = TypeVar("_T")

GENERATION_KEY = "iw:programme:generation"
STATE_SECONDS = 60
ANSWER_SECONDS = 600
# Answers are kept from their second request on: a query asked once (a different search on
# every request) would otherwise fill the store with answers nobody reads again.
SEEN_SECONDS = 120
LARGEST_ANSWER = 1_000_000  # bytes; whole-programme exports are not kept here
LOCAL_STATE_SECONDS = 1.0
LOCAL_ANSWER_BYTES = 32_000_000  # per process
LOCAL_ENTRY_BYTES = 32_000_000  # per process: a seventh of 100,000 entries


@dataclass(frozen=True)
class ProgrammeVersion:
    """What public answers are cached by: the edition's last change number and its time."""

    change_number: int
    changed_at: datetime

    @property
    def tag(self) -> str:
        """Both parts, as an ETag may carry them: an edited edition keeps its change number."""
        return f"{self.change_number}.{int(self.changed_at.timestamp() * 1000)}"


@dataclass(frozen=True)
class ProgrammeState:
    slug: str
    edition_id: int
    programme_open: bool
    version: ProgrammeVersion
    timezone: str  # the edition's, in which the programme's days are counted

    def require_open(self) -> ProgrammeState:
        if not self.programme_open:
            raise NotFound(_l("The programme of %(edition)s is not open yet.", edition=self.slug))
        return self


def version_in_database(session: Session, edition: Edition) -> ProgrammeVersion:
    counter = session.get(ProgrammeCounter, edition.id)
    if counter is None:
        return ProgrammeVersion(0, edition.updated_at)
    return ProgrammeVersion(counter.last_change_number, max(counter.last_changed_at, edition.updated_at))


def _state_in_database(session: Session, slug: str) -> ProgrammeState:
    edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise NotFound(_l("No edition “%(slug)s”.", slug=slug))
    return ProgrammeState(slug, edition.id, edition.programme_open, version_in_database(session, edition), edition.timezone)


def _state_key(slug: str) -> str:
    return f"iw:programme:state:2:{slug}"  # 2: with the time zone


def _state_to(state: ProgrammeState, generation: bytes | None) -> bytes:
    version = state.version
    return orjson.dumps(
        [generation.decode() if generation else None, state.edition_id, state.programme_open, version.change_number, version.changed_at, state.timezone]
    )


def _state_from(slug: str, raw: bytes) -> tuple[ProgrammeState, bytes | None]:
    generation, edition_id, programme_open, change_number, changed_at, timezone = orjson.loads(raw)
    version = ProgrammeVersion(change_number, datetime.fromisoformat(changed_at))
    return ProgrammeState(slug, edition_id, programme_open, version, timezone), generation.encode() if generation else None


# --- answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAnswer:
    content_type: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ProgrammeCache:
    """The shared store (Redis) and this process's own memory of public reads."""

    store: redis.Redis
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _recent: TTLCache = field(default_factory=lambda: TTLCache(maxsize=10_000, ttl=LOCAL_STATE_SECONDS))
    _answers: LRUCache = field(default_factory=lambda: LRUCache(maxsize=LOCAL_ANSWER_BYTES, getsizeof=_answer_size))
    _entries: LRUCache = field(default_factory=lambda: LRUCache(maxsize=LOCAL_ENTRY_BYTES, getsizeof=len))

    def state(self, session: Session, slug: str) -> ProgrammeState:
        """The edition's state as remembered since the last change, else as the database has it."""
        return self._recently(("state", slug), lambda: self._shared_state(session, slug))

    def entry_version(self, activity_id: int, load: Callable[[], ProgrammeVersion]) -> ProgrammeVersion:
        """A public activity's version, as ``load()`` found it within the last second."""
        return self._recently(("entry", activity_id), load)

    def _recently(self, key: tuple[str, Any], load: Callable[[], _T]) -> _T:
        with self._lock:
            value = self._recent.get(key)
        if value is None:
            value = load()
            with self._lock:
                self._recent[key] = value
        return value

    def _shared_state(self, session: Session, slug: str) -> ProgrammeState:
        generation, remembered = _read(self.store, GENERATION_KEY, _state_key(slug))
        if remembered is not None:
            state, state_generation = _state_from(slug, remembered)
            if state_generation == generation:
                return state
        state = _state_in_database(session, slug)
        # Tagged with the generation read *before* the database: a change committed meanwhile has
        # bumped it, so this state is outdated at once rather than kept for a minute.
        _write(self.store, _state_key(slug), _state_to(state, generation), STATE_SECONDS)
        return state

    def count(self, key: str, count: Callable[[], int]) -> int:
        """``count()``, remembered under ``key`` (which names the programme's version)."""
        kept = _read(self.store, f"iw:programme:count:{key}")[0]
        if kept is not None:
            return int(kept)
        counted = count()
        _write(self.store, f"iw:programme:count:{key}", str(counted).encode(), ANSWER_SECONDS)
        return counted

    def kept_answer(self, key: str) -> StoredAnswer | None:
        with self._lock:
            answer = self._answers.get(key)
        if answer is None:
            kept = _read(self.store, _answer_key(key))[0]
            answer = _answer_from(kept) if kept is not None else None
            if answer is not None:
                self._remember(key, answer)
        return answer

    def keep_answer(self, key: str, answer: StoredAnswer, *, at_once: bool = False) -> None:
        """Keeps the answer from its key's second request on (see :data:`SEEN_SECONDS`), or
        ``at_once`` when it is the same for everyone (statistics, the Atom feed) and costly."""
        if len(answer.body) <= LARGEST_ANSWER and (at_once or _asked_before(self.store, key)):
            _write(self.store, _answer_key(key), _answer_to(answer), ANSWER_SECONDS)
            self._remember(key, answer)

    def _remember(self, key: str, answer: StoredAnswer) -> None:
        with self._lock:
            self._answers[key] = answer

    def public_texts(self, keys: Sequence[tuple[int, int]], load: Callable[[list[int]], dict[int, tuple[int, str]]]) -> list[bytes]:
        """The public JSON of each entry, keyed (activity id, change number): from this process's
        memory, else ``load(activity_ids)`` (``{id: (change number, JSON)}``). A change number
        names one text for good, so nothing here is ever outdated. An entry withdrawn since its
        key was read is left out; one changed since is given as it is now.

        Not shared through Redis: asking it for a page's entries and keeping the ones it lacked
        took longer than reading them by their keys from the database."""
        with self._lock:
            found = {key: text for key in keys if (text := self._entries.get(key)) is not None}
        missing = [key for key in keys if key not in found]
        if missing:
            loaded = {activity_id: (number, text.encode()) for activity_id, (number, text) in load([i for i, _ in missing]).items()}
            with self._lock:
                self._entries.update({(activity_id, number): text for activity_id, (number, text) in loaded.items()})
            found.update({key: loaded[key[0]][1] for key in missing if key[0] in loaded})
        return [found[key] for key in keys if key in found]

    def outdate_after_commit(self, session: Session) -> None:
        """(after_commit) Outdates every remembered state once a programme change is committed."""
        if not session.info.pop(CHANGED, False):
            return
        with self._lock:
            self._recent.clear()
        try:
            self.store.incr(GENERATION_KEY)
        except redis.RedisError:
            log.warning("could not outdate the remembered programme states; they expire within %s s", STATE_SECONDS)


def _answer_size(answer: StoredAnswer) -> int:
    return len(answer.body) + 200  # and its headers, roughly


def _asked_before(store: redis.Redis, key: str) -> bool:
    try:
        pipe = store.pipeline()
        pipe.incr(f"iw:programme:seen:{key}")
        pipe.expire(f"iw:programme:seen:{key}", SEEN_SECONDS)
        return int(pipe.execute()[0]) > 1
    except redis.RedisError:
        return False


def _answer_key(key: str) -> str:
    return f"iw:programme:answer:{key}"


def _answer_to(answer: StoredAnswer) -> bytes:
    return orjson.dumps([answer.content_type, answer.headers]) + b"\n" + answer.body


def _answer_from(raw: bytes) -> StoredAnswer:
    head, _, body = raw.partition(b"\n")
    content_type, headers = orjson.loads(head)
    return StoredAnswer(content_type, headers, body)


# --- the generation -----------------------------------------------------------------------------

CHANGED = "programme_changed"


def note_changes(session: Session, _context: Any, _instances: Any) -> None:
    """(before_flush) Notes that this transaction changes what public reads show."""
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, (Edition, ProgrammeEntry)) for instance in touched):
        session.info[CHANGED] = True


def forget_rolled_back(session: Session, *_: Any) -> None:
    session.info.pop(CHANGED, None)


def _read(store: redis.Redis, *keys: str) -> list[bytes | None]:
    try:
        return list(store.mget(keys))
    except redis.RedisError:
        return [None] * len(keys)


def _write(store: redis.Redis, key: str, value: bytes, seconds: int) -> None:
    try:
        store.set(key, value, ex=seconds)
    except redis.RedisError:
        pass  # remembering is an optimisation; the next read asks the database again
