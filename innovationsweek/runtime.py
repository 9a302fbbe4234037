"""The process-wide connections: database and queue store, built once from the settings.

The API and the workers of one process share a :class:`Runtime`; in the embedded mode that
includes the in-process Redis-compatible store, so the API's enqueues reach the worker thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import fakeredis
import redis

from innovationsweek.config import Settings
from innovationsweek.db import Database


@dataclass
class Runtime:
    settings: Settings
    database: Database = field(init=False)
    redis: redis.Redis = field(init=False)

    def __post_init__(self) -> None:
        self.settings.instance_path.mkdir(parents=True, exist_ok=True)
        self.database = Database(self.settings.sqlalchemy_url)
        self.redis = connect_redis(self.settings)
        # A forked RQ work horse must not share the parent's database connections.
        os.register_at_fork(after_in_child=lambda: self.database.engine.dispose(close=False))

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


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no runtime installed: call innovationsweek.runtime.install() at start-up")
    return _current
