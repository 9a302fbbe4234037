"""A webhook receiver on loopback that records what it gets, partners with API keys, and
programme entries to announce (built as rows, independent of the publishing code)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from standardwebhooks import Webhook

from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format
from innovationsweek.credentials import PARTNER_KEY_PREFIX, new_secret, secret_hash
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.partners.models import Partner
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.runtime import Runtime
from innovationsweek.webhooks.models import WebhookDelivery, WebhookEndpoint
from innovationsweek.webhooks.service import announce

HANG = -1  # an answer "status" that makes the receiver never answer (until the test ends)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> dict[str, Any]:
        """The payload, after checking the signature as a partner would."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    """A partner's web server on 127.0.0.1: answers each POST with the next of ``answers``
    (status, headers), then with ``default``, and keeps every request."""

    received: list[Request] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, dict[str, str]] = (200, {})
    delay: float = 0.0
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/innovationsweek"

    def answer(self) -> tuple[int, dict[str, str]]:
        return self.answers.pop(0) if self.answers else self.default


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                state.received.append(Request(self.path, dict(self.headers.items()), body))
                status, headers = state.answer()
            if state.delay:
                state.release.wait(state.delay)
            if status == HANG:
                state.release.wait(10)
                return
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = False  # so that server_close() waits for every handler
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


@dataclass
class PartnerKey:
    id: int
    contact_email: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


def make_partner(runtime: Runtime, name: str) -> PartnerKey:
    api_key = new_secret(PARTNER_KEY_PREFIX)
    email = f"{name.lower()}@partner.example"
    with runtime.database.unit_of_work() as session:
        partner = Partner(name=name, contact_email=email, key_hash=secret_hash(api_key), key_hint=api_key[:8])
        session.add(partner)
        session.flush()
        return PartnerKey(partner.id, email, api_key)


@pytest.fixture
def partner(runtime: Runtime) -> PartnerKey:
    return make_partner(runtime, "Kalendern")


@pytest.fixture
def other_partner(runtime: Runtime) -> PartnerKey:
    return make_partner(runtime, "Grannen")


@dataclass
class Programme:
    """An edition with an organisation, whose activities enter the programme as rows."""

    runtime: Runtime
    edition_id: int
    organisation_id: int
    slug: str = "hook-week"
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def change(
        self, event: str = "activity.published", *, activity_id: int | None = None, status: str = "published"
    ) -> tuple[int, int]:
        """An activity's programme entry changes and ``event`` is announced, in one transaction,
        as publishing does. Returns the activity id and the change number."""
        number = next(self.numbers)
        with self.runtime.database.unit_of_work() as session:
            if activity_id is None:
                activity_id = self._activity(session)
            entry = session.get(ProgrammeEntry, activity_id)
            entry = entry or ProgrammeEntry(activity_id=activity_id, edition_id=self.edition_id)
            entry.change_number = number
            if event == "activity.deleted":
                entry.state, entry.data = EntryState.DELETED, None
            else:
                entry.state = EntryState.UPDATED
                entry.data = {"id": activity_id, "edition": self.slug, "status": status, "title": "Öppet hus"}
                entry.cancelled = status == "cancelled"
            session.add(entry)
            session.flush()
            announce(session, entry, event)
        return activity_id, number

    def _activity(self, session: sa.orm.Session) -> int:
        starts = datetime(2030, 10, 1, 8, tzinfo=timezone.utc)
        activity = Activity(
            edition_id=self.edition_id,
            organisation_id=self.organisation_id,
            status=ActivityStatus.PUBLISHED,
            title="Öppet hus",
            format=Format.WEBCAST,
            attendance_mode=AttendanceMode.ONLINE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
        session.add(activity)
        session.flush()
        return activity.id


@pytest.fixture
def programme(runtime: Runtime) -> Programme:
    with runtime.database.unit_of_work() as session:
        edition = Edition(
            slug="hook-week",
            name={"sv": "Krokveckan"},
            theme={"sv": "Att sprida och involvera"},
            timezone="Europe/Stockholm",
            starts_at=datetime(2030, 9, 30, 6, tzinfo=timezone.utc),
            ends_at=datetime(2030, 10, 4, 14, tzinfo=timezone.utc),
            submissions_open_at=datetime(2030, 4, 1, tzinfo=timezone.utc),
            submissions_close_at=datetime(2030, 9, 20, tzinfo=timezone.utc),
        )
        organisation = Organisation(name="Umeå kommun", kind=OrganisationKind.MUNICIPALITY, country="SE")
        session.add_all([edition, organisation])
        session.flush()
        return Programme(runtime, edition.id, organisation.id)


def endpoint_of(runtime: Runtime, endpoint_id: int) -> WebhookEndpoint:
    with runtime.database.sessions() as session:
        return session.get_one(WebhookEndpoint, endpoint_id)


def deliveries(runtime: Runtime) -> list[WebhookDelivery]:
    with runtime.database.sessions() as session:
        rows = list(session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))
        for row in rows:
            row.attempt_log  # loaded while the session is open
        return rows
