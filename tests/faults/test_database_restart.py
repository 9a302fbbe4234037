"""PostgreSQL restarted under load: requests fail fast with a 503 problem+json (no hang, no
dropped connection), change nothing when they fail, and succeed again once the database is back,
without restarting the API. The cluster is the test's own (initdb, pg_ctl as the postgres user),
so restarting it disturbs nobody else."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.faults.conftest import ACTIVITIES, RECOVERY_LIMIT, free_port, wait_until

PG_BIN = Path("/usr/local/bin")
# A failed request must answer within this many seconds (the connect timeout is 2 s).
FAIL_FAST = 5.0


@dataclass
class Cluster:
    directory: Path
    port: int
    user: str

    def pg_ctl(self, *arguments: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-t", "30", *arguments]
        subprocess.run(["runuser", "-u", self.user, "--", *command], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.pg_ctl("-l", str(self.directory / "postgres.log"), "-o", options, "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own on a free port, run by the postgres user (the
    server refuses to run as root); stopped by pg_ctl (it stops the postmaster by its pid file)."""
    if not (PG_BIN / "initdb").exists() or shutil.which("runuser") is None:
        pytest.skip("needs /usr/local/bin/initdb and runuser")
    user = "postgres"
    owner = pwd.getpwnam(user)
    directory = Path(tempfile.mkdtemp(prefix="iw-faults-pg-"))  # pytest's own temp is root's only
    os.chown(directory, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        ["runuser", "-u", user, "--", str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-A", "trust", "-U", "postgres"],
        check=True, capture_output=True, timeout=120,
    )
    cluster = Cluster(directory, free_port(), user)
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run(
            ["runuser", "-u", user, "--", str(PG_BIN / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "stop"],
            capture_output=True, timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def database_server(cluster: Cluster) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"


@dataclass
class Load:
    """Organisers reading their activities and creating drafts, in threads, until stopped."""

    url: str
    headers: dict[str, str]
    body: dict
    answers: list[tuple[float, float, int, str, str]] = field(default_factory=list)  # start, seconds, status, type, retry-after
    dropped: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with requests.Session() as http:
            while not self.stopped.is_set():
                for method, path in (("GET", ACTIVITIES), ("POST", ACTIVITIES)):
                    began = time.monotonic()
                    try:
                        response = http.request(
                            method, self.url + path, headers=self.headers, json=self.body if method == "POST" else None, timeout=30
                        )
                    except requests.RequestException as error:
                        self.dropped.append(f"{method}: {error}")
                        continue
                    if method == "POST" and response.status_code == 201:
                        self.created.append(response.json()["id"])
                    self.answers.append(
                        (began, time.monotonic() - began, response.status_code, response.headers.get("Content-Type", ""), response.headers.get("Retry-After", ""))
                    )
                time.sleep(0.05)


def test_a_database_restart_under_load_answers_503_fast_and_recovers_without_restarting_the_api(
    start_service, runtime, week, cluster, figures  # noqa: F811 (week)
):
    figure = figures("PostgreSQL restarted under load: fast 503 problem+json, nothing half-done, recovery without restart")
    service = start_service()
    gunicorn_pid = service.gunicorn.pid
    load = Load(service.url, week.organiser, week.webcast(title="Utkast under last"))
    threads = [threading.Thread(target=load.run) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2)
        down_from = time.monotonic()
        cluster.stop()
        time.sleep(3)
        cluster.start()
        up_from = time.monotonic()
        figure.faults = 1
        recovered_at = wait_until(
            lambda: min((start for start, _, status, _, _ in load.answers if start > up_from and status == 201), default=None),
            RECOVERY_LIMIT, "drafts are created again",
        )
        time.sleep(3)
    finally:
        load.stopped.set()
        for thread in threads:
            thread.join(timeout=60)

    after = [answer for answer in load.answers if answer[0] > recovered_at + 0.5]
    under_fault = [answer for answer in load.answers if down_from <= answer[0] <= up_from]
    failed = [answer for answer in load.answers if answer[2] >= 500]
    with runtime.database.engine.connect() as connection:
        drafts = set(connection.scalars(sa.text("SELECT id FROM activities WHERE title = 'Utkast under last'")))

    figure.requests_under_fault = len(under_fault)
    figure.items = len(load.created)
    figure.lost = len(set(load.created) - drafts)
    figure.twice = len(drafts - set(load.created))  # a draft made by a request that was told it failed
    slowest = max(seconds for _, seconds, status, _, _ in failed) if failed else 0.0
    figure.notes.append(
        f"{len(failed)} answered 503 (slowest {slowest:.1f} s), {len(load.dropped)} connections dropped, "
        f"drafts created again {recovered_at - up_from:.1f} s after the database was back"
    )
    assert load.dropped == []
    assert failed, "the restart was not noticed: no request failed"
    assert {(status, kind, retry) for _, _, status, kind, retry in failed} == {(503, "application/problem+json", "5")}
    assert slowest < FAIL_FAST
    assert after and all(status in (200, 201) for _, _, status, _, _ in after)
    assert service.gunicorn.pid == gunicorn_pid and service.gunicorn.poll() is None
    assert figure.lost == 0 and figure.twice == 0
