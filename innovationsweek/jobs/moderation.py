"""Jobs of the moderation queue: the automated checks of a submitted revision."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from innovationsweek import outbound, runtime
from innovationsweek.db import utcnow
from innovationsweek.moderation import checks
from innovationsweek.moderation import service as moderation

# A revision whose checks have not finished by then is handed to the coordinators by hand.
CHECKS_GIVE_UP_AFTER = timedelta(minutes=30)


def check_revision(revision_id: int) -> str | None:
    """Run the checks of one revision. Links are checked outside any transaction (they can take
    seconds); the findings are then recorded under a lock, once, however often this runs."""
    database = runtime.current().database
    with database.unit_of_work() as session:
        content = moderation.content_awaiting_checks(session, revision_id)
    if content is None:
        return None
    settings = runtime.current().outbound
    link_results = {url: outbound.check_link(url, settings) for _, url in checks.links_of(content)}
    with database.unit_of_work() as session:
        revision = moderation.run_checks(session, revision_id, link_results)
        return revision.state.value if revision else None


def check_revision_failed(job: Any, connection: Any, exc_type: type, exc: BaseException, traceback: Any) -> None:
    """RQ's failure callback: after the last retry, hand the revision to the coordinators."""
    if job.retries_left:
        return  # RQ will try again
    with runtime.current().database.unit_of_work() as session:
        moderation.record_check_failure(session, job.args[0], f"{exc_type.__name__}: {exc}")


def release_stuck_checks() -> int:
    """Periodic: revisions whose checks never finished (a worker killed, the queue down for long)."""
    with runtime.current().database.unit_of_work() as session:
        stuck = moderation.revisions_stuck_in_checks(session, submitted_before=utcnow() - CHECKS_GIVE_UP_AFTER)
        for revision_id in stuck:
            moderation.record_check_failure(session, revision_id, "they did not finish in time")
        return len(stuck)
