"""The delivery log is not kept for ever: a finished delivery and its attempts go 30 days after
its last attempt, by an hourly maintenance job that is safe to run twice (or twice at once)."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa
from rq.utils import import_attribute

from innovationsweek.db import utcnow
from innovationsweek.jobs import maintenance
from innovationsweek.queue import PERIODIC_JOBS
from innovationsweek.webhooks import service as webhooks
from innovationsweek.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from tests.conftest import count_rows, run_jobs
from tests.webhooks.conftest import deliveries
from tests.webhooks.test_delivery import subscribe


def age(runtime, delivery_id: int, days: float) -> None:
    """Time passing for one delivery: made, and last attempted, ``days`` ago."""
    then = utcnow() - timedelta(days=days)
    with runtime.database.unit_of_work() as session:
        session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id)
            .values(created_at=then, last_attempt_at=sa.case((WebhookDelivery.attempts > 0, then), else_=None))
        )


def log_ids(client, partner, endpoint_id: int) -> list[int]:
    response = client.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=partner.headers)
    assert response.status_code == 200, response.get_json()
    return sorted(item["id"] for item in response.get_json()["items"])


def test_deliveries_and_their_attempts_go_after_30_days_and_pending_ones_stay(app, client, runtime, partner, receiver, programme):
    endpoint = subscribe(client, partner, receiver.url)
    receiver.answers = [(500, {})]  # the first attempt of the first delivery fails, then all succeed
    for _ in range(4):
        programme.change("activity.published")
    run_jobs(runtime)
    old_retried, _old, recent, pending = (d.id for d in deliveries(runtime))
    with runtime.database.unit_of_work() as session:  # the retried one's second attempt, due at once
        session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == old_retried).values(next_attempt_at=utcnow()))
    with runtime.database.unit_of_work() as session:
        webhooks.attempt_delivery(session, old_retried, webhooks.delivery_settings(runtime.outbound))
    age(runtime, old_retried, 31)
    age(runtime, _old, 30.1)
    age(runtime, recent, 29.9)
    with runtime.database.unit_of_work() as session:  # a delivery still being tried, made long ago
        session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == pending)
            .values(status=DeliveryStatus.PENDING, next_attempt_at=utcnow() + timedelta(hours=1), created_at=utcnow() - timedelta(days=40))
        )
    assert {d.id: len(d.attempt_log) for d in deliveries(runtime)}[old_retried] == 2
    attempts_before = count_rows(runtime, "webhook_attempts")

    purged = maintenance.purge_old_webhook_deliveries()
    again = maintenance.purge_old_webhook_deliveries()

    assert (purged, again) == (2, 0)
    assert log_ids(client, partner, endpoint["id"]) == sorted([recent, pending])
    with runtime.database.sessions() as session:
        left = set(session.scalars(sa.select(WebhookAttempt.delivery_id)))
    assert left == {recent, pending}
    assert count_rows(runtime, "webhook_attempts") == attempts_before - 3


def test_a_redelivery_keeps_an_old_delivery_30_days_from_that_attempt(app, client, runtime, partner, receiver, programme):
    endpoint = subscribe(client, partner, receiver.url)
    programme.change("activity.published")
    run_jobs(runtime)
    [delivery] = deliveries(runtime)
    age(runtime, delivery.id, 45)

    response = client.post(f"/api/v1/webhooks/{endpoint['id']}/deliveries/{delivery.id}/redeliver", headers=partner.headers)
    run_jobs(runtime)
    kept = maintenance.purge_old_webhook_deliveries()
    later = maintenance.purge_old_webhook_deliveries((utcnow() + timedelta(days=31)).isoformat())

    assert response.status_code in (200, 202), response.get_json()
    assert (kept, later) == (0, 1)
    assert log_ids(client, partner, endpoint["id"]) == []


def test_two_purges_at_once_delete_each_delivery_once(app, client, runtime, partner, receiver, programme):
    subscribe(client, partner, receiver.url)
    for _ in range(6):
        programme.change("activity.published")
    run_jobs(runtime)
    for delivery in deliveries(runtime):
        age(runtime, delivery.id, 31)
    counts: list[int] = []
    start = threading.Barrier(2)

    def purge() -> None:
        start.wait()
        counts.append(maintenance.purge_old_webhook_deliveries())

    threads = [threading.Thread(target=purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(counts) == 6 and len(counts) == 2
    assert count_rows(runtime, "webhook_deliveries") == count_rows(runtime, "webhook_attempts") == 0


def test_the_purge_runs_every_hour_on_the_maintenance_queue():
    [job] = [job for job in PERIODIC_JOBS if job.name == "purge-old-webhook-deliveries"]

    assert (job.every, job.queue) == (timedelta(hours=1), "maintenance")
    assert import_attribute(job.function) is maintenance.purge_old_webhook_deliveries
