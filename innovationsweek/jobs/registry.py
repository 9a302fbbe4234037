"""Every job the outbox can schedule: its function, queue, time limit and retries, in one list."""

from __future__ import annotations

from dataclasses import dataclass

from rq import Callback


@dataclass(frozen=True)
class JobSpec:
    function: str
    queue: str
    timeout: int = 120
    result_ttl: int = 24 * 3600
    # Seconds before each retry; RQ needs its scheduler (or our clock) to run them.
    retry_intervals: tuple[int, ...] = (10, 60, 300)
    on_failure: Callback | None = None


JOBS: dict[str, JobSpec] = {
    "check_revision": JobSpec(
        "innovationsweek.jobs.moderation.check_revision",
        queue="moderation",
        timeout=120,
        retry_intervals=(10, 60, 300),
        on_failure=Callback("innovationsweek.jobs.moderation.check_revision_failed"),
    ),
    # After the last retry the periodic send_pending_emails keeps trying.
    "send_email": JobSpec(
        "innovationsweek.jobs.notifications.send_email",
        queue="notifications",
        timeout=60,
        retry_intervals=(30, 120, 600, 1800, 3600),
    ),
}
