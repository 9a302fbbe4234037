"""What `make run` does, as a new user sees it: a real server process with its worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

SERVE = [str(Path(sys.executable).parent / "innovationsweek"), "serve"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_worker(base: str, process: subprocess.Popen, seconds: float = 60) -> requests.Response:
    """/health once the server answers and its worker has registered with the queue."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.stdout.read()}")
        try:
            health = requests.get(f"{base}/health", timeout=2)
            if health.status_code != 200 or health.json()["workers"] >= 1:
                return health
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("server and worker were not up in time")


@pytest.fixture
def serve(tmp_path):
    processes = []

    def start(**env: str) -> tuple[str, subprocess.Popen]:
        port = free_port()
        environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        environment.update(IW_INSTANCE_PATH=str(tmp_path / "instance"), PORT=str(port), **env)
        process = subprocess.Popen(
            SERVE, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path
        )
        processes.append(process)
        return f"http://127.0.0.1:{port}", process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def check_a_new_user_can_start(base: str, process: subprocess.Popen, mode: str, password: str) -> None:
    health = wait_for_worker(base, process)
    assert health.status_code == 200, health.text
    assert health.json()["mode"] == mode
    assert health.json()["workers"] >= 1
    editions = requests.get(f"{base}/api/v1/editions", timeout=5).json()["items"]
    assert "innovationsveckan-2019" in [e["slug"] for e in editions]
    token = requests.post(
        f"{base}/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": password}, timeout=5
    )
    assert token.status_code == 201, token.text
    assert requests.get(f"{base}/api/openapi.json", timeout=5).json()["openapi"].startswith("3.")


def test_make_run_serves_the_demo_embedded_with_its_worker(serve, tmp_path):
    base, process = serve(IW_DEMO_PASSWORD="a-demo-password")
    check_a_new_user_can_start(base, process, "embedded", "a-demo-password")
    assert (tmp_path / "instance" / "innovationsweek.db").is_file()
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert "coordinator@example.org" in output and "a-demo-password" in output


def test_make_run_uses_postgresql_and_redis_when_configured(serve, runtime, settings):
    base, process = serve(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url)
    check_a_new_user_can_start(base, process, "services", "demo-password")
    assert not (Path(settings.instance_path) / "innovationsweek.db").exists()
