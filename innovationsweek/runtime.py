"""The process-wide connections: database and queue store, built once from the settings.

The API and the workers of one process share a :class:`Runtime`; in the embedded mode that
includes the in-process Redis-compatible store, so the API's enqueues reach the worker thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import fakeredis
import redis
from sqlalchemy import event
from sqlalchemy.orm import Session

from innovationsweek.config import Settings
from innovationsweek import outbound, outbox
from innovationsweek.db import Database
from innovationsweek.notifications.mailer import mailer_for
from innovationsweek.programme import cache as programme_cache
from innovationsweek.programme.index import ProgrammeIndexes
from innovationsweek.recent_answers import RecentAnswers


@dataclass
class Runtime:
    settings: Settings
    database: Database = field(init=False)
    redis: redis.Redis = field(init=False)
    programme_cache: programme_cache.ProgrammeCache = field(init=False)
    programme_indexes: ProgrammeIndexes = field(init=False)
    recent_answers: RecentAnswers = field(init=False)

    def __post_init__(self) -> None:
        self.settings = self.settings.completed()  # refuses to start without what production needs
        mailer_for(self.settings)  # refuses to start with mail settings that would leak the password
        self.settings.instance_path.mkdir(parents=True, exist_ok=True)
        self.database = Database(self.settings.sqlalchemy_url, connect_timeout=self.settings.database_connect_timeout)
        self.redis = connect_redis(self.settings)
        self.programme_cache = programme_cache.ProgrammeCache(self.redis)
        self.programme_indexes = ProgrammeIndexes(self.settings.programme_index_seconds)
        event.listen(self.database.sessions, "after_commit", self._relay_outbox)
        event.listen(self.database.sessions, "after_rollback", outbox.forget_rolled_back)
        # Public reads remember the programme's version; a committed change outdates it.
        event.listen(self.database.sessions, "before_flush", programme_cache.note_changes)
        event.listen(self.database.sessions, "after_commit", self._outdate_programme_reads)
        event.listen(self.database.sessions, "after_rollback", programme_cache.forget_rolled_back)
        # The answers of the last second (the app's front): a write of this process outdates them.
        self.recent_answers = RecentAnswers()
        event.listen(self.database.sessions, "before_flush", self.recent_answers.note_writes)
        event.listen(self.database.sessions, "after_commit", self.recent_answers.forget_after_write)
        event.listen(self.database.sessions, "after_rollback", self.recent_answers.forget_rolled_back)

    def _relay_outbox(self, session: Session) -> None:
        outbox.relay_committed(self.database.engine, self.redis, session, retry_scale=self.settings.retry_scale)

    def _outdate_programme_reads(self, session: Session) -> None:
        self.programme_cache.outdate_after_commit(session)

    @property
    def outbound(self) -> outbound.OutboundSettings:
        """Limits for requests to URLs users give (link checks, webhooks)."""
        if self.settings.outbound_allow_private:
            return outbound.OutboundSettings(allow_private_addresses=True, allowed_ports=None)
        return outbound.DEFAULT_SETTINGS

    def queue_is_reachable(self) -> bool:
        try:
            return bool(self.redis.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        self.database.engine.dispose()
        self.redis.close()


def connect_redis(settings: Settings) -> redis.Redis:
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    return fakeredis.FakeRedis(server=fakeredis.FakeServer())


_current: Runtime | None = None


def install(runtime: Runtime) -> Runtime:
    """Make ``runtime`` the one jobs of this process use."""
    global _current
    _current = runtime
    return runtime


def _forget_inherited_connections() -> None:
    # A forked RQ work horse must not use the database connections of its parent.
    if _current is not None:
        _current.database.engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def is_installed() -> bool:
    return _current is not None


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no runtime installed: call innovationsweek.runtime.install() at start-up")
    return _current
