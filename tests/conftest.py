"""Fixtures: the real PostgreSQL and Redis of this machine, a fresh database per test session,
emptied after every test.

TEST_DATABASE_URL (default: the local ``test`` database) names the server; the suite creates
its own database next to it so that it never touches other data. With CI=true an unreachable
PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import email.policy
import os
import re
import secrets
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from argon2 import PasswordHasher
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from rq import SimpleWorker
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from innovationsweek import demo, migrate
from innovationsweek.accounts import service as accounts
from innovationsweek.accounts.models import User
from innovationsweek.cli import QuietRequestHandler
from innovationsweek.actors import Actor
from innovationsweek.app import create_app
from innovationsweek.config import Settings, normalise_database_url
from innovationsweek.models import Base
from innovationsweek.notifications.models import Email
from innovationsweek.queue import queues
from innovationsweek.runtime import Runtime

DATABASE_URL = normalise_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery"
# Made anew for every run: no test may depend on a key known outside it (a known key lets
# anyone forge erasure links), so tests sign with ``settings.secret_key``.
SECRET_KEY = secrets.token_urlsafe(32)
PUBLIC_URL = "https://innovationsveckan.test"
# A valid body for POST /api/v1/editions.
EDITION = {
    "slug": "innovationsveckan-2030",
    "name": {"sv": "Innovationsveckan 2030"},
    "theme": {"sv": "Att sprida och involvera"},
    "timezone": "Europe/Stockholm",
    "starts_at": "2030-10-07T00:00:00+02:00",
    "ends_at": "2030-10-12T00:00:00+02:00",
    "submissions_open_at": "2030-05-01T00:00:00+02:00",
    "submissions_close_at": "2030-09-15T00:00:00+02:00",
}


def _unavailable(what: str, error: Exception) -> None:
    message = f"{what} is not reachable ({error}); start it (see README) or set TEST_*_URL"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its cheapest: the suite signs people in all the time, and is not a benchmark
    of password hashing (tests/accounts checks the real parameters are used by default)."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database of our own on the test server, migrated to head with Alembic."""
    server = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
    name = f"iw_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"
    try:
        with server.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        _unavailable("PostgreSQL", error)
    url = make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with server.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis database of our own: test runs on one machine at once must not empty each
    other's queues. Takes the first of databases 15, 14, ... that no other run holds."""
    parts = urlsplit(REDIS_URL)
    lock = f"iw-test-run-{uuid.uuid4().hex}"
    for number in range(int(parts.path.lstrip("/") or 15), 0, -1):
        url = urlunsplit(parts._replace(path=f"/{number}"))
        try:
            connection = redis.Redis.from_url(url, socket_connect_timeout=2)
            if connection.set("iw-test-run", lock, nx=True, ex=3600):
                break
        except redis.RedisError as error:
            _unavailable("Redis", error)
    else:
        pytest.fail("every Redis database is held by another test run", pytrace=False)
    yield url
    if connection.get("iw-test-run") == lock.encode():
        connection.delete("iw-test-run")
    connection.close()


@pytest.fixture
def settings(database_url: str, redis_url: str, tmp_path: Path) -> Settings:
    # Link checks reach the tests' own servers on loopback.
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        redis_url=redis_url,
        secret_key=SECRET_KEY,
        public_url=PUBLIC_URL,
        outbound_allow_private=True,
        # Every read of a changed programme finds its index of that version (the tests that
        # read through the database's indexes say so).
        programme_index_seconds=0,
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    yield runtime
    try:
        held_by = runtime.redis.get("iw-test-run")
        runtime.redis.flushdb()
        if held_by:
            runtime.redis.set("iw-test-run", held_by, ex=3600)
        with runtime.database.engine.begin() as connection:
            # DELETE is much faster than TRUNCATE on tables this small.
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        runtime.close()


@pytest.fixture
def app(runtime: Runtime) -> Flask:
    return create_app(runtime=runtime)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class People:
    """Accounts with a Bearer token each, created through the service layer."""

    runtime: Runtime

    def create(self, email: str, *, name: str | None = None, admin: bool = False) -> User:
        with self.runtime.database.unit_of_work() as session:
            return accounts.register(
                session, email=email, password=PASSWORD, name=name or email.split("@")[0].title(), is_admin=admin
            )

    def token(self, email: str) -> str:
        from datetime import timedelta

        with self.runtime.database.unit_of_work() as session:
            return accounts.issue_token(session, email=email, password=PASSWORD, lifetime=timedelta(hours=1)).token

    def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(email)}"}

    def actor(self, email: str) -> Actor:
        with self.runtime.database.sessions() as session:
            user = accounts.get_user_by_email(session, email)
            session.expunge(user)
            return Actor(user=user)


@pytest.fixture
def people(runtime: Runtime) -> People:
    return People(runtime)


@pytest.fixture
def demo_data(runtime: Runtime) -> list[demo.DemoAccount]:
    with runtime.database.unit_of_work() as session:
        return demo.load_demo(session, password=PASSWORD)


def count_rows(runtime: Runtime, table: str) -> int:
    with runtime.database.engine.connect() as connection:
        return connection.scalar(sa.text(f'SELECT count(*) FROM "{table}"'))


def problem_of(response: Any) -> dict[str, Any]:
    """The problem+json body of an error response (asserting that it is one)."""
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    body = response.get_json(force=True)
    assert body["status"] == response.status_code
    return body


def emails_to(runtime: Runtime, address: str) -> list[Email]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(Email).where(Email.to_address == address).order_by(Email.id)))


def sent_messages(runtime: Runtime, address: str) -> list[EmailMessage]:
    """What the file mailer (the stand-in for SMTP) wrote for ``address``, oldest first; asserts
    that every email recorded for it was sent."""
    parser = BytesParser(policy=email.policy.default)
    messages = []
    for row in emails_to(runtime, address):
        assert row.sent_at is not None, row.last_error
        name = re.sub(r"[^A-Za-z0-9@._-]", "_", row.message_id.strip("<> "))
        messages.append(parser.parsebytes((runtime.settings.instance_path / "mail" / f"{name}.eml").read_bytes()))
    return messages


# How a letter writes a day, independently of Babel: "måndag 30 september 2019", "mandag den 30.
# september 2019", "Monday, September 30, 2019".
WEEKDAY_NAMES = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTH_NAMES = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
}


def written_day(moment: datetime, language: str) -> str:
    weekday, month = WEEKDAY_NAMES[language][moment.weekday()], MONTH_NAMES[language][moment.month - 1]
    return {
        "sv": f"{weekday} {moment.day} {month} {moment.year}",
        "da": f"{weekday} den {moment.day}. {month} {moment.year}",
        "en": f"{weekday}, {month} {moment.day}, {moment.year}",
    }[language]


def run_jobs(runtime: Runtime) -> None:
    """Work every queue until it is empty, as a real worker does (jobs it enqueues included)."""
    SimpleWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True, logging_level="WARNING")


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def link_server() -> Iterator[str]:
    """A web server on loopback for link checks: /ok... answers 200, anything else 404."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# --- a real browser, for the pages and the docs page -----------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root. The rest keeps Chromium from calling home during the test.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need(ready: bool, what: str) -> None:
    """Skip locally, fail under CI=true, when a browser test's tool is missing."""
    if not ready:
        if IN_CI:
            pytest.fail(f"{what} is missing (make test installs it)", pytrace=False)
        pytest.skip(f"{what} is missing: apt-get install chromium; pip install -e '.[test]'; make test")


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    """The app served on loopback by a real HTTP server."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A page in headless Debian Chromium, driven by playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    need(sync_playwright is not None, "playwright (python)")
    need(CHROMIUM.is_file(), str(CHROMIUM))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
