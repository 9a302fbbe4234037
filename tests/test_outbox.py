"""The outbox promise: a committed change's job runs, even when the queue loses it."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from rq.job import Job

from innovationsweek import outbox
from innovationsweek.db import utcnow
from innovationsweek.outbox import OutboxMessage
from tests.conftest import run_jobs

HEARTBEAT = timedelta(seconds=30)


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


def redrive(runtime) -> int:
    return outbox.redrive_stalled(runtime.database.engine, runtime.redis, older_than=timedelta(minutes=5), heartbeat=HEARTBEAT)


def redrive_after_data_loss(runtime) -> int:
    return outbox.redrive_after_data_loss(runtime.database.engine, runtime.redis, heartbeat=HEARTBEAT)


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
    assert redrive(runtime) == 1
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_job_still_queued_or_recently_relayed_is_left_alone(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    assert redrive(runtime) == 0
    age(runtime, message_id, timedelta(hours=1))
    assert redrive(runtime) == 0
    assert Job.fetch(f"outbox-{message_id}", connection=runtime.redis).get_status() == "queued"


def test_a_job_abandoned_by_a_dead_worker_is_run_again(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    job = Job.fetch(f"outbox-{message_id}", connection=runtime.redis)
    job.set_status("failed")  # RQ's verdict on a job whose worker died; no callback ran
    age(runtime, message_id, timedelta(hours=1))
    assert redrive(runtime) == 1
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_running_job_whose_worker_stopped_its_heartbeats_is_run_again(app, runtime):
    message_id = schedule_publication_of_nothing(runtime)
    job = Job.fetch(f"outbox-{message_id}", connection=runtime.redis)
    job.set_status("started")
    job.heartbeat(utcnow() - 2 * HEARTBEAT, ttl=600)  # alive: within three heartbeats
    age(runtime, message_id, timedelta(hours=1))
    assert redrive(runtime) == 0
    job.heartbeat(utcnow() - 4 * HEARTBEAT, ttl=600)  # its worker was killed
    assert redrive(runtime) == 1
    run_jobs(runtime)
    assert message(runtime, message_id).completed_at is not None


def test_a_queue_store_that_lost_its_data_gets_every_unfinished_job_again_at_once(app, runtime):
    assert redrive_after_data_loss(runtime) == 0  # a new store: marked, nothing was lost
    queued = schedule_publication_of_nothing(runtime)
    later = datetime_in(runtime, hours=5)
    held_by = runtime.redis.get("iw-test-run")  # the suite's claim on this Redis database
    runtime.redis.flushdb()  # Redis restarted without its data: no marker, no jobs
    runtime.redis.set("iw-test-run", held_by, ex=3600)

    assert redrive_after_data_loss(runtime) == 2  # young messages too, scheduled ones too
    assert redrive_after_data_loss(runtime) == 0  # marked again: the next tick finds nothing lost
    assert Job.fetch(f"outbox-{queued}", connection=runtime.redis).get_status() == "queued"
    assert Job.fetch(f"outbox-{later}", connection=runtime.redis).get_status() == "scheduled"
    run_jobs(runtime)
    assert message(runtime, queued).completed_at is not None


def test_the_upgrade_step_replaces_a_job_that_names_an_older_releases_callbacks(app, runtime):
    """README "Upgrading": a job queued before the callbacks moved names paths that no longer
    import; emptying the store hands its message to RQ again under the current paths."""
    queued = schedule_publication_of_nothing(runtime)
    job = Job.fetch(f"outbox-{queued}", connection=runtime.redis)
    job._success_callback_name, job._failure_callback_name = "innovationsweek.outbox.job_succeeded", "innovationsweek.outbox.job_failed"
    job.save()
    held_by = runtime.redis.get("iw-test-run")
    runtime.redis.flushdb()  # the step: the old release stopped, the store emptied
    runtime.redis.set("iw-test-run", held_by, ex=3600)

    assert redrive_after_data_loss(runtime) == 1
    again = Job.fetch(f"outbox-{queued}", connection=runtime.redis)
    assert (again.success_callback.__module__, again.failure_callback.__module__) == ("innovationsweek.jobs.callbacks",) * 2
    run_jobs(runtime)
    assert message(runtime, queued).completed_at is not None


def datetime_in(runtime, *, hours: int) -> int:
    with runtime.database.unit_of_work() as session:
        return outbox.schedule(session, "publish_activity", 999_998, run_after=utcnow() + timedelta(hours=hours)).id


def test_a_rolled_back_change_schedules_nothing(app, runtime):
    with runtime.database.sessions() as session:
        outbox.schedule(session, "publish_activity", 1)
        session.rollback()
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert runtime.redis.llen("rq:queue:publishing") == 0
