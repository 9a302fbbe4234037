"""Jobs of privacy: personal data goes once its edition's retention period has passed."""

from __future__ import annotations

from datetime import datetime

from innovationsweek import runtime
from innovationsweek.jobs import TimeBudget
from innovationsweek.db import utcnow
from innovationsweek.notifications.mailer import mail_files
from innovationsweek.privacy import service as privacy

PURGE_BATCH = 500


def purge_expired_personal_data(now: str | None = None) -> dict[str, int]:
    """Periodic: erase the registrations whose activity ended longer ago than its edition's
    retention period (the rows stay as anonymous counts), then delete old stored emails, and
    the .eml files under instance/mail/ as old (they hold working cancel links). One short
    transaction per batch; running it again finds nothing more to do.

    ``now`` (ISO 8601 with an offset) replaces the current time, for trials and tests.
    """
    moment = datetime.fromisoformat(now) if now else utcnow()
    budget = TimeBudget()
    current = runtime.current()
    database = current.database
    done = {"registrations": 0, "emails": 0, "mail_files": 0}
    for kind, purge in (
        ("registrations", privacy.purge_expired_registrations),
        ("emails", privacy.purge_old_emails),
    ):
        while not budget.spent:
            with database.unit_of_work() as session:
                purged = purge(session, now=moment, limit=PURGE_BATCH)
            done[kind] += purged
            if purged < PURGE_BATCH:
                break
    with database.sessions() as session:
        retention = privacy.email_retention(session)
    done["mail_files"] = mail_files(current.settings).remove_written_before(moment - retention)
    return done
