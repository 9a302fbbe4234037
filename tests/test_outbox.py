"""The outbox promise: a committed change's job runs, even when the queue loses it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from rq.job import Job

from innovationsweek import outbox
from innovationsweek.db import utcnow
from innovationsweek.outbox import OutboxMessage
from tests.conftest import run_jobs


def schedule_publication_of_nothing(runtime) -> int:
    """A real job (publishing an activity that does not exist does nothing) via the outbox."""
    with runtime.database.unit_of_work() as session:
        return outbox.schedule(session, "publish_activity", 999_999).id


def message(runtime, message_id: int) -> OutboxMessage:
    with runtime.database.sessions() as session:
        return session.get(OutboxMessage, message_id)


def age(runtime, message_id: int, by: timedelta) -> None:
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(enqueued_at=utcnow() - by))


def test_a_message_is_relayed_at_commit_and_done_when_its_job_succeeds(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    assert message(runtime, message_id).enqueued_at is not None
    assert message(runtime, message_id).completed_at is None
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_job_the_queue_lost_is_enqueued_again_and_runs(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    runtime.redis.delete(f"rq:job:outbox-{message_id}")  # as after a Redis restart without its data
    runtime.redis.delete("rq:queue:publishing")
    age(runtime, message_id, timedelta(hours=1))
    assert outbox.redrive_stalled(runtime.database.engine, runtime.redis, older_than=timedelta(minutes=35)) == 1
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_job_still_queued_or_recently_relayed_is_left_alone(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    assert outbox.redrive_stalled(runtime.database.engine, runtime.redis, older_than=timedelta(minutes=35)) == 0
    age(runtime, message_id, timedelta(hours=1))
    assert outbox.redrive_stalled(runtime.database.engine, runtime.redis, older_than=timedelta(minutes=35)) == 0
    assert Job.fetch(f"outbox-{message_id}", connection=runtime.redis).get_status() == "queued"


def test_a_job_abandoned_by_a_dead_worker_is_run_again(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    job = Job.fetch(f"outbox-{message_id}", connection=runtime.redis)
    job.set_status("failed")  # RQ's verdict on a job whose worker died; no callback ran
    age(runtime, message_id, timedelta(hours=1))
    assert outbox.redrive_stalled(runtime.database.engine, runtime.redis, older_than=timedelta(minutes=35)) == 1
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_rolled_back_change_schedules_nothing(app, runtime):
    with runtime.database.sessions() as session:
        outbox.schedule(session, "publish_activity", 1)
        session.rollback()
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert runtime.redis.llen("rq:queue:publishing") == 0
