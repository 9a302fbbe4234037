"""The reminders job: every five minutes, plan what no transition announced, then send what is due.

Each activity is planned, and each reminder sent, in a transaction of its own, so one that fails
holds up nothing else, and a run cut short leaves the rest to the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from innovationsweek import runtime
from innovationsweek.db import Database, utcnow
from innovationsweek.jobs import TimeBudget
from innovationsweek.reminders import service as reminders

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Run:
    planned: int
    sent: int
    not_sent: int


def plan_and_send_reminders() -> dict[str, int]:
    """Periodic (the worker's clock enqueues it every five minutes, embedded mode included)."""
    run = plan_and_send(runtime.current().database, utcnow())
    return {"planned": run.planned, "sent": run.sent, "not_sent": run.not_sent}


def plan_and_send(database: Database, now: datetime) -> Run:
    budget = TimeBudget()
    with database.unit_of_work() as session:
        reminders.plan_digests(session, now)
        activity_ids = reminders.activities_to_plan(session, now, limit=BATCH)
    for activity_id in activity_ids:
        with database.unit_of_work() as session:
            reminders.plan_activity(session, activity_id, now=now)
    with database.sessions() as session:
        due = reminders.due_reminders(session, now, limit=BATCH)
    sent = not_sent = 0
    for reminder_id in due:
        if budget.spent:
            log.warning("reminders: %d due reminder(s) left for the next run", len(due) - sent - not_sent)
            break
        with database.unit_of_work() as session:
            if reminders.send_reminder(session, reminder_id, now):
                sent += 1
            else:
                not_sent += 1
    return Run(planned=len(activity_ids), sent=sent, not_sent=not_sent)
