"""A worker SIGKILLed in the middle of a bulk approval, and another in the middle of the webhook
fan-out that follows: every activity is published once, the feed carries each once, each
webhook message keeps its one ``webhook-id`` across attempts, and no mail goes out twice."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from rq.registry import StartedJobRegistry

from innovationsweek.moderation import bulk
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.faults.conftest import RECOVERY_LIMIT, feed_ids, statuses, submit, wait_until
from tests.faults.test_redis_loss import twice_done, unsent_or_repeated_mail
from tests.webhooks.conftest import make_partner, receiver  # noqa: F401 (fixture)

ACTIVITIES = 24


def start_bulk_approval(runtime, people, ids: list[int]) -> tuple[int, str]:
    """As the coordinator's page does for a large selection: recorded, made by a job."""
    with runtime.database.unit_of_work() as session:
        started = bulk.start(session, people.actor("marianne@skl.se"), "test-week", ids, decision="approve", reason=None, comment=None)
        bulk_id = started.id
    with runtime.database.engine.connect() as connection:
        message = connection.scalar(
            sa.text("SELECT id FROM outbox WHERE job = 'decide_in_bulk' AND args::text = :args"), {"args": f"[{bulk_id}]"}
        )
    return bulk_id, f"outbox-{message}"


def decided(runtime, bulk_id: int) -> tuple[int, bool]:
    with runtime.database.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT outcomes, finished_at FROM bulk_decisions WHERE id = :id"), {"id": bulk_id}).one()
    return len(row.outcomes), row.finished_at is not None


def posting(service, runtime, receiver, job_id: str):  # noqa: F811 (receiver)
    """The worker running ``job_id`` once its POST has reached the partner, before the answer."""
    worker = service.worker_running(runtime.redis, job_id)
    if worker is None:
        return None
    with runtime.database.engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT d.message_id, d.status FROM webhook_deliveries d JOIN outbox o ON o.args::text = '[' || d.id || ']' "
                    "WHERE 'outbox-' || o.id = :job AND o.job = 'deliver_webhook'"),
            {"job": job_id},
        ).one_or_none()
    arrived = row is not None and any(r.headers["webhook-id"] == row.message_id for r in receiver.received)
    return worker if arrived and row.status == "pending" else None


def deliveries(runtime) -> list[sa.Row]:
    with runtime.database.engine.connect() as connection:
        return list(connection.execute(sa.text("SELECT id, endpoint_id, activity_id, message_id, status, payload FROM webhook_deliveries")))


def test_workers_killed_mid_bulk_approval_and_mid_fan_out_publish_and_deliver_each_once(
    start_service, runtime, people, week, receiver, smtp, figures  # noqa: F811 (fixtures)
):
    figure = figures("Worker SIGKILLed mid bulk approval and mid webhook fan-out: each published, delivered and mailed once")
    service = start_service()
    for name in ("Kalendern", "Grannen"):
        partner = make_partner(runtime, name)
        registered = service.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["activity.published"]}, headers=partner.headers
        )
        assert registered.status_code == 201, registered.text
    ids = [submit(service, week, f"Aktivitet {n:02}") for n in range(ACTIVITIES)]
    wait_until(lambda: set(statuses(runtime, ids).values()) == {"in_review"}, RECOVERY_LIMIT, "every submission is checked")
    receiver.delay = 0.2  # a partner that takes its time: a fan-out worker is mostly waiting on it

    bulk_id, bulk_job = start_bulk_approval(runtime, people, ids)
    store = runtime.redis
    killed_in_bulk = wait_until(
        lambda: 0 < decided(runtime, bulk_id)[0] < ACTIVITIES and service.worker_running(store, bulk_job),
        30, "the bulk approval is under way on a worker", every=0.01,
    )
    service.processes.kill(killed_in_bulk)
    at_kill = decided(runtime, bulk_id)[0]
    service.start_worker()

    webhooks_started = StartedJobRegistry("webhooks", connection=store)
    killed_in_fan_out = wait_until(
        lambda: next(filter(None, (posting(service, runtime, receiver, job) for job in webhooks_started.get_job_ids())), None),
        60, "a worker waits for the partner's answer to a webhook", every=0.01,
    )
    in_flight = len(receiver.received)
    service.processes.kill(killed_in_fan_out)
    service.start_worker()
    figure.faults = 2

    wait_until(lambda: decided(runtime, bulk_id) == (ACTIVITIES, True), RECOVERY_LIMIT, "the bulk approval is finished")
    wait_until(lambda: len(set(feed_ids(service))) == ACTIVITIES, RECOVERY_LIMIT, "every activity is in the feed")
    wait_until(
        lambda: {row.status for row in deliveries(runtime)} == {"succeeded"} and len(deliveries(runtime)) == 2 * ACTIVITIES,
        RECOVERY_LIMIT, "every webhook is delivered",
    )
    wait_until(lambda: unsent_or_repeated_mail(runtime, smtp)[0] == 0, RECOVERY_LIMIT, "every mail is sent")

    feed = feed_ids(service)
    per_activity_and_endpoint = defaultdict(set)
    for row in deliveries(runtime):
        per_activity_and_endpoint[(row.activity_id, row.endpoint_id)].add(row.message_id)
    bodies = defaultdict(set)
    for request in receiver.received:
        bodies[request.headers["webhook-id"]].add(request.body)
    known = {row.message_id: row.payload.encode() for row in deliveries(runtime)}
    repeated = sum(1 for request in receiver.received) - len(bodies)

    figure.requests_under_fault = 2 * ACTIVITIES + in_flight
    figure.items = ACTIVITIES + len(known)
    figure.lost = len(set(ids) - set(feed)) + len(set(known) - set(bodies))
    figure.twice = (
        len(feed) - len(set(feed))
        + sum(len(messages) - 1 for messages in per_activity_and_endpoint.values())
        + len(twice_done(runtime, ids))
        + unsent_or_repeated_mail(runtime, smtp)[1]
    )
    figure.notes.append(f"bulk killed after {at_kill} of {ACTIVITIES} decisions; {repeated} webhook(s) sent again with the same webhook-id")
    assert set(bodies) == set(known)  # every webhook-id is a recorded delivery's own...
    assert all(found == {known[message_id]} for message_id, found in bodies.items())  # ...with its one body
    assert figure.lost == 0 and figure.twice == 0, (feed, twice_done(runtime, ids))
