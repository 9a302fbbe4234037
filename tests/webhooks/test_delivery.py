"""Announcing a programme change records deliveries; RQ sends them, signed per Standard Webhooks,
to a real server on loopback, and retries, gives up and disables on the documented schedule."""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from rq import Queue
from rq.registry import ScheduledJobRegistry

from innovationsweek import outbound
from innovationsweek.db import utcnow
from innovationsweek.jobs.webhooks import deliver_webhook, sweep_webhook_deliveries
from innovationsweek.notifications.models import Email
from innovationsweek.outbox import OutboxMessage
from innovationsweek.webhooks import service as webhooks
from innovationsweek.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import run_jobs
from tests.webhooks.conftest import HANG, deliveries, endpoint_of

WEBHOOKS = "/api/v1/webhooks"
SETTINGS = webhooks.delivery_settings(outbound.OutboundSettings(allow_private_addresses=True, allowed_ports=None))


def subscribe(client, partner, url, events=("activity.published",)) -> dict:
    response = client.post(WEBHOOKS, json={"url": url, "events": list(events)}, headers=partner.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def outbox_of(runtime, delivery_id: int) -> list[OutboxMessage]:
    with runtime.database.sessions() as session:
        rows = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == "deliver_webhook").order_by(OutboxMessage.id))
        return [row for row in rows if row.args == [delivery_id]]


def attempt(runtime, delivery_id: int, settings=SETTINGS, **kwargs):
    with runtime.database.unit_of_work() as session:
        return webhooks.attempt_delivery(session, delivery_id, settings, **kwargs)


def emails(runtime) -> list[tuple[str, str]]:
    with runtime.database.sessions() as session:
        return [(e.to_address, e.subject) for e in session.scalars(sa.select(Email).order_by(Email.id))]


def test_a_change_is_delivered_signed_to_every_enabled_endpoint_subscribed_to_it(
    client, runtime, partner, other_partner, receiver, programme
):
    mine = subscribe(client, partner, receiver.url, events=["activity.published", "activity.deleted"])
    theirs = subscribe(client, other_partner, receiver.url + "?theirs", events=["activity.published"])
    subscribe(client, other_partner, receiver.url + "?cancellations", events=["activity.cancelled"])
    disabled = subscribe(client, partner, receiver.url + "?disabled")
    with runtime.database.unit_of_work() as session:
        session.execute(
            sa.update(WebhookEndpoint)
            .where(WebhookEndpoint.id == disabled["id"])
            .values(disabled_at=utcnow(), disabled_reason="test")
        )

    activity_id, number = programme.change("activity.published")

    recorded = deliveries(runtime)
    assert [d.endpoint_id for d in recorded] == [mine["id"], theirs["id"]]
    assert all(d.status == DeliveryStatus.PENDING and d.attempts == 0 for d in recorded)
    assert [len(outbox_of(runtime, d.id)) for d in recorded] == [1, 1]
    assert receiver.received == []

    run_jobs(runtime)

    by_path = {request.path: request for request in receiver.received}
    assert sorted(by_path) == ["/hooks/innovationsweek", "/hooks/innovationsweek?theirs"]
    request = by_path["/hooks/innovationsweek"]
    body = request.verified(mine["secret"])
    assert body["type"] == "activity.published"
    assert body["data"] == {"activity_id": activity_id, "edition": "hook-week", "change_number": number, "status": "published"}
    assert body["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == recorded[0].message_id
    assert request.headers["webhook-signature"].startswith("v1,")
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert request.headers["Content-Type"] == "application/json"
    assert by_path["/hooks/innovationsweek?theirs"].verified(theirs["secret"])["data"]["activity_id"] == activity_id
    assert by_path["/hooks/innovationsweek?theirs"].headers["webhook-id"] != request.headers["webhook-id"]

    for delivery in deliveries(runtime):
        assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1 and delivery.next_attempt_at is None
        assert delivery.attempt_log[0].status_code == 200 and delivery.attempt_log[0].response_body == "ok"


def test_a_deletion_names_its_edition_and_change_number_without_a_status(client, runtime, partner, receiver, programme):
    created = subscribe(client, partner, receiver.url, events=["activity.deleted"])
    activity_id, _ = programme.change("activity.published")  # not subscribed: nothing recorded
    _, number = programme.change("activity.deleted", activity_id=activity_id)

    run_jobs(runtime)

    [request] = receiver.received
    body = request.verified(created["secret"])
    assert body["type"] == "activity.deleted"
    assert body["data"] == {"activity_id": activity_id, "edition": "hook-week", "change_number": number}


def test_a_revoked_partners_endpoints_get_nothing(client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    with runtime.database.unit_of_work() as session:
        session.execute(sa.text("UPDATE partners SET revoked_at = now()"))
    programme.change()
    assert deliveries(runtime) == []


def test_a_500_schedules_the_next_attempt_in_the_outbox_and_honours_retry_after(client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    receiver.answers = [(500, {"Retry-After": "120"})]
    programme.change()
    before = utcnow()

    run_jobs(runtime)

    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert before + timedelta(seconds=119) < delivery.next_attempt_at < utcnow() + timedelta(seconds=121)
    first, retry = outbox_of(runtime, delivery.id)
    assert first.run_after is None
    assert retry.run_after == delivery.next_attempt_at == delivery.attempt_log[0].retry_at
    # Waiting in RQ's scheduled jobs, not run by the burst worker.
    assert retry.job_id in ScheduledJobRegistry(queue=Queue("webhooks", connection=runtime.redis)).get_job_ids()
    assert len(receiver.received) == 1

    # Not yet due: a run now (a duplicate job, say) sends nothing.
    assert deliver_webhook(delivery.id) is None
    # When it is due, the next attempt goes out with the same webhook-id, and succeeds.
    result = attempt(runtime, delivery.id, now=delivery.next_attempt_at)
    assert result is not None and result.succeeded and result.number == 2
    first_request, second_request = receiver.received
    assert first_request.headers["webhook-id"] == second_request.headers["webhook-id"]
    assert first_request.body == second_request.body
    assert deliveries(runtime)[0].status == DeliveryStatus.SUCCEEDED


def test_retries_follow_the_schedule_with_jitter_over_more_than_a_day_then_disable_and_email(
    client, runtime, partner, receiver, programme
):
    created = subscribe(client, partner, receiver.url)
    receiver.default = (500, {})
    programme.change()
    [delivery] = deliveries(runtime)
    rng = random.Random(7)

    waits = []
    now = delivery.next_attempt_at
    for number in range(1, webhooks.MAX_ATTEMPTS + 1):
        made = attempt(runtime, delivery.id, now=now, rng=rng)
        assert made is not None and made.number == number and not made.succeeded
        if made.retry_at is None:
            break
        waits.append(made.retry_at - now)
        now = made.retry_at

    assert len(receiver.received) == webhooks.MAX_ATTEMPTS == 10
    assert len(waits) == 9
    for wait, planned in zip(waits, webhooks.RETRY_DELAYS, strict=True):
        assert planned <= wait <= planned * (1 + webhooks.JITTER)
    assert len({wait / planned for wait, planned in zip(waits, webhooks.RETRY_DELAYS)}) > 1  # jittered
    assert sum(waits, timedelta()) > timedelta(hours=24)
    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    endpoint = endpoint_of(runtime, created["id"])
    assert not endpoint.enabled and "failed 10 times" in endpoint.disabled_reason
    assert emails(runtime) == [(partner.contact_email, f"Webhook endpoint disabled: {receiver.url}")]

    programme.change()  # a disabled endpoint gets no new deliveries
    assert len(deliveries(runtime)) == 1


def test_the_last_attempt_of_the_schedule_failing_disables_the_endpoint_through_the_job(
    client, runtime, partner, receiver, programme
):
    created = subscribe(client, partner, receiver.url)
    receiver.default = (502, {})
    programme.change()
    [delivery] = deliveries(runtime)
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(WebhookDelivery).values(attempts=9, scheduled_attempts=9))

    run_jobs(runtime)

    [delivery] = deliveries(runtime)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 10)
    assert not endpoint_of(runtime, created["id"]).enabled
    assert [to for to, _ in emails(runtime)] == [partner.contact_email]
    run_jobs(runtime)  # the email's job (written to instance/mail, the embedded mailer)


def test_a_redirect_is_a_failure_and_is_never_followed(client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    receiver.answers = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    programme.change()

    run_jobs(runtime)

    assert len(receiver.received) == 1
    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.PENDING
    [made] = delivery.attempt_log
    assert (made.status_code, made.succeeded) == (302, False)
    assert "redirect" in made.error
    assert made.retry_at is not None


def test_410_gone_disables_the_endpoint_at_once_and_tells_the_partner(client, runtime, partner, receiver, programme):
    created = subscribe(client, partner, receiver.url)
    receiver.answers = [(410, {})]
    programme.change()

    run_jobs(runtime)

    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    endpoint = endpoint_of(runtime, created["id"])
    assert not endpoint.enabled and endpoint.disabled_reason == "The endpoint answered 410 Gone."
    assert emails(runtime) == [(partner.contact_email, f"Webhook endpoint disabled: {receiver.url}")]
    assert len(outbox_of(runtime, delivery.id)) == 1  # no retry scheduled


def test_the_job_run_twice_sends_once(app, client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    programme.change()
    [delivery] = deliveries(runtime)

    assert deliver_webhook(delivery.id) == "succeeded"
    assert deliver_webhook(delivery.id) is None
    run_jobs(runtime)  # and the relayed job, a third run

    assert len(receiver.received) == 1
    assert deliveries(runtime)[0].attempts == 1


def test_two_runs_at_once_send_once_the_second_waits_for_the_lock(app, client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    receiver.delay = 0.5  # the first run holds the delivery's row while the receiver thinks
    programme.change()
    [delivery] = deliveries(runtime)
    results = []

    def run() -> None:
        results.append(deliver_webhook(delivery.id))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(results, key=str) == [None, "succeeded"]
    assert len(receiver.received) == 1


def test_a_hanging_receiver_is_cut_off_by_the_deadline_and_retried_later(client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    receiver.answers = [(HANG, {})]
    programme.change()
    [delivery] = deliveries(runtime)
    short = dataclasses.replace(SETTINGS, read_timeout=0.5, total_timeout=1.0)

    started = time.monotonic()
    made = attempt(runtime, delivery.id, settings=short)
    assert time.monotonic() - started < 3

    assert made is not None and not made.succeeded
    assert made.failure == "timeout" and made.status_code is None
    assert made.duration_ms < 3000
    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > utcnow()


def test_an_unreachable_endpoint_is_a_failure_with_its_reason(client, runtime, partner, receiver, programme):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    subscribe(client, partner, f"http://127.0.0.1:{closed_port}/hooks")
    programme.change()

    run_jobs(runtime)

    [delivery] = deliveries(runtime)
    [made] = delivery.attempt_log
    assert made.failure == "unreachable" and "refused" in made.error
    assert delivery.status == DeliveryStatus.PENDING


def test_a_private_address_is_refused_where_the_installation_does_not_allow_it(client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    programme.change()
    [delivery] = deliveries(runtime)

    strict = dataclasses.replace(webhooks.delivery_settings(outbound.DEFAULT_SETTINGS), allowed_ports=None)
    made = attempt(runtime, delivery.id, settings=strict)

    assert receiver.received == []
    assert made is not None and made.failure == "refused_private_address"


def test_the_sweep_makes_attempts_whose_job_was_lost(app, client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    programme.change()
    runtime.redis.flushdb()  # the queue lost the job
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(WebhookDelivery).values(next_attempt_at=utcnow() - timedelta(hours=1)))

    assert sweep_webhook_deliveries() == 1
    assert sweep_webhook_deliveries() == 0

    assert len(receiver.received) == 1
    assert deliveries(runtime)[0].status == DeliveryStatus.SUCCEEDED
