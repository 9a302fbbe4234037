"""Migration 0017 turns the organisations' unique name into a partial index. SQLite (the embedded
mode) can only do that by rebuilding the table, which must not take the rows that refer to it
along (their ON DELETE CASCADE); PostgreSQL alters it in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from innovationsweek import migrate
from innovationsweek.db import create_db_engine
from tests.test_migrations import fresh_engine  # noqa: F401 (fixture)

ROWS = (
    "INSERT INTO users (id, email, name, password_hash, is_admin, created_at, updated_at)"
    " VALUES (1001, 'olga@linkoping.se', 'Olga', 'x', false, '2026-01-01', '2026-01-01')",
    "INSERT INTO organisations (id, name, kind, country, created_at, updated_at, deleted_at)"
    " VALUES (1001, 'Linköpings kommun', 'municipality', 'SE', '2026-01-01', '2026-01-01', '2026-02-01')",
    "INSERT INTO memberships (organisation_id, user_id, role, created_at) VALUES (1001, 1001, 'owner', '2026-01-01')",
)


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'innovationsweek.sqlite'}")
    yield engine
    engine.dispose()


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = migrate.alembic_config(engine)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def live_name_taken_again(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO organisations (name, kind, country, created_at, updated_at)"
            " VALUES ('Linköpings kommun', 'municipality', 'SE', '2026-03-01', '2026-03-01')"
        )


@pytest.mark.parametrize("start", ["0014", "0015"])  # 0017 alone, or after another step of the same run
def test_on_sqlite_the_upgrade_keeps_every_row_that_refers_to_an_organisation_and_frees_deleted_names(embedded, start):
    migrate.upgrade(embedded, start)
    with embedded.begin() as connection:
        for row in ROWS:
            connection.exec_driver_sql(row)

    migrate.upgrade(embedded)
    live_name_taken_again(embedded)

    with embedded.connect() as connection:
        assert connection.exec_driver_sql("SELECT organisation_id, user_id, role FROM memberships").all() == [(1001, 1001, "owner")]
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again for whoever comes next
        assert connection.exec_driver_sql("SELECT count(*) FROM organisations").scalar() == 2
    with pytest.raises(IntegrityError):
        live_name_taken_again(embedded)


def test_on_sqlite_the_downgrade_keeps_the_members_too(embedded):
    migrate.upgrade(embedded)
    with embedded.begin() as connection:
        for row in ROWS:
            connection.exec_driver_sql(row)

    downgrade(embedded, "0015")

    with embedded.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM memberships").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(IntegrityError):  # the old rule: the deleted one still holds its name
        live_name_taken_again(embedded)


def test_on_postgresql_the_upgrade_and_downgrade_keep_the_rows(fresh_engine):
    downgrade(fresh_engine, "0015")
    with fresh_engine.begin() as connection:
        for row in ROWS:
            connection.exec_driver_sql(row)

    migrate.upgrade(fresh_engine)
    live_name_taken_again(fresh_engine)

    with fresh_engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM memberships").scalar() == 1
        assert connection.exec_driver_sql("SELECT count(*) FROM organisations").scalar() == 2
    with pytest.raises(IntegrityError):
        live_name_taken_again(fresh_engine)
