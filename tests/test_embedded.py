"""The embedded default (no services): SQLite under instance/ and an in-process queue store,
with the RQ worker and the clock running in the same process."""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq import Queue
from rq.job import JobStatus

from innovationsweek import demo, migrate
from innovationsweek.accounts.models import AccessToken
from innovationsweek.app import create_app
from innovationsweek.config import Settings
from innovationsweek.db import utcnow
from innovationsweek.queue import Clock, run_worker
from innovationsweek.runtime import Runtime

PURGE = "innovationsweek.jobs.maintenance.purge_expired_tokens"


@pytest.fixture
def embedded(tmp_path: Path):
    runtime = Runtime(Settings(instance_path=tmp_path / "instance"))
    migrate.upgrade(runtime.database.engine)
    with runtime.database.unit_of_work() as session:
        demo.load_demo(session, password="demo-password")
    yield runtime
    runtime.close()


def test_embedded_mode_keeps_its_database_under_instance(embedded, tmp_path):
    assert embedded.settings.embedded
    assert (tmp_path / "instance" / "innovationsweek.db").is_file()


def test_embedded_api_answers_health_editions_and_tokens(embedded):
    client = create_app(runtime=embedded).test_client()
    health = client.get("/health")
    assert health.status_code == 200
    assert health.get_json()["mode"] == "embedded"
    slugs = [e["slug"] for e in client.get("/api/v1/editions").get_json()["items"]]
    assert "innovationsveckan-2019" in slugs
    token = client.post("/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": "demo-password"})
    assert token.status_code == 201
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token.get_json()['token']}"})
    assert "innovationsveckan-2019" in me.get_json()["coordinates"]


def _expired_token(runtime: Runtime) -> None:
    with runtime.database.unit_of_work() as session:
        session.add(AccessToken(user_id=1, token_hash="0" * 64, expires_at=utcnow() - timedelta(days=30)))


def _token_count(runtime: Runtime) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(AccessToken))


def test_in_process_worker_runs_jobs_from_the_in_process_store(embedded):
    create_app(runtime=embedded)  # installs the runtime the job uses
    _expired_token(embedded)
    job = Queue("maintenance", connection=embedded.redis).enqueue(PURGE)
    run_worker(embedded, burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() == 1
    assert _token_count(embedded) == 0


def test_clock_moves_due_scheduled_jobs_where_no_rq_scheduler_can_run(embedded):
    create_app(runtime=embedded)
    _expired_token(embedded)
    queue = Queue("maintenance", connection=embedded.redis)
    job = queue.enqueue_at(utcnow() - timedelta(seconds=1), PURGE)
    assert job.get_status() == JobStatus.SCHEDULED
    Clock(embedded).tick(utcnow())
    assert job.get_status(refresh=True) == JobStatus.QUEUED
    run_worker(embedded, burst=True)
    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert _token_count(embedded) == 0
