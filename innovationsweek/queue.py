"""RQ queues, the clock that enqueues periodic jobs, and the workers that run them.

Queues are named by the kind of work, so slow link checks never delay a publication. Every
job runs at least once and may run twice (a killed worker's job is retried): jobs check
whether their work is done before doing it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
import sqlalchemy as sa
from rq import Queue, SimpleWorker, Worker
from rq.exceptions import DuplicateJobError, StopRequested
from rq.scheduler import RQScheduler

from innovationsweek import outbox
from innovationsweek.config import retry_wait
from innovationsweek.db import utcnow
from innovationsweek.editions.models import LANGUAGES
from innovationsweek.runtime import Runtime
from innovationsweek.translations import translations

log = logging.getLogger(__name__)

# In the order a worker takes them: publishing first, people are waiting for it.
QUEUE_NAMES = ("publishing", "moderation", "notifications", "webhooks", "maintenance")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: str
    every: timedelta
    queue: str
    timeout: int = 300
    # A sweep that takes over work whose own job gave up: how often it runs is a wait between
    # retries, scaled by the installation's retry_scale.
    sweep: bool = False

    def period(self, retry_scale: float = 1.0) -> timedelta:
        return retry_wait(self.every, retry_scale) if self.sweep else self.every

    def job_id(self, now: datetime, retry_scale: float = 1.0) -> str:
        # One id per period: however many clocks run, each period's job is enqueued once.
        return f"{self.name}-{int(now.timestamp() // self.period(retry_scale).total_seconds())}"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "purge-expired-tokens",
        "innovationsweek.jobs.maintenance.purge_expired_tokens",
        every=timedelta(hours=1),
        queue="maintenance",
    ),
    PeriodicJob(
        "purge-expired-sign-ups",
        "innovationsweek.jobs.maintenance.purge_expired_sign_ups",
        every=timedelta(hours=1),
        queue="maintenance",
    ),
    PeriodicJob(
        "release-stuck-checks",
        "innovationsweek.jobs.moderation.release_stuck_checks",
        every=timedelta(minutes=5),
        queue="moderation",
    ),
    PeriodicJob(
        "send-pending-emails",
        "innovationsweek.jobs.notifications.send_pending_emails",
        every=timedelta(minutes=10),
        queue="notifications",
        sweep=True,
    ),
    # --- privacy ---
    PeriodicJob(
        "purge-expired-personal-data",
        "innovationsweek.jobs.privacy.purge_expired_personal_data",
        every=timedelta(hours=1),
        queue="maintenance",
    ),
    # --- reminders --- (due on the hour: sent within five minutes of it)
    PeriodicJob(
        "plan-and-send-reminders",
        "innovationsweek.jobs.reminders.plan_and_send_reminders",
        every=timedelta(minutes=5),
        queue="notifications",
    ),
    # --- webhooks ---
    PeriodicJob(
        "sweep-webhook-deliveries",
        "innovationsweek.jobs.webhooks.sweep_webhook_deliveries",
        every=timedelta(minutes=10),
        queue="webhooks",
        sweep=True,
    ),
    PeriodicJob(
        "purge-old-webhook-deliveries",
        "innovationsweek.jobs.maintenance.purge_old_webhook_deliveries",
        every=timedelta(hours=1),
        queue="maintenance",
    ),
)


def queues(connection: redis.Redis) -> list[Queue]:
    return [Queue(name, connection=connection) for name in QUEUE_NAMES]


def enqueue_periodic_jobs(connection: redis.Redis, now: datetime, retry_scale: float = 1.0) -> list[str]:
    enqueued = []
    for periodic in PERIODIC_JOBS:
        job_id = periodic.job_id(now, retry_scale)
        try:
            Queue(periodic.queue, connection=connection).enqueue(
                periodic.function,
                job_id=job_id,
                unique=True,
                job_timeout=periodic.timeout,
                result_ttl=int(periodic.period(retry_scale).total_seconds()) * 2,
                failure_ttl=7 * 24 * 3600,
            )
            enqueued.append(job_id)
        except DuplicateJobError:
            pass
    return enqueued


class Clock(threading.Thread):
    """Ticks once a second: relays outbox messages that missed their after-commit relay (Redis
    was down), hands RQ again the jobs it lost (all at once when Redis lost its data), enqueues
    periodic jobs, and moves due scheduled jobs and retries to their queues.

    Scheduled jobs are moved here rather than by RQ's forked scheduler process: the embedded
    store lives in this process, and with Redis the forked scheduler dies when Redis goes away
    and is started again only by the worker's ten-minute maintenance, so retries would wait that
    long after an outage. A clock outlives any outage. Of all the clocks, the one holding RQ's
    scheduler locks moves the jobs."""

    def __init__(self, runtime: Runtime, *, interval: float = 1.0) -> None:
        super().__init__(name="innovationsweek-clock", daemon=True)
        self.runtime = runtime
        self.interval = interval
        self.stopped = threading.Event()
        self.scheduler = RQScheduler(QUEUE_NAMES, connection=runtime.redis)
        settings = runtime.settings
        self.redrive_after = timedelta(seconds=settings.outbox_redrive_seconds)
        self.heartbeat = timedelta(seconds=settings.job_heartbeat_seconds)

    def tick(self, now: datetime) -> None:
        engine, store = self.runtime.database.engine, self.runtime.redis
        scale = self.runtime.settings.retry_scale
        outbox.relay(engine, store, retry_scale=scale)
        outbox.redrive_after_data_loss(engine, store, heartbeat=self.heartbeat, retry_scale=scale)
        outbox.redrive_stalled(engine, store, older_than=self.redrive_after, heartbeat=self.heartbeat, retry_scale=scale)
        enqueue_periodic_jobs(store, now, scale)
        if self.scheduler.acquire_locks():
            self.scheduler.enqueue_scheduled_jobs()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                self.tick(utcnow())
            except (redis.RedisError, sa.exc.OperationalError) as error:
                # Expected during an outage, once a second: one line each, not a traceback.
                log.warning("clock: the queue store or the database is unreachable (%s); retrying", error)
            except Exception:
                # The clock must outlive any one bad tick, or periodic work silently stops.
                log.exception("clock: tick failed")

    def stop(self) -> None:
        self.stopped.set()


def run_worker(runtime: Runtime, *, burst: bool = False, on_ready: Callable[[], None] | None = None) -> None:
    """Work the queues in this thread (it must be the main thread: RQ installs signal handlers).

    Embedded: a SimpleWorker runs jobs in this process, where the in-process store lives.
    With Redis: a forking Worker, whose heartbeats tell the clocks that its job is alive. Either
    way this process's clock moves delayed jobs and retries.
    """
    _prepare_work_horses()
    clock = Clock(runtime)
    if not burst:
        clock.start()
    if on_ready is not None:
        on_ready()
    try:
        _work_until_stopped(runtime, burst=burst)
    finally:
        clock.stop()


def _prepare_work_horses() -> None:
    """RQ forks a work horse for every job from this process: what is made here once, no job
    makes again (SQLAlchemy's mappers took some 40 ms of every job, the catalogues a few)."""
    sa.orm.configure_mappers()
    for language in LANGUAGES:
        translations(language)


class _StopRecorded:
    """Notes that a stop was asked for (SIGTERM, SIGINT), which RQ's worker keeps to itself."""

    stopped_on_request = False

    def request_stop(self, signum: int, frame: Any) -> None:
        self.stopped_on_request = True
        super().request_stop(signum, frame)  # type: ignore[misc]


class ServiceWorker(_StopRecorded, Worker):
    pass


class EmbeddedWorker(_StopRecorded, SimpleWorker):
    pass


def _work_until_stopped(runtime: Runtime, *, burst: bool) -> None:
    """RQ's worker quits when Redis goes away while it runs a job (its outbox message is handed
    to RQ again once Redis is back); a new worker starts as soon as Redis answers, until a stop is
    asked for, so that an outage never needs someone to restart the workers."""
    worker_class = EmbeddedWorker if runtime.settings.in_process_queue else ServiceWorker
    while True:
        worker = worker_class(
            queues(runtime.redis), connection=runtime.redis, job_monitoring_interval=runtime.settings.job_heartbeat_seconds
        )
        try:
            worker.work(burst=burst, logging_level="INFO")
        except redis.ConnectionError:
            pass  # its last words to Redis, on quitting, could not reach it either
        if burst or worker.stopped_on_request:
            return
        log.warning("worker: the queue store went away; working again once it answers")
        try:
            while not runtime.queue_is_reachable():
                time.sleep(1)
        except StopRequested:  # a stop asked for while waiting (RQ's handler is still installed)
            return
