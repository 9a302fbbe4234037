"""Faults injected into the production shape: gunicorn serving ``wsgi:app`` and ``innovationsweek
worker`` processes, on a PostgreSQL database and a Redis server of the test's own, with a real
SMTP server and partners' web servers on loopback.

Every process is started in its own process group and stopped by its id when the test ends,
however it ends. The services' recovery timings are shortened through their settings (see
``TIMINGS``), never by patching code: what runs is what production runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import sqlalchemy as sa
from rq.job import Job
from rq.worker import Worker
from sqlalchemy.engine import make_url

from innovationsweek import migrate
from innovationsweek.config import Settings
from innovationsweek.runtime import Runtime
from tests.conftest import DATABASE_URL, PUBLIC_URL, SECRET_KEY
from tests.notifications.test_email import SmtpServer, free_port, smtp  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Recovery timings for the tests: what production waits minutes for happens in seconds.
TIMINGS = {
    "IW_OUTBOX_REDRIVE_SECONDS": "2",
    "IW_JOB_HEARTBEAT_SECONDS": "1",
    "IW_DATABASE_CONNECT_TIMEOUT": "2",
    "IW_SMTP_TIMEOUT": "2",
    "IW_WEBHOOK_TIMEOUT": "2",
}
# The promise is five minutes; a test waits at most this long, so a hang fails it.
RECOVERY_LIMIT = 120.0


def wait_until(condition: Callable[[], Any], seconds: float, what: str, every: float = 0.2) -> Any:
    """``condition()``'s first truthy value, polled; fails the test naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds:.0f} s: {what}", pytrace=False)
        time.sleep(every)


# --- processes ------------------------------------------------------------------------------


class Processes:
    """The processes a test started, each the leader of its own group, stopped by its id."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (the process writes it until it ends)
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        self.started.append(process)
        return process

    @staticmethod
    def signal(process: subprocess.Popen[bytes], signum: int) -> None:
        """To the process, its group and every descendant: RQ's work horse starts a session of
        its own, and must die with its worker, as when a machine goes."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        for pid in _descendants(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        self.signal(process, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            self.signal(process, signal.SIGCONT)  # a frozen process cannot stop
            self.signal(process, signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.signal(process, signal.SIGKILL)  # what is left of the group, orphans included
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)

    def log_of(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@dataclass
class RedisServer:
    """A Redis of the test's own that keeps nothing on disk: started again, it is empty."""

    processes: Processes
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = self.processes.start("redis", command)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_until(lambda: _pings(client), 10, "redis-server answers")
        client.close()

    def kill(self) -> None:
        assert self.process is not None
        self.processes.kill(self.process)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@pytest.fixture
def redis_server(processes: Processes) -> RedisServer:
    server = RedisServer(processes)
    server.start()
    return server


# --- the database ----------------------------------------------------------------------------


@pytest.fixture
def database_server() -> str:
    """The PostgreSQL server the scratch database is made on (a test may bring its own)."""
    return DATABASE_URL


@pytest.fixture
def scratch_database(database_server: str) -> Iterator[str]:
    """A database of this test's own, migrated to head, dropped afterwards."""
    server = sa.create_engine(database_server, isolation_level="AUTOCOMMIT")
    name = f"iw_faults_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(database_server).set(database=name).render_as_string(hide_password=False)
    try:
        engine = sa.create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with contextlib.suppress(sa.exc.OperationalError), server.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def database_url(scratch_database: str) -> str:
    """The suite's settings, on this test's database and Redis (see tests/conftest.py)."""
    return scratch_database


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """Without the suite's emptying: the database is dropped and the Redis stopped afterwards."""
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


# --- the service: gunicorn and workers ------------------------------------------------------


@dataclass
class Service:
    """gunicorn serving wsgi:app and ``innovationsweek worker`` processes, as in production."""

    processes: Processes
    env: dict[str, str]
    port: int
    gunicorn: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int) -> None:
        command = [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}", "--timeout", "30", "wsgi:app"]
        self.gunicorn = self.processes.start("gunicorn", command, self.env)
        for _ in range(workers):
            self.start_worker()
        wait_until(self._healthy, 60, f"gunicorn answers /health 200 (log: {self.processes.log_of('gunicorn')[-2000:]})")

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self.processes.start(f"worker-{len(self.workers)}", [str(BIN / "innovationsweek"), "worker"], self.env)
        self.workers.append(worker)
        return worker

    def _healthy(self) -> bool:
        try:
            return self.get("/health").status_code == 200
        except requests.ConnectionError:
            return False

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.post(self.url + path, timeout=30, **kwargs)

    def freeze_workers(self) -> None:
        for worker in self.workers:
            self.processes.signal(worker, signal.SIGSTOP)

    def thaw_workers(self) -> None:
        for worker in self.workers:
            self.processes.signal(worker, signal.SIGCONT)

    def worker_running(self, store: redis.Redis, job_id: str) -> subprocess.Popen[bytes] | None:
        """The worker process (of ours) whose work horse runs ``job_id`` now, if any."""
        try:
            job = Job.fetch(job_id, connection=store)
        except Exception:  # noqa: BLE001 (gone or not yet there: nobody runs it)
            return None
        if job.get_status() != "started" or not job.worker_name:
            return None
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + job.worker_name, connection=store)
        return next((w for w in self.workers if worker is not None and w.pid == worker.pid and w.poll() is None), None)


@pytest.fixture
def start_service(processes: Processes, settings: Settings, smtp: SmtpServer) -> Iterator[Callable[..., Service]]:
    """Starts the service on the test's database, Redis and SMTP server (or ``smtp_port``, a
    front to it); ``timings`` override :data:`TIMINGS` (environment variable: value)."""
    services: list[Service] = []

    def start(*, workers: int = 2, smtp_port: int | None = None, **timings: str) -> Service:
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": str(settings.database_url),
            "REDIS_URL": str(settings.redis_url),
            "IW_SECRET_KEY": SECRET_KEY,
            "IW_PUBLIC_URL": PUBLIC_URL,
            "IW_INSTANCE_PATH": str(settings.instance_path),
            "IW_OUTBOUND_ALLOW_PRIVATE": "true",
            "IW_SMTP_HOST": "127.0.0.1",
            "IW_SMTP_PORT": str(smtp_port or smtp.port),
            **TIMINGS,
            **timings,
        }
        service = Service(processes, env, port)
        services.append(service)
        service.start(workers)
        return service

    yield start
    for service in services:
        service.http.close()


# --- what organisers and coordinators do, over HTTP -------------------------------------------------

ACTIVITIES = "/api/v1/editions/test-week/activities"


def submit(service: Service, week: Any, title: str) -> int:
    """An organiser creates a webcast and submits it; both answers must be successes."""
    created = service.post(ACTIVITIES, json=week.webcast(title=title), headers=week.organiser)
    assert created.status_code == 201, created.text
    activity_id = created.json()["id"]
    submitted = service.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    assert submitted.status_code == 200, submitted.text
    return activity_id


def statuses(runtime: Runtime, ids: list[int]) -> dict[int, str]:
    with runtime.database.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, status FROM activities WHERE id = ANY(:ids)"), {"ids": ids})
        return {row.id: row.status for row in rows}


def feed_ids(service: Service, slug: str = "test-week") -> list[int]:
    """Every activity id the change feed carries, page after page, as a partner reads it."""
    ids: list[int] = []
    url = f"/api/v1/editions/{slug}/feed?afterChangeNumber=0"
    while True:
        page = service.get(url)
        assert page.status_code == 200, page.text
        items = page.json()["items"]
        if not items:
            return ids
        ids += [int(item["id"]) for item in items]
        url = page.json()["next"].removeprefix(PUBLIC_URL)


# --- a TCP front that misbehaves on demand -------------------------------------------------------


class FaultyFront:
    """A TCP port in front of a real server (an SMTP or a partner's web server) that passes
    connections through, or hangs them (accepts, never answers), or resets them (RST at once):
    ``mode`` for every connection, or ``cycle`` for one mode after the other. ``connections``
    keeps each connection's mode and when it came."""

    MODES = ("pass", "hang", "reset")

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"
        self.cycle: list[str] = []
        self.connections: list[tuple[float, str]] = []
        self._stopped = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            mode = self.cycle[len(self.connections) % len(self.cycle)] if self.cycle else self.mode
            self.connections.append((time.monotonic(), mode))
            threading.Thread(target=getattr(self, f"_{mode}"), args=(client,), daemon=True).start()

    def _reset(self, client: socket.socket) -> None:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        client.close()

    def _hang(self, client: socket.socket) -> None:
        with client:
            client.settimeout(0.2)
            while not self._stopped.is_set():
                try:
                    if not client.recv(65536):
                        return  # the caller gave up
                except TimeoutError:
                    continue
                except OSError:
                    return

    def _pass(self, client: socket.socket) -> None:
        with client, socket.create_connection(("127.0.0.1", self.target_port)) as server:
            for one, other in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(one, other), daemon=True).start()
            self._stopped.wait(60)

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        self._thread.join(timeout=5)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


# --- figures for RELIABILITY.md ----------------------------------------------------------------


@dataclass
class Figures:
    """What one fault test did and found; a test asserts ``lost`` and ``twice`` are 0."""

    guarantee: str
    faults: int = 0
    requests_under_fault: int = 0
    items: int = 0
    lost: int = 0
    twice: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self, test: str) -> str:
        notes = "; ".join(self.notes)
        return (
            f"| {self.guarantee} | `{test}` | {self.faults} faults injected, {self.requests_under_fault} requests under fault, "
            f"{self.items} items, lost {self.lost}, done twice {self.twice}{'; ' + notes if notes else ''} |"
        )


RECORDED: dict[str, Figures] = {}


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Callable[[str], Figures]]:
    made: list[Figures] = []

    def make(guarantee: str) -> Figures:
        made.append(Figures(guarantee))
        return made[-1]

    yield make
    if made and not getattr(request.node, "failed", False):
        RECORDED[request.node.nodeid] = made[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.failed = True  # type: ignore[attr-defined]
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With IW_RECORD_FAULTS=1 (``make faults``), the figures replace RELIABILITY.md's Faults table."""
    if os.environ.get("IW_RECORD_FAULTS") != "1" or not RECORDED:
        return
    document = REPO / "RELIABILITY.md"
    start, end = "<!-- faults:start -->", "<!-- faults:end -->"
    text = document.read_text(encoding="utf-8")
    before, _, rest = text.partition(start)
    _, _, after = rest.partition(end)
    table = "\n".join(
        [
            f"Last run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            "| guarantee | test | last figures |",
            "|---|---|---|",
            *(figures.row(test) for test, figures in sorted(RECORDED.items())),
        ]
    )
    document.write_text(f"{before}{start}\n{table}\n{end}{after}", encoding="utf-8")
