"""Job throughput in the production shape: two ``innovationsweek worker`` processes (RQ's forking
worker, the outbox's callbacks, the clock) on the bench's PostgreSQL and Redis database.

Each kind of work is handed over the way the product hands it over: services called in one
transaction record ``BENCH_JOBS`` outbox messages, which the commit relays to RQ.

- checks: drafts without links (no online URL, no registration URL), so no link is checked,
  are submitted; done when every check's message is complete and each revision awaits review;
- publishes: the same activities approved; done when each is in the programme;
- webhook deliveries: each new entry announced to one partner endpoint, a receiver the bench
  serves on loopback; done when the receiver has had every delivery and each is recorded.

Beside them the same two workers run as many empty RQ jobs (enqueued in one pipeline): RQ's own
rate on this machine. A kind's rate is its count over the time from the hand-over (the commit,
or the enqueue) to the end of its last job, as the workers recorded it.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from rq import Queue, Worker

from bench.load import LANGUAGES, PLACES, PUBLIC_URL, SLUG, START, THEMES
from bench.processes import BenchError, children, peak_rss_mb, started
from innovationsweek.accounts import service as accounts
from innovationsweek.accounts.models import User
from innovationsweek.activities import service as activities
from innovationsweek.activities.models import AttendanceMode, Format, RegistrationMode, Revision, RevisionState
from innovationsweek.actors import Actor
from innovationsweek.config import Settings
from innovationsweek.moderation import checks
from innovationsweek.moderation import service as moderation
from innovationsweek.outbox import OutboxMessage
from innovationsweek.partners import service as partners
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.queue import PERIODIC_JOBS, QUEUE_NAMES
from innovationsweek.runtime import Runtime, install
from innovationsweek.webhooks import service as webhooks

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
# Longer than any kind takes at a few hundred jobs; a kind that overruns stops the bench.
PATIENCE = timedelta(minutes=3)
# Longer than a kind takes at the default BENCH_JOBS.
QUIET = timedelta(seconds=30)


def nothing() -> None:
    """RQ's empty job: the cost of a job that does no work."""


@dataclass(frozen=True)
class Throughput:
    kind: str
    count: int
    seconds: float
    # Outbox kinds: when the commit's relay had handed the last message to RQ (the workers start
    # on the first ones before that).
    relayed_after: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds


@dataclass(frozen=True)
class JobResults:
    empty: Throughput
    kinds: list[Throughput]
    worker_peak_mb: list[int]
    horse_peak_mb: int


def measure_jobs(database_url: str, redis_url: str, count: int) -> JobResults:
    """Start the workers, hand them each kind of work in turn, and time it."""
    with tempfile.TemporaryDirectory(prefix="iw-bench-jobs-") as instance:
        settings = Settings(
            instance_path=Path(instance), database_url=database_url, redis_url=redis_url,
            secret_key=secrets.token_urlsafe(32), public_url=PUBLIC_URL, outbound_allow_private=True,
        )
        runtime = install(Runtime(settings))
        try:
            bench = JobBench(runtime, count)
            drafts = bench.make_drafts()
            with receiver() as (endpoint_url, received), workers(settings) as running:
                bench.wait_until_idle(running)
                empty = bench.run_empty_jobs(running)
                kinds = [
                    bench.handed_over("checks (no links to check)", "check_revision", running, lambda s: bench.submit(s, drafts)),
                    bench.handed_over("publishes", "publish_activity", running, lambda s: bench.approve(s, drafts)),
                ]
                bench.subscribe(endpoint_url)
                kinds.append(bench.handed_over("webhook deliveries", "deliver_webhook", running, lambda s: bench.announce(s, drafts)))
                bench.verify(drafts, received)
                worker_peaks = running.peak_rss_mb()
        finally:
            runtime.close()
    return JobResults(empty, kinds, worker_peaks, running.horse_peak_mb)


class JobBench:
    def __init__(self, runtime: Runtime, count: int) -> None:
        self.runtime = runtime
        self.count = count
        with runtime.database.unit_of_work() as session:
            admin = accounts.register(
                session, email="bench-admin@bench.invalid", password=secrets.token_urlsafe(16), name="Bench", is_admin=True
            )
            self.admin_id = admin.id
            self.organisations = list(session.scalars(sa.text("SELECT id FROM organisations ORDER BY id")))

    def admin(self, session: sa.orm.Session) -> Actor:
        return Actor(user=session.get_one(User, self.admin_id))

    def make_drafts(self) -> list[int]:
        """Drafts an organiser could submit, of many organisations, none with a link to check."""
        with self.runtime.database.unit_of_work() as session:
            actor = self.admin(session)
            made = [activities.create_activity(session, actor, SLUG, draft_fields(n, self.organisations)) for n in range(self.count)]
            session.flush()
            if any(checks.links_of(activities.content_of(a)) for a in made):
                raise BenchError("a draft has a link: its check would measure the link, not the checks")
            return [a.id for a in made]

    def submit(self, session: sa.orm.Session, drafts: list[int]) -> None:
        actor = self.admin(session)
        for activity_id in drafts:
            activities.submit(session, actor, activity_id)

    def approve(self, session: sa.orm.Session, drafts: list[int]) -> None:
        in_review = session.scalar(
            sa.select(sa.func.count()).where(Revision.activity_id.in_(drafts), Revision.state == RevisionState.IN_REVIEW)
        )
        if in_review != len(drafts):
            raise BenchError(f"{in_review} of {len(drafts)} checked drafts await review: the checks did not pass them")
        actor = self.admin(session)
        for activity_id in drafts:
            moderation.decide(session, actor, activity_id, decision="approve")

    def subscribe(self, url: str) -> None:
        with self.runtime.database.unit_of_work() as session:
            partner = partners.create_partner(session, self.admin(session), name="Bench partner", contact_email="partner@bench.invalid")
            webhooks.register_endpoint(
                session, Actor(partner=partner.partner), url=url, events=["activity.updated"], outbound_settings=self.runtime.outbound
            )

    def announce(self, session: sa.orm.Session, drafts: list[int]) -> None:
        entries = list(session.scalars(sa.select(ProgrammeEntry).where(ProgrammeEntry.activity_id.in_(drafts))))
        if len(entries) != len(drafts):
            raise BenchError(f"{len(entries)} of {len(drafts)} approved activities are in the programme")
        for entry in entries:
            webhooks.announce(session, entry, "activity.updated")

    def handed_over(
        self, kind: str, job: str, running: Workers, hand_over: Callable[[sa.orm.Session], None]
    ) -> Throughput:
        """Time ``job``'s messages from the commit that records them to the last one done."""
        self.wait_for_a_quiet_period(running)
        with self.runtime.database.unit_of_work() as session:
            hand_over(session)
            session.flush()
            began = time.time()
        unfinished = sa.select(sa.func.count()).where(OutboxMessage.job == job, OutboxMessage.completed_at.is_(None))
        wait_for(lambda: self._scalar(unfinished) == 0, running, kind)
        last, relayed = self._row(
            sa.select(sa.func.max(OutboxMessage.completed_at), sa.func.max(OutboxMessage.enqueued_at)).where(OutboxMessage.job == job)
        )
        figure = Throughput(kind, self.count, epoch(last) - began, relayed_after=epoch(relayed) - began)
        print(f"  {kind}: {figure.rate:,.1f} jobs/s", flush=True)
        self.wait_until_idle(running)  # what the kind left behind (mails, retries) before the next
        return figure

    def run_empty_jobs(self, running: Workers) -> Throughput:
        """RQ's empty jobs, timed until their queue is drained (RQ deletes an empty job's record
        when it is done, so its end cannot be read back)."""
        queue = Queue(QUEUE_NAMES[-1], connection=self.runtime.redis)
        self.wait_for_a_quiet_period(running)
        began = time.time()
        queue.enqueue_many([Queue.prepare_data(nothing) for _ in range(self.count)])
        wait_for(lambda: drained(queue), running, "empty RQ jobs", every=0.01)
        figure = Throughput("empty RQ jobs", self.count, time.time() - began)
        if queue.failed_job_registry.count:
            raise BenchError(f"{queue.failed_job_registry.count} empty jobs failed: {running.log_tail()}")
        print(f"  {figure.kind}: {figure.rate:,.1f} jobs/s", flush=True)
        return figure

    def wait_for_a_quiet_period(self, running: Workers) -> None:
        """Periodic jobs (every five minutes at the least) are not what is measured: a kind does
        not start within QUIET of their next round, and starts once that round is done."""
        period = min(job.every for job in PERIODIC_JOBS).total_seconds()
        until_next_round = period - time.time() % period
        if until_next_round < QUIET.total_seconds():
            time.sleep(until_next_round + 2)  # the clocks tick once a second
            self.wait_until_idle(running)

    def wait_until_idle(self, running: Workers) -> None:
        """Both workers registered, and every queue drained."""
        store = self.runtime.redis

        def idle() -> bool:
            queues = [Queue(name, connection=store) for name in QUEUE_NAMES]
            return len(Worker.all(connection=store)) == WORKERS and all(drained(q) for q in queues)

        wait_for(idle, running, "the workers to start and the queues to empty")

    def verify(self, drafts: list[int], received: list[bytes]) -> None:
        """Each delivery reached the receiver once and is recorded as delivered."""
        delivered = self._scalar(sa.text("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'"))
        if len(received) != len(drafts) or delivered != len(drafts):
            raise BenchError(f"{len(received)} deliveries received and {delivered} recorded, of {len(drafts)}")

    def _scalar(self, query: sa.Executable) -> object:
        with self.runtime.database.engine.connect() as db:
            return db.scalar(query)

    def _row(self, query: sa.Executable) -> sa.Row[object]:
        with self.runtime.database.engine.connect() as db:
            return db.execute(query).one()


def draft_fields(number: int, organisations: list[int]) -> dict[str, object]:
    """An in-person activity of the loaded programme's kind: a venue, no online or registration URL."""
    region, municipalities, _ = PLACES[number % len(PLACES)]
    starts = START + timedelta(days=number % 5, hours=number % 9)
    return {
        "organisation_id": organisations[number * 7 % len(organisations)],
        "title": f"Verkstad {number}: så sprider vi välfärdsteknik i {municipalities[0]}",
        "summary": "Tre kommuner berättar hur en lösning gick från en till många.",
        "description": "<p>Välkommen till en eftermiddag om att sprida det som fungerar.</p>",
        "format": Format.WORKSHOP,
        "attendance_mode": AttendanceMode.IN_PERSON,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "venue": {"name": "Stadshuset", "address": "Stora Torget 1", "municipality": municipalities[0], "region": region},
        "languages": LANGUAGES[number % len(LANGUAGES)],
        "audiences": ["employees", "politicians"],
        "themes": [THEMES[number % len(THEMES)]],
        "registration": {"mode": RegistrationMode.NONE},
    }


# --- the workers, their memory, and the partner's receiver -------------------------------------


class Workers:
    """The running worker processes: their logs, and the peak RSS of the work horses RQ forks
    per job, sampled while the bench waits."""

    def __init__(self, processes: list[subprocess.Popen], logs: list[Path]) -> None:
        self.processes = processes
        self.logs = logs
        self.horse_peak_mb = 0

    def sample(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                raise BenchError(f"a worker stopped with {process.returncode}: {self.log_tail()}")
            for horse in children(process.pid):
                self.horse_peak_mb = max(self.horse_peak_mb, peak_rss_mb(horse) or 0)

    def peak_rss_mb(self) -> list[int]:
        return sorted(peak_rss_mb(process.pid) or 0 for process in self.processes)

    def log_tail(self) -> str:
        return " | ".join(log.read_text(errors="replace")[-600:] for log in self.logs)


@contextlib.contextmanager
def workers(settings: Settings) -> Iterator[Workers]:
    """``innovationsweek worker`` processes as production runs them (``bench`` importable for
    the empty job), logging into the instance folder."""
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": str(settings.database_url),
        "REDIS_URL": str(settings.redis_url), "IW_SECRET_KEY": str(settings.secret_key), "IW_PUBLIC_URL": PUBLIC_URL,
        "IW_INSTANCE_PATH": str(settings.instance_path), "IW_OUTBOUND_ALLOW_PRIVATE": "true",
    }
    command = [str(Path(sys.executable).parent / "innovationsweek"), "worker"]
    logs = [settings.instance_path / f"worker-{n}.log" for n in range(WORKERS)]
    with contextlib.ExitStack() as stack:
        processes = []
        for log in logs:
            output = stack.enter_context(log.open("wb"))
            processes.append(stack.enter_context(started(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)))
        yield Workers(processes, logs)


def drained(queue: Queue) -> bool:
    """Nothing waits in the queue, nor is being taken from it (RQ's intermediate list), nor runs."""
    store = queue.connection
    return queue.count == 0 and store.llen(queue.intermediate_queue_key) == 0 and queue.started_job_registry.count == 0


def wait_for(condition: Callable[[], bool], running: Workers, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + PATIENCE.total_seconds()
    while not condition():
        if time.monotonic() > deadline:
            raise BenchError(f"waited {PATIENCE} for {what}: {running.log_tail()}")
        running.sample()
        time.sleep(every)


@contextlib.contextmanager
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A partner's webhook endpoint on loopback: answers 204 to each POST and keeps its body."""
    received: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="bench-webhook-receiver", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    finally:
        server.shutdown()
        server.server_close()


def epoch(moment: object) -> float:
    """Seconds since the epoch of a timestamp the database or RQ kept (naive ones are UTC)."""
    assert isinstance(moment, datetime), moment
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
