"""The database: declarative base, column types shared by every domain, engine and sessions.

Service functions receive a :class:`~sqlalchemy.orm.Session`, only ``flush()`` it, and leave
the single ``commit()`` to the caller (the request or the job): one unit of work each.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """An aware datetime, stored in UTC. SQLite has no time zones; this keeps both backends alike
    and refuses naive datetimes, whose meaning would depend on the server's clock."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime  # a TypeDecorator says ``object`` unless told; cursors check their types

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def enum_column(enum_type: type[enum.Enum], **kwargs: Any) -> sa.Enum:
    """A string column restricted by a CHECK constraint to the enum's values (not its names)."""
    return sa.Enum(
        enum_type,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Seconds a connection attempt to PostgreSQL may take (libpq's connect_timeout).
CONNECT_TIMEOUT = 5


def create_db_engine(url: str, *, connect_timeout: int = CONNECT_TIMEOUT) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    # Pre-ping: a connection the server dropped (it restarted) is replaced before a request
    # uses it, so the service recovers without a restart. The connect timeout turns a server
    # that does not answer into a quick error (a 503) rather than a hanging request.
    return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": connect_timeout})


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the embedded worker read while the
    # API writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


class Database:
    """One engine and its session factory, shared by the API and the jobs of a process."""

    def __init__(self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT) -> None:
        self.engine = create_db_engine(url, connect_timeout=connect_timeout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits once when the block ends cleanly, and rolls back otherwise."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True
