"""Jobs of the webhooks queue: one delivery attempt per job, and a sweep for lost attempts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from innovationsweek import runtime
from innovationsweek.config import retry_wait
from innovationsweek.db import utcnow
from innovationsweek.jobs import TimeBudget
from innovationsweek.runtime import Runtime
from innovationsweek.webhooks import service as webhooks
from innovationsweek.webhooks.models import WebhookAttempt

# The sweep leaves an attempt to its own job (relayed at commit, scheduled in RQ) this long
# after it was due (scaled like the schedule, config.retry_wait), then makes it itself: the job
# was lost (Redis emptied) or failed for good.
SWEEP_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 50


def deliver_webhook(delivery_id: int) -> str | None:
    """Make the delivery's due attempt; a repeat run finds it made and does nothing. The
    endpoint's failures are recorded and rescheduled, not raised: RQ retries only our own."""
    current = runtime.current()
    with current.database.unit_of_work() as session:
        attempt = _attempt(current, session, delivery_id)
        return None if attempt is None else ("succeeded" if attempt.succeeded else attempt.error)


def sweep_webhook_deliveries() -> int:
    """Periodic: make the attempts whose job never ran. Returns how many were made."""
    current = runtime.current()
    with current.database.sessions() as session:
        ids = webhooks.overdue_deliveries(session, due_before=utcnow() - retry_wait(SWEEP_AFTER, current.settings.retry_scale), limit=SWEEP_BATCH)
    budget = TimeBudget()
    made = 0
    for delivery_id in ids:
        if budget.spent:
            break
        with current.database.unit_of_work() as session:
            made += _attempt(current, session, delivery_id) is not None
    return made


def _attempt(current: Runtime, session: Session, delivery_id: int) -> WebhookAttempt | None:
    settings = webhooks.delivery_settings(current.outbound, current.settings.webhook_timeout)
    return webhooks.attempt_delivery(session, delivery_id, settings, retry_scale=current.settings.retry_scale)
