"""Housekeeping jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from innovationsweek import runtime
from innovationsweek.accounts import service as accounts
from innovationsweek.db import utcnow
from innovationsweek.jobs import TimeBudget
from innovationsweek.webhooks import service as webhooks

# Expired and revoked tokens are kept a while so that "token expired" can still be told apart
# from "token unknown" in logs, then removed.
KEEP_EXPIRED_TOKENS = timedelta(days=7)


def purge_expired_tokens() -> int:
    with runtime.current().database.unit_of_work() as session:
        return accounts.purge_expired_tokens(session, older_than=KEEP_EXPIRED_TOKENS)


def purge_expired_sign_ups() -> int:
    with runtime.current().database.unit_of_work() as session:
        return accounts.purge_expired_sign_ups(session)


PURGE_BATCH = 500


def purge_old_webhook_deliveries(now: str | None = None) -> int:
    """Periodic: delete webhook deliveries and their attempts once the delivery log need not
    keep them (``webhooks.DELIVERY_LOG_KEPT``). One short transaction per batch; running it
    again, or two at once, deletes nothing twice. Returns how many deliveries went.

    ``now`` (ISO 8601 with an offset) replaces the current time, for trials and tests.
    """
    moment = datetime.fromisoformat(now) if now else utcnow()
    budget = TimeBudget()
    purged = 0
    while not budget.spent:
        with runtime.current().database.unit_of_work() as session:
            batch = webhooks.purge_old_deliveries(session, now=moment, limit=PURGE_BATCH)
        purged += batch
        if batch < PURGE_BATCH:
            break
    return purged
