"""A mail server and a partner's web server that hang, reset the connection or answer with an
error: nothing is lost, attempts follow the retry schedule within their timeouts, and a partner
down through the whole webhook schedule (three days) is disabled and told by mail, once. The mail
server is down for longer than the mails' own jobs try: the periodic sweep sends them once it is
back.

``IW_RETRY_SCALE`` runs the days-long schedules in seconds, in their true proportions."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from innovationsweek.outbox.registry import JOBS
from innovationsweek.webhooks import service as webhooks
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.faults.conftest import RECOVERY_LIMIT, FaultyFront, statuses, submit, wait_until
from tests.faults.test_redis_loss import unsent_or_repeated_mail
from tests.notifications.test_email import SmtpServer, free_port
from tests.webhooks.conftest import make_partner, receiver  # noqa: F401 (fixture)

SCALE = 0.00005  # the webhook schedule's 75 hours in under 14 seconds


class SmtpServerThatRefuses(SmtpServer):
    """Answers the first ``refusals`` messages with a temporary error, then accepts."""

    refusals = 1

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusals:
            self.refusals -= 1
            return "451 4.3.0 Mail system busy, try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    server = SmtpServerThatRefuses(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fronts(smtp, receiver):  # noqa: F811 (receiver)
    made = {"smtp": FaultyFront(smtp.port), "partner": FaultyFront(receiver.port)}
    yield made
    for front in made.values():
        front.stop()


def mail_jobs_unfinished(runtime) -> int:
    """Mails whose own job (send_email, with its retries) may still send them."""
    with runtime.database.engine.connect() as connection:
        return connection.scalar(sa.text("SELECT count(*) FROM outbox WHERE job = 'send_email' AND completed_at IS NULL"))


def attempts_of(runtime) -> list[sa.Row]:
    with runtime.database.engine.connect() as connection:
        return list(
            connection.execute(
                sa.text("SELECT number, attempted_at, retry_at, failure, error FROM webhook_attempts ORDER BY number")
            )
        )


def test_mail_and_partner_servers_that_hang_reset_or_fail_lose_nothing_and_a_partner_down_for_days_is_disabled_and_told(
    start_service, runtime, week, smtp, receiver, fronts, figures  # noqa: F811 (fixtures)
):
    figure = figures("SMTP and partner servers hang, reset, answer 4xx/5xx: nothing lost, retries on schedule, partner down for days disabled and told")
    fronts["smtp"].mode = "reset"  # down until every mail's own job has given up
    fronts["partner"].cycle = ["pass", "hang", "reset"]  # "pass" reaches a partner answering 500
    receiver.default = (500, {})
    service = start_service(smtp_port=fronts["smtp"].port, IW_RETRY_SCALE=str(SCALE), IW_WEBHOOK_TIMEOUT="1", IW_SMTP_TIMEOUT="1")
    partner = make_partner(runtime, "Kalendern")
    registered = service.post(
        "/api/v1/webhooks", json={"url": receiver.url.replace(str(receiver.port), str(fronts["partner"].port)), "events": ["activity.published"]},
        headers=partner.headers,
    )
    assert registered.status_code == 201, registered.text
    [activity_id] = [submit(service, week, "Öppet hus")]
    wait_until(lambda: statuses(runtime, [activity_id]) == {activity_id: "in_review"}, RECOVERY_LIMIT, "the submission is checked")
    approved = service.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
    assert approved.status_code == 200, approved.text

    wait_until(lambda: len(attempts_of(runtime)) == webhooks.MAX_ATTEMPTS, RECOVERY_LIMIT, "the webhook schedule is used up")
    wait_until(lambda: mail_jobs_unfinished(runtime) == 0, RECOVERY_LIMIT, "the mails' own jobs give up")
    assert smtp.messages == []
    fronts["smtp"].cycle = ["hang", "reset", "pass"]  # back, flaky: a hang, a reset, a 451, then through
    back = time.monotonic()
    wait_until(lambda: unsent_or_repeated_mail(runtime, smtp)[0] == 0, RECOVERY_LIMIT, "every mail is sent")
    swept_in = time.monotonic() - back

    attempts = attempts_of(runtime)
    with runtime.database.engine.connect() as connection:
        endpoint = connection.execute(sa.text("SELECT disabled_at, disabled_reason FROM webhook_endpoints")).one()
        mail = connection.execute(sa.text("SELECT to_address, attempts, last_error FROM emails ORDER BY id")).all()
    told = [m for m in smtp.messages if m["To"] == partner.contact_email]
    ids = {request.headers["webhook-id"] for request in receiver.received}
    faults = fronts["smtp"].connections + fronts["partner"].connections

    figure.faults = sum(mode != "pass" for _, mode in faults) + len(receiver.received) + (smtp.refusals == 0)
    figure.requests_under_fault = len(faults)
    figure.items = 1 + len(mail)
    figure.lost = (endpoint.disabled_at is None) + unsent_or_repeated_mail(runtime, smtp)[0]
    figure.twice = max(len(ids) - 1, 0) + max(len(told) - 1, 0) + unsent_or_repeated_mail(runtime, smtp)[1]
    span = attempts[-1].attempted_at - attempts[0].attempted_at
    planned = sum(webhooks.RETRY_DELAYS, timedelta()) * SCALE
    job_tries = 1 + len(JOBS["send_email"].retry_intervals)
    figure.notes.append(
        f"webhook given up after {len(attempts)} attempts over {span.total_seconds():.1f} s (the 75 h schedule × {SCALE}); "
        f"the mail server down until the {len(mail)} mails' jobs gave up ({job_tries} tries each), "
        f"all sent by the sweep {swept_in:.1f} s after it was back"
    )

    assert {a.failure for a in attempts} == {"http_error", "timeout", "unreachable"}, [a.error for a in attempts]
    for attempt, following, delay in zip(attempts, attempts[1:], webhooks.RETRY_DELAYS):
        # Each wait as planned with its jitter (counted from when the attempt began, up to its
        # timeout before the POST's own time), and the next attempt not before it was due.
        wait = attempt.retry_at - attempt.attempted_at
        assert delay * SCALE - timedelta(seconds=1) <= wait <= delay * SCALE * (1 + webhooks.JITTER)
        assert following.attempted_at >= attempt.retry_at - webhooks.EARLY_ALLOWANCE
    assert span >= planned - webhooks.EARLY_ALLOWANCE
    assert endpoint.disabled_at is not None and "failed 10 times" in endpoint.disabled_reason
    assert len(told) == 1 and "POST /api/v1/webhooks/" in told[0].get_content()
    # The mail server's three faults were each met, and mail waited through them.
    assert smtp.refusals == 0 and {"hang", "reset"} <= {mode for _, mode in fronts["smtp"].connections}
    assert figure.lost == 0 and figure.twice == 0
