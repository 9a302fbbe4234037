"""Benchmark of the public programme reads on PostgreSQL: how long partners wait.

Loads BENCH_ACTIVITIES published activities (default 20,000; the target scale is 100,000)
into a scratch database next to TEST_DATABASE_URL, then times the reads a partner makes:
the first page, a filtered page, a page deep into the cursor, a revalidation (304), the first
and a late page of the change feed, and the statistics. Prints a table; run with `make bench`.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from innovationsweek import migrate
from innovationsweek.app import create_app
from innovationsweek.config import Settings, normalise_database_url
from innovationsweek.db import create_db_engine

SERVER = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
COUNT = int(os.environ.get("BENCH_ACTIVITIES", "20000"))
REPEAT = 20
FORMATS = ["lecture", "study_visit", "workshop", "exhibition", "dialogue_meeting", "webcast", "other"]
REGIONS = ["Skåne", "Östergötland", "Västerbotten", "Stockholm", "Västra Götaland", "Hovedstaden"]


def main() -> None:
    name = f"iw_bench_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        engine = create_db_engine(url)
        migrate.upgrade(engine)
        started = time.perf_counter()
        load(engine)
        print(f"loaded {COUNT} published activities in {time.perf_counter() - started:.1f} s")
        engine.dispose()
        measure(url)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def load(engine: sa.Engine) -> None:
    rng = random.Random(2019)
    start = datetime(2030, 9, 30, 6, tzinfo=timezone.utc)
    with engine.begin() as db:
        edition = db.execute(
            sa.text(
                "INSERT INTO editions (slug, name, theme, timezone, starts_at, ends_at, submissions_open_at, "
                "submissions_close_at, programme_open, retention_days, themes, privacy_notice, privacy_notice_version, "
                "created_at, updated_at) VALUES ('bench-week', '{\"sv\": \"Bänkveckan\"}', '{\"sv\": \"Sprida\"}', "
                "'Europe/Stockholm', :s, :e, :s0, :s1, true, 180, '[{\"key\": \"spread\", \"label\": {\"sv\": \"Sprida\"}}]', "
                "'{}', '1', now(), now()) RETURNING id"
            ),
            {"s": start, "e": start + timedelta(days=4, hours=8), "s0": start - timedelta(days=200), "s1": start - timedelta(days=10)},
        ).scalar_one()
        organisation = db.execute(
            sa.text(
                "INSERT INTO organisations (name, kind, country, region, created_at, updated_at) "
                "VALUES ('Bänkkommun', 'municipality', 'SE', 'Skåne', now(), now()) RETURNING id"
            )
        ).scalar_one()
        rows = []
        for number in range(1, COUNT + 1):
            begins = start + timedelta(days=rng.randrange(5), hours=rng.randrange(8), minutes=rng.choice([0, 15, 30, 45]))
            rows.append((number, begins, rng.choice(FORMATS), rng.choice(REGIONS)))
        db.execute(
            sa.text(
                "INSERT INTO activities (id, edition_id, organisation_id, status, version, title, summary, description, "
                "description_was_sanitised, format, attendance_mode, starts_at, ends_at, languages, audiences, themes, "
                "topics, contact_email_public, registration_mode, featured, registration_closed, created_at, updated_at) "
                "VALUES (:id, :edition, :org, 'published', 1, :title, '', '', false, :format, 'in_person', :starts, "
                ":ends, '[\"sv\"]', '[]', '[\"spread\"]', '[]', false, 'none', false, false, now(), now())"
            ),
            [
                {"id": n, "edition": edition, "org": organisation, "title": f"Aktivitet {n}", "format": f, "starts": b, "ends": b + timedelta(hours=1)}
                for n, b, f, _ in rows
            ],
        )
        db.execute(
            sa.text(
                "INSERT INTO programme_entries (activity_id, edition_id, change_number, state, sequence, modified_at, "
                "published_at, data, starts_at, ends_at, cancelled, featured, format, attendance_mode, region, "
                "municipality, organisation_kind, search_text) VALUES (:id, :edition, :id, 'updated', 0, now(), now(), "
                "CAST(:data AS json), :starts, :ends, false, false, :format, 'in_person', :region, 'Malmö', 'municipality', :text)"
            ),
            [
                {
                    "id": n,
                    "edition": edition,
                    "data": '{"id": %d, "title": "Aktivitet %d", "format": "%s", "status": "published"}' % (n, n, f),
                    "starts": b,
                    "ends": b + timedelta(hours=1),
                    "format": f,
                    "region": r,
                    "text": f"aktivitet {n} bänkkommun malmö",
                }
                for n, b, f, r in rows
            ],
        )
        db.execute(
            sa.text("INSERT INTO programme_tags (activity_id, kind, value) VALUES (:id, 'theme', 'spread')"),
            [{"id": n} for n, *_ in rows],
        )
        db.execute(
            sa.text("INSERT INTO programme_counters (edition_id, last_change_number, last_changed_at) VALUES (:e, :n, now())"),
            {"e": edition, "n": COUNT},
        )
        db.execute(sa.text("SELECT setval('activities_id_seq', :n)"), {"n": COUNT})
    # As autovacuum would soon after a load: the planner needs statistics.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(sa.text("ANALYZE"))


def measure(url: str) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            Settings(instance_path=Path(instance), database_url=url, redis_url=REDIS, secret_key=secrets.token_urlsafe(32), public_url="http://bench.invalid")
        )
        client = app.test_client()
        base = "/api/v1/editions/bench-week"
        deep_cursor = _cursor_after(client, base, pages=20)
        first = client.get(f"{base}/programme")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("programme, first page (50)", lambda: client.get(f"{base}/programme")),
            ("programme, format+region filter", lambda: client.get(f"{base}/programme?format=workshop&region=Skåne")),
            ("programme, theme filter (tags)", lambda: client.get(f"{base}/programme?theme=spread&limit=200")),
            ("programme, text search q", lambda: client.get(f"{base}/programme?q=aktivitet%20123")),
            ("programme, page 21 by cursor", lambda: client.get(f"{base}/programme?cursor={deep_cursor}")),
            ("programme, revalidation (304)", lambda: client.get(f"{base}/programme", headers={"If-None-Match": first.headers["ETag"]})),
            ("feed, first page (500)", lambda: client.get(f"{base}/feed?afterChangeNumber=0")),
            ("feed, last page (poll)", lambda: client.get(f"{base}/feed?afterChangeNumber={COUNT}")),
            ("statistics", lambda: client.get(f"{base}/statistics")),
        ]
        print(f"{'read':<36} {'median ms':>10} {'p95 ms':>8}")
        for label, call in cases:
            timings = []
            for _ in range(REPEAT):
                began = time.perf_counter()
                call()
                timings.append((time.perf_counter() - began) * 1000)
            timings.sort()
            print(f"{label:<36} {statistics.median(timings):>10.1f} {timings[int(len(timings) * 0.95) - 1]:>8.1f}")
        app.extensions["innovationsweek"].close()


def _cursor_after(client, base: str, pages: int) -> str:
    cursor = ""
    for _ in range(pages):
        body = client.get(f"{base}/programme" + (f"?cursor={cursor}" if cursor else "")).get_json()
        cursor = body["next_cursor"]
    return cursor


if __name__ == "__main__":
    main()
