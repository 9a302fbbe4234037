"""Jobs of the moderation queue: the automated checks of a submitted revision, of an activity or
of the material in its report."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from innovationsweek import outbound, runtime
from innovationsweek.db import utcnow
from innovationsweek.moderation import bulk, checks
from innovationsweek.moderation import service as moderation

# A revision whose checks have not finished by then is handed to the coordinators by hand.
CHECKS_GIVE_UP_AFTER = timedelta(minutes=30)


def check_revision(revision_id: int) -> str | None:
    """Run the checks of one revision of an activity."""
    return _check(revision_id, moderation.content_awaiting_checks, checks.links_of, moderation.run_checks)


def check_report_revision(revision_id: int) -> str | None:
    """Run the checks of one revision of a report's material."""
    return _check(
        revision_id, moderation.report_content_awaiting_checks, checks.report_links_of, moderation.run_report_checks
    )


def check_revision_failed(job: Any, connection: Any, exc_type: type, exc: BaseException, traceback: Any) -> None:
    """RQ's failure callback: after the last retry, hand the revision to the coordinators."""
    _hand_over(job, exc_type, exc, moderation.record_check_failure)


def check_report_revision_failed(job: Any, connection: Any, exc_type: type, exc: BaseException, traceback: Any) -> None:
    """The same for a report's material."""
    _hand_over(job, exc_type, exc, moderation.record_report_check_failure)


def release_stuck_checks() -> int:
    """Periodic: revisions whose checks never finished (a worker killed, the queue down for long)."""
    with runtime.current().database.unit_of_work() as session:
        return moderation.release_stuck_checks(
            session, submitted_before=utcnow() - CHECKS_GIVE_UP_AFTER, reason="they did not finish in time"
        )


def _check(
    revision_id: int,
    awaiting: Callable[[Session, int], dict[str, Any] | None],
    links_of: Callable[[dict[str, Any]], list[tuple[str, str]]],
    run: Callable[[Session, int, Mapping[str, outbound.LinkCheck]], Any],
) -> str | None:
    """Links are checked outside any transaction (they can take seconds); the findings are then
    recorded under a lock, once, however often this runs."""
    database = runtime.current().database
    with database.unit_of_work() as session:
        content = awaiting(session, revision_id)
    if content is None:
        return None
    settings = runtime.current().outbound
    link_results = {url: outbound.check_link(url, settings) for _, url in links_of(content)}
    with database.unit_of_work() as session:
        revision = run(session, revision_id, link_results)
        return revision.state.value if revision else None


def _hand_over(job: Any, exc_type: type, exc: BaseException, record_failure: Callable[[Session, int, str], Any]) -> None:
    if job.retries_left:
        return  # RQ will try again
    with runtime.current().database.unit_of_work() as session:
        record_failure(session, job.args[0], f"{exc_type.__name__}: {exc}")


def decide_in_bulk(bulk_id: int) -> int:
    """Make a recorded bulk decision, one activity per transaction (its progress shows as it
    goes); what an earlier run decided is skipped. Returns how many this run decided."""
    database = runtime.current().database
    with database.unit_of_work() as session:
        pending = bulk.undecided(session, bulk_id)
    for activity_id in pending:
        with database.unit_of_work() as session:
            bulk.decide_next(session, bulk_id, activity_id)
    with database.unit_of_work() as session:
        bulk.finish(session, bulk_id)
    return len(pending)
