"""The transactional outbox: work for the queue is written in the same transaction as the
change that causes it, then relayed to RQ.

A committed change therefore never loses its job (Redis may be down at commit time: the clock's
sweep relays it later), and a rolled-back change never runs one. A message counts as done only
when its job has succeeded or finally failed: one whose job vanished (Redis restarted without
its data, a worker killed mid-job) is handed to RQ again by :func:`redrive_stalled`. Jobs are
written to run twice safely. Relaying twice is harmless:
the RQ job id is derived from the outbox row, and RQ refuses a second job with the same id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
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


def relay(engine: sa.Engine, connection: redis.Redis, ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Enqueue outbox messages not yet enqueued (all pending ones, or just ``ids``).

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
                _enqueue(connection, row)
            except redis.RedisError:
                log.warning("outbox: the queue is unreachable; %d message(s) wait for the next sweep", len(rows) - len(relayed))
                break
            relayed.append(row.id)
        if relayed:
            db.execute(
                sa.update(OutboxMessage).where(OutboxMessage.id.in_(relayed)).values(enqueued_at=utcnow())
            )
    return len(relayed)


def _enqueue(connection: redis.Redis, row: sa.Row[Any]) -> None:
    spec: JobSpec = JOBS[row.job]
    queue = Queue(spec.queue, connection=connection)
    options: dict[str, Any] = {
        "job_id": f"outbox-{row.id}",
        "unique": True,
        "job_timeout": spec.timeout,
        "result_ttl": spec.result_ttl,
        "failure_ttl": 7 * 24 * 3600,
        "retry": Retry(max=len(spec.retry_intervals), interval=list(spec.retry_intervals)) if spec.retry_intervals else None,
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


def relay_committed(engine: sa.Engine, connection: redis.Redis, session: Session) -> None:
    """After a commit: hand this transaction's messages to RQ at once (best effort)."""
    ids = session.info.pop(SESSION_KEY, None)
    if ids:
        try:
            relay(engine, connection, ids)
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


def redrive_stalled(engine: sa.Engine, connection: redis.Redis, *, older_than: timedelta, limit: int = 200) -> int:
    """Hand RQ again the messages whose job is gone: Redis lost it, or a worker died running it.

    A message relayed more than ``older_than`` ago and still not done is looked up in RQ: a job
    that is queued, scheduled or running is left alone; a finished one marks the message done;
    one that is missing or failed without RQ's callbacks running is enqueued again.
    """
    stale = utcnow() - older_than
    with engine.connect() as db:
        rows = db.execute(
            sa.select(OutboxMessage.__table__)
            .where(
                OutboxMessage.completed_at.is_(None),
                OutboxMessage.enqueued_at < stale,
                sa.or_(OutboxMessage.run_after.is_(None), OutboxMessage.run_after < stale),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
    redriven = 0
    for row in rows:
        try:
            status = Job.fetch(f"outbox-{row.id}", connection=connection).get_status()
        except NoSuchJobError:
            status = None
        if status in ALIVE:
            continue
        if status == JobStatus.FINISHED:
            complete(engine, row.id)
            continue
        if status is not None:
            Job.fetch(f"outbox-{row.id}", connection=connection).delete()
        _enqueue(connection, row)
        with engine.begin() as db:
            db.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row.id).values(enqueued_at=utcnow()))
        log.warning("outbox: message %d (%s) was lost by the queue; enqueued it again", row.id, row.job)
        redriven += 1
    return redriven
