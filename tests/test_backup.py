"""Backups as the README describes them: ``pg_dump --format=custom`` of a running database with
a published programme, ``pg_restore`` into a fresh database, and the app on the restored one
serves the same programme, the same feed and the same cursors, and numbers the next change after
the last one partners have read."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from innovationsweek import runtime as runtimes
from innovationsweek.app import create_app
from innovationsweek.demo import EDITION_SLUG
from innovationsweek.runtime import Runtime
from tests.conftest import DATABASE_URL, need, run_jobs

PROGRAMME = f"/api/v1/editions/{EDITION_SLUG}/programme"
FEED = f"/api/v1/editions/{EDITION_SLUG}/feed"
PAGE = 7  # small pages, so that the walk follows several cursors


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (``postgresql://...``)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (command[0], done.stderr)


@pytest.fixture
def fresh_database() -> Iterator[str]:
    """An empty database next to the suite's, to restore into; dropped afterwards."""
    need(bool(shutil.which("pg_dump") and shutil.which("pg_restore")), "pg_dump and pg_restore (apt-get install postgresql-client)")
    server = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"iw_test_restored_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


def walk(client: FlaskClient, first: str, *, next_of) -> list[tuple[str, int, str | None, bytes]]:
    """Every page from ``first`` on, following ``next_of(response)``: its URL, status, ETag and body."""
    pages, url = [], first
    while url is not None and len(pages) < 50:
        response = client.get(url)
        pages.append((url, response.status_code, response.headers.get("ETag"), response.get_data()))
        url = next_of(response)
    return pages


def next_programme_page(response) -> str | None:
    link = response.headers.get("Link", "")
    return link[1 : link.index(">")] if 'rel="next"' in link else None


def next_feed_page(response) -> str | None:
    body = response.get_json()
    return None if not body["items"] else body["next"]


def reads(client: FlaskClient) -> dict[str, list]:
    return {
        "programme": walk(client, f"{PROGRAMME}?limit={PAGE}", next_of=next_programme_page),
        "feed": walk(client, f"{FEED}?afterChangeNumber=0&limit={PAGE}", next_of=next_feed_page),
        "calendar": walk(client, f"/api/v1/editions/{EDITION_SLUG}/programme.ics", next_of=lambda _: None),
    }


def cancel_first_live(client: FlaskClient, headers: dict[str, str], reason: str) -> int:
    items = client.get(f"{PROGRAMME}?limit=200&cancelled=false").get_json()["items"]
    activity_id = items[0]["id"]
    response = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": reason}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return activity_id


def forget_remembered_reads(runtime: Runtime) -> None:
    """Empty the Redis database of the test run (keeping its claim on it): nothing remembered
    from the first database may answer for the restored one."""
    held_by = runtime.redis.get("iw-test-run")
    runtime.redis.flushdb()
    if held_by:
        runtime.redis.set("iw-test-run", held_by, ex=3600)


def test_a_restored_dump_serves_the_same_programme_feed_and_cursors_and_numbers_on(
    app, client, runtime, settings, demo_data, people, fresh_database, tmp_path
):
    admin = people.headers("admin@example.org")
    cancel_first_live(client, admin, "Lokalen är stängd.")  # the feed holds a cancellation too
    run_jobs(runtime)
    before = reads(client)
    assert len(before["programme"]) >= 3 and len(before["feed"]) >= 3
    assert all(status == 200 for page in before.values() for _, status, _, _ in page)
    last_read = max(item["modified"] for _, _, _, body in before["feed"] for item in json.loads(body)["items"])

    dump = tmp_path / "innovationsweek.dump"
    run("pg_dump", "--format=custom", f"--file={dump}", libpq_url(runtime.settings.database_url))
    cancel_first_live(client, admin, "Efter säkerhetskopian.")  # after the backup: not in it
    run_jobs(runtime)
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq_url(fresh_database)}", str(dump))

    forget_remembered_reads(runtime)
    restored = Runtime(dataclasses.replace(settings, database_url=fresh_database, instance_path=tmp_path / "restored"))
    try:
        restored_client = create_app(runtime=restored).test_client()
        after = reads(restored_client)
        assert after == before

        # A partner that read up to the last change before the backup goes on from there: the
        # next change on the restored database is the next number, and nothing else is new.
        assert restored_client.get(f"{FEED}?afterChangeNumber={last_read}").get_json()["items"] == []
        cancelled = cancel_first_live(restored_client, admin, "Efter återläsningen.")  # tokens were restored too
        run_jobs(restored)
        [item] = restored_client.get(f"{FEED}?afterChangeNumber={last_read}").get_json()["items"]
        assert (item["id"], item["modified"], item["data"]["status"]) == (cancelled, last_read + 1, "cancelled")
    finally:
        restored.close()
        runtimes.install(runtime)
