"""Migration 0019 turns the organisations' unique name into a partial index. SQLite (the embedded
mode) can only do that by rebuilding the table, which must not take the rows that refer to it
along (their ON DELETE CASCADE); PostgreSQL alters it in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
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
    """The embedded mode's SQLite database, at head."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'innovationsweek.sqlite'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()




def seed(engine: Engine) -> None:
    with engine.begin() as connection:
        for row in ROWS:
            connection.exec_driver_sql(row)


def live_name_taken_again(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO organisations (name, kind, country, created_at, updated_at)"
            " VALUES ('Linköpings kommun', 'municipality', 'SE', '2026-03-01', '2026-03-01')"
        )


def members_organisations_and_foreign_keys(engine: Engine) -> tuple[list[tuple], int, bool]:
    with engine.connect() as connection:
        members = [tuple(row) for row in connection.exec_driver_sql("SELECT organisation_id, user_id, role FROM memberships")]
        organisations = connection.exec_driver_sql("SELECT count(*) FROM organisations").scalar()
        # SQLite's are per connection: on again for whoever comes next.
        enforced = engine.dialect.name != "sqlite" or connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    return members, organisations, enforced


# From 0014 or 0015, 0019 runs after other steps in the same run (in its transaction, on SQLite);
# from 0021, 0022 rebuilds the accounts' table, which the members refer to, as the first step.
@pytest.mark.parametrize(("database", "start"), [("embedded", "0014"), ("embedded", "0015"), ("fresh_engine", "0015"), ("embedded", "0021")])
def test_the_upgrade_keeps_every_row_that_refers_to_an_organisation_and_frees_deleted_names(request, database, start):
    engine = request.getfixturevalue(database)
    migrate.downgrade(engine, start)
    seed(engine)

    migrate.upgrade(engine)
    live_name_taken_again(engine)

    assert members_organisations_and_foreign_keys(engine) == ([(1001, 1001, "owner")], 2, True)
    with pytest.raises(IntegrityError):
        live_name_taken_again(engine)


@pytest.mark.parametrize("database", ["embedded", "fresh_engine"])
def test_the_downgrade_keeps_the_members_too(request, database):
    engine = request.getfixturevalue(database)
    seed(engine)

    migrate.downgrade(engine, "0018")

    assert members_organisations_and_foreign_keys(engine) == ([(1001, 1001, "owner")], 1, True)
    with pytest.raises(IntegrityError):  # the old rule: the deleted one still holds its name
        live_name_taken_again(engine)
