"""Jobs of the notifications queue: sending the emails the service layer recorded."""

from __future__ import annotations

import logging
from datetime import timedelta

from innovationsweek import runtime
from innovationsweek.config import retry_wait
from innovationsweek.jobs import TimeBudget
from innovationsweek.db import utcnow
from innovationsweek.notifications import service as notifications
from innovationsweek.notifications.mailer import Mailer, mailer_for
from innovationsweek.runtime import Runtime

log = logging.getLogger(__name__)

# The sweep leaves younger emails to their own job (relayed at commit, retried by RQ), this wait
# scaled like the job's retries (config.retry_wait)...
SWEEP_AFTER = timedelta(minutes=15)
# ...and gives up on older ones: they stay unsent, with their last error, for a person to read
# (not scaled: how long mail is tried for is no wait between tries).
SWEEP_GIVES_UP_AFTER = timedelta(days=7)
SWEEP_BATCH = 200


def send_email(email_id: int) -> bool:
    """Send one email; running it again once it was sent does nothing. A failure is recorded on
    the email, then raised, so that RQ retries and lists the failure."""
    current = runtime.current()
    return _deliver(current, email_id, mailer_for(current.settings))


def send_pending_emails() -> int:
    """Periodic: send what is still unsent once RQ's retries are used up (the mail server was
    down for longer) or its job never ran. Stops at the first sign that the server is down."""
    current = runtime.current()
    now = utcnow()
    with current.database.sessions() as session:
        ids = notifications.unsent_emails(
            session, created_before=now - retry_wait(SWEEP_AFTER, current.settings.retry_scale), created_after=now - SWEEP_GIVES_UP_AFTER, limit=SWEEP_BATCH
        )
    mailer = mailer_for(current.settings)
    budget = TimeBudget()
    sent = 0
    for email_id in ids:
        if budget.spent:
            break
        try:
            sent += _deliver(current, email_id, mailer)
        except notifications.DeliveryFailed as failure:
            if not failure.rejected:
                raise  # nothing can be sent now; the next sweep tries again
            log.warning("%s", failure)
    return sent


def _deliver(current: Runtime, email_id: int, mailer: Mailer) -> bool:
    with current.database.sessions() as session:
        try:
            sent = notifications.deliver(session, email_id, mailer, sender=current.settings.mail_from)
        except notifications.DeliveryFailed:
            session.commit()  # keep the attempt and its error, then fail the job
            raise
        session.commit()
        return sent
