"""Every job the outbox can schedule: its function, queue, time limit and retries, in one list."""

from __future__ import annotations

from dataclasses import dataclass



@dataclass(frozen=True)
class JobSpec:
    function: str
    queue: str
    timeout: int = 120
    result_ttl: int = 24 * 3600
    # Seconds before each retry; RQ needs its scheduler (or our clock) to run them.
    retry_intervals: tuple[int, ...] = (10, 60, 300)
    # Called (dotted path) on every failure, like RQ's own failure callbacks.
    on_failure: str | None = None


JOBS: dict[str, JobSpec] = {
    "publish_activity": JobSpec(
        "innovationsweek.jobs.programme.publish_activity", queue="publishing", timeout=60, retry_intervals=(5, 30, 120, 600)
    ),
    "republish_edition": JobSpec(
        "innovationsweek.jobs.programme.republish_edition", queue="publishing", timeout=1800, retry_intervals=(60, 600)
    ),
    "announce_hidden_changes": JobSpec(
        "innovationsweek.jobs.programme.announce_hidden_changes", queue="publishing", timeout=1800, retry_intervals=(60, 600)
    ),
    "republish_linked": JobSpec(
        "innovationsweek.jobs.programme.republish_linked", queue="publishing", timeout=1800, retry_intervals=(60, 600)
    ),
    "check_revision": JobSpec(
        "innovationsweek.jobs.moderation.check_revision",
        queue="moderation",
        timeout=120,
        retry_intervals=(10, 60, 300),
        on_failure="innovationsweek.jobs.moderation.check_revision_failed",
    ),
    "check_report_revision": JobSpec(
        "innovationsweek.jobs.moderation.check_report_revision",
        queue="moderation",
        timeout=120,
        retry_intervals=(10, 60, 300),
        on_failure="innovationsweek.jobs.moderation.check_report_revision_failed",
    ),
    # Safe to retry: it resumes where the last run stopped.
    "decide_in_bulk": JobSpec("innovationsweek.jobs.moderation.decide_in_bulk", queue="moderation", timeout=1800, retry_intervals=(10, 60, 300)),
    # After the last retry the periodic send_pending_emails keeps trying.
    "send_email": JobSpec(
        "innovationsweek.jobs.notifications.send_email",
        queue="notifications",
        timeout=60,
        retry_intervals=(30, 120, 600, 1800, 3600),
    ),
    # --- webhooks ---
    # One attempt per job: a partner's failure is recorded and the next attempt scheduled in
    # the outbox (the webhook schedule, over days). RQ's retries only cover our own failures
    # (the database was unreachable); sweep_webhook_deliveries catches what they miss.
    "deliver_webhook": JobSpec(
        "innovationsweek.jobs.webhooks.deliver_webhook",
        queue="webhooks",
        timeout=60,
        retry_intervals=(30, 300),
    ),
}
