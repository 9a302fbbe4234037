"""Database migrations (Alembic), run with ``innovationsweek db upgrade``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to ``revision`` (for tests of a migration and for undoing a release)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)


@contextmanager
def sqlite_rebuilds_without_cascades() -> Iterator[None]:
    """SQLite changes a table's constraints by rebuilding it, and dropping the old table while
    foreign keys are on deletes every row that refers to it (members, activities' co-organisers)
    by their ON DELETE CASCADE. The pragma that turns them off works only outside a transaction:
    what earlier migrations of this run did is committed first (with their version), and the
    connection, left without foreign keys, is closed rather than reused. For migration scripts
    that alter a table others refer to."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    pooled = bind.connection
    if pooled.dbapi_connection.in_transaction:
        pooled.dbapi_connection.commit()
    pooled.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    pooled.invalidate(soft=True)
    yield
    broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"rows refer to rows that no longer exist: {broken[:5]}")
