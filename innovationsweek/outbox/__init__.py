"""The transactional outbox: work for the queue is written in the same transaction as the
change that causes it, then relayed to RQ.

A committed change therefore never loses its job (Redis may be down at commit time: the clock's
sweep relays it later), and a rolled-back change never runs one. A message counts as done only
when its job has succeeded or finally failed: one whose job vanished (Redis restarted without
its data, a worker killed mid-job) is handed to RQ again by :func:`redrive_stalled`, and at once
by :func:`redrive_after_data_loss` when the whole store lost its data. Jobs are written to run
twice safely. Relaying twice is harmless:
the RQ job id is derived from the outbox row, and RQ refuses a second job with the same id.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import redis
import sqlalchemy as sa
from rq import Callback, Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Mapped, Session, mapped_column

from innovationsweek.db import Base, utcnow
from innovationsweek.outbox.registry import JOBS, JobSpec

log = logging.getLogger(__name__)
SESSION_KEY = "innovationsweek.outbox"


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index(
            "ix_outbox_pending",
            "id",
            postgresql_where=sa.text("enqueued_at IS NULL"),
            sqlite_where=sa.text("enqueued_at IS NULL"),
        ),
        sa.Index(
            "ix_outbox_unfinished",
            "enqueued_at",
            postgresql_where=sa.text("completed_at IS NULL"),
            sqlite_where=sa.text("completed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(sa.String(80))
    args: Mapped[list[Any]] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_after: Mapped[datetime | None]
    enqueued_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]  # the job succeeded, or failed for the last time

    @property
    def job_id(self) -> str:
        return f"outbox-{self.id}"


def schedule(session: Session, job: str, *args: Any, run_after: datetime | None = None) -> OutboxMessage:
    """Record that ``job`` must run with ``args`` once this session's transaction commits."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}; register it in innovationsweek.outbox.registry")
    message = OutboxMessage(job=job, args=list(args), run_after=run_after)
    session.add(message)
    session.flush()
    session.info.setdefault(SESSION_KEY, []).append(message.id)
    return message


def relay(
    engine: sa.Engine, connection: redis.Redis, ids: Iterable[int] | None = None, limit: int = 500, *, retry_scale: float = 1.0
) -> int:
    """Enqueue outbox messages not yet enqueued (all pending ones, or just ``ids``), their retry
    waits scaled by ``retry_scale`` (the installation's ``IW_RETRY_SCALE``).

    Returns how many were handed to RQ. A Redis failure leaves the rest for the next sweep.
    """
    with engine.begin() as db:
        query = sa.select(OutboxMessage.__table__).where(OutboxMessage.enqueued_at.is_(None)).order_by(OutboxMessage.id).limit(limit)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(list(ids)))
        if db.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = db.execute(query).all()
        relayed = []
        for row in rows:
            try:
                _enqueue(connection, row, retry_scale)
            except redis.RedisError:
                log.warning("outbox: the queue is unreachable; %d message(s) wait for the next sweep", len(rows) - len(relayed))
                break
            relayed.append(row.id)
        if relayed:
            db.execute(
                sa.update(OutboxMessage).where(OutboxMessage.id.in_(relayed)).values(enqueued_at=utcnow())
            )
    return len(relayed)


def _enqueue(connection: redis.Redis, row: sa.Row[Any], retry_scale: float) -> None:
    spec: JobSpec = JOBS[row.job]
    queue = Queue(spec.queue, connection=connection)
    options: dict[str, Any] = {
        "job_id": f"outbox-{row.id}",
        "unique": True,
        "job_timeout": spec.timeout,
        "result_ttl": spec.result_ttl,
        "failure_ttl": 7 * 24 * 3600,
        "retry": Retry(max=len(spec.retry_intervals), interval=_retry_intervals(spec, retry_scale)) if spec.retry_intervals else None,
        "on_success": Callback("innovationsweek.jobs.callbacks.job_succeeded"),
        "on_failure": Callback("innovationsweek.jobs.callbacks.job_failed"),
    }
    try:
        if row.run_after is not None and row.run_after > utcnow() + timedelta(seconds=1):
            queue.enqueue_at(row.run_after, spec.function, *row.args, **options)
        else:
            queue.enqueue(spec.function, *row.args, **options)
    except DuplicateJobError:
        pass  # relayed before: RQ already holds this job


def _retry_intervals(spec: JobSpec, scale: float) -> list[int]:
    """The job's waits between retries, scaled (a whole second at least: RQ's scheduler works
    in seconds)."""
    return [max(1, math.ceil(seconds * scale)) for seconds in spec.retry_intervals]


def relay_committed(engine: sa.Engine, connection: redis.Redis, session: Session, *, retry_scale: float = 1.0) -> None:
    """After a commit: hand this transaction's messages to RQ at once (best effort)."""
    ids = session.info.pop(SESSION_KEY, None)
    if ids:
        try:
            relay(engine, connection, ids, retry_scale=retry_scale)
        except sa.exc.SQLAlchemyError:
            log.exception("outbox: relaying after commit failed; the sweep will retry")


def forget_rolled_back(session: Session) -> None:
    session.info.pop(SESSION_KEY, None)


# --- knowing when a message is done ----------------------------------------------------------


def message_id_of(job: Job) -> int | None:
    prefix = "outbox-"
    return int(job.id[len(prefix):]) if job.id.startswith(prefix) and job.id[len(prefix):].isdigit() else None


def spec_of(engine: sa.Engine, message_id: int | None) -> JobSpec | None:
    """The registry's entry for the message's job (None for a job that is not the outbox's)."""
    if message_id is None:
        return None
    with engine.connect() as db:
        name = db.scalar(sa.select(OutboxMessage.job).where(OutboxMessage.id == message_id))
    return JOBS.get(name) if name else None


def complete(engine: sa.Engine, message_id: int | None) -> None:
    """Mark the message done: its job succeeded, or failed for the last time."""
    if message_id is None:
        return
    with engine.begin() as db:
        db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(completed_at=utcnow()))


ALIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED}
# A running job whose worker has not proved it alive for this many heartbeats was lost with its
# worker (killed, or its machine gone).
MISSED_HEARTBEATS = 3
# Written into the queue store once every unfinished message is known to be in it; a store
# without it has lost its data (restarted empty, flushed, replaced) since.
STORE_MARKER_KEY = "iw:outbox:store-marker"
REDRIVE_BATCH = 500


def redrive_stalled(
    engine: sa.Engine, connection: redis.Redis, *, older_than: timedelta, heartbeat: timedelta, limit: int = 200, retry_scale: float = 1.0
) -> int:
    """Hand RQ again the messages whose job is gone: Redis lost it, or a worker died running it.

    A message relayed more than ``older_than`` ago and still not done is looked up in RQ: a job
    that is queued, scheduled or running (its worker heartbeat younger than
    :data:`MISSED_HEARTBEATS` × ``heartbeat``) is left alone; a finished one marks the message
    done; one that is missing, abandoned, or failed without RQ's callbacks running is enqueued
    again. Returns how many were.
    """
    stale = utcnow() - older_than
    rows = _unfinished(
        engine, OutboxMessage.enqueued_at < stale, sa.or_(OutboxMessage.run_after.is_(None), OutboxMessage.run_after < stale), limit=limit
    )
    return sum(_redrive_if_lost(engine, connection, row, heartbeat, retry_scale) for row in rows)


def redrive_after_data_loss(engine: sa.Engine, connection: redis.Redis, *, heartbeat: timedelta, retry_scale: float = 1.0) -> int:
    """When the queue store has lost its data, hand RQ again, at once, every message relayed and
    not done (whatever its age), then mark the store; returns how many were handed over.

    Without this, a store that restarted empty would lose every queued, scheduled and retried
    job until :func:`redrive_stalled` reached it. A message whose job is in the store (relayed
    since it came back) is left alone, so clocks that do this at the same time enqueue each job
    once. The first run against a new store finds nothing lost.
    """
    if connection.exists(STORE_MARKER_KEY):
        return 0
    redriven, after = 0, 0
    while rows := _unfinished(engine, OutboxMessage.enqueued_at.is_not(None), OutboxMessage.id > after, limit=REDRIVE_BATCH):
        redriven += sum(_redrive_if_lost(engine, connection, row, heartbeat, retry_scale) for row in rows)
        after = rows[-1].id
    connection.set(STORE_MARKER_KEY, utcnow().isoformat())
    if redriven:
        log.warning("outbox: the queue store lost its data; enqueued %d unfinished message(s) again", redriven)
    return redriven


def _unfinished(engine: sa.Engine, *conditions: sa.ColumnElement[bool], limit: int) -> list[sa.Row[Any]]:
    with engine.connect() as db:
        return list(
            db.execute(
                sa.select(OutboxMessage.__table__)
                .where(OutboxMessage.completed_at.is_(None), *conditions)
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
        )


def _redrive_if_lost(engine: sa.Engine, connection: redis.Redis, row: sa.Row[Any], heartbeat: timedelta, retry_scale: float) -> bool:
    try:
        job: Job | None = Job.fetch(f"outbox-{row.id}", connection=connection)
    except NoSuchJobError:
        job = None
    status = job.get_status() if job is not None else None
    if job is not None and status in ALIVE and not _abandoned(job, status, heartbeat):
        return False
    if status == JobStatus.FINISHED:
        complete(engine, row.id)
        return False
    if job is not None:
        job.delete()
    _enqueue(connection, row, retry_scale)
    with engine.begin() as db:
        db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id).values(enqueued_at=utcnow()))
    log.warning("outbox: message %d (%s) was lost by the queue (%s); enqueued it again", row.id, row.job, status or "missing")
    return True


def _abandoned(job: Job, status: JobStatus | None, heartbeat: timedelta) -> bool:
    """A started job whose worker stopped sending heartbeats: it died with the job."""
    last = job.last_heartbeat or job.started_at
    if status != JobStatus.STARTED or last is None:
        return False
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)  # RQ keeps UTC
    return utcnow() - last > MISSED_HEARTBEATS * heartbeat
