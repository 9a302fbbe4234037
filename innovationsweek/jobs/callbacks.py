"""RQ's callbacks for every job :mod:`innovationsweek.outbox` enqueues: they mark the job's
outbox message done, so the sweep does not hand RQ the job again. They live with the jobs, not
in the outbox, because they find the database through the process's runtime, which in turn
builds on the outbox."""

from __future__ import annotations

from typing import Any

import redis
from rq.job import Job
from rq.utils import import_attribute

from innovationsweek import outbox, runtime


def job_succeeded(job: Job, connection: redis.Redis, result: Any, *args: Any, **kwargs: Any) -> None:
    """RQ's success callback for every outbox job."""
    outbox.complete(runtime.current().database.engine, outbox.message_id_of(job))


def job_failed(job: Job, connection: redis.Redis, exc_type: type, exc: BaseException, traceback: Any) -> None:
    """RQ's failure callback for every outbox job: the job's own callback (see the registry), and
    the message is done once RQ will not try again."""
    engine = runtime.current().database.engine
    message_id = outbox.message_id_of(job)
    spec = outbox.spec_of(engine, message_id)
    if spec is not None and spec.on_failure is not None:
        import_attribute(spec.on_failure)(job, connection, exc_type, exc, traceback)
    if not job.retries_left:
        outbox.complete(engine, message_id)
