"""Redis killed while organisers submit, then brought back empty: the API keeps accepting
submissions and says the queue is down; once Redis is back, every submission is checked and
every approval published, nothing lost and nothing done twice."""

from __future__ import annotations

import time

import sqlalchemy as sa

from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.faults.conftest import RECOVERY_LIMIT, feed_ids, statuses, submit, wait_until


def twice_done(runtime, ids: list[int]) -> list[tuple[int, str, int]]:
    """Steps of an activity's life recorded more than once: a job that ran twice with effect."""
    with runtime.database.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.text(
                    "SELECT activity_id, action, count(*) FROM audit_entries WHERE activity_id = ANY(:ids) "
                    "GROUP BY activity_id, action HAVING count(*) > 1"
                ),
                {"ids": ids},
            )
        ]


def unsent_or_repeated_mail(runtime, smtp) -> tuple[int, int]:
    with runtime.database.engine.connect() as connection:
        recorded = set(connection.scalars(sa.text("SELECT message_id FROM emails")))
    received = [str(message["Message-ID"]) for message in smtp.messages]
    return len(recorded - set(received)), len(received) - len(set(received))


def test_submissions_during_a_redis_outage_are_checked_and_approvals_published_once_redis_is_back_empty(
    start_service, runtime, week, redis_server, smtp, figures  # noqa: F811 (week)
):
    figure = figures("Redis lost (killed, back empty) while organisers submit: every submission checked, every approval published")
    service = start_service()
    in_review = [submit(service, week, f"Granskas {n}") for n in range(3)]
    wait_until(lambda: set(statuses(runtime, in_review).values()) == {"in_review"}, 60, "the first submissions are checked")

    # Jobs sitting in Redis when it dies: the workers are frozen while these are relayed.
    service.freeze_workers()
    queued = [submit(service, week, f"I kön {n}") for n in range(3)]
    redis_server.kill()
    service.thaw_workers()
    figure.faults = 1

    during = [submit(service, week, f"Under avbrottet {n}") for n in range(6)]
    approvals = [
        service.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
        for activity_id in in_review
    ]
    health = service.get("/health")
    figure.requests_under_fault = 2 * len(during) + len(approvals) + 1
    assert [a.status_code for a in approvals] == [200] * len(in_review), [a.text for a in approvals]
    assert health.status_code == 503 and health.json()["queue"] == "unavailable" and health.json()["database"] == "ok"

    redis_server.start()  # empty: --save '' --appendonly no
    back = time.monotonic()
    submitted = queued + during
    wait_until(
        lambda: set(statuses(runtime, submitted).values()) == {"in_review"}, RECOVERY_LIMIT, "every submission is checked"
    )
    wait_until(lambda: sorted(feed_ids(service)) == sorted(in_review), RECOVERY_LIMIT, "every approval is published")
    recovered = time.monotonic() - back
    wait_until(lambda: service.get("/health").status_code == 200, 30, "/health says the queue is back")
    wait_until(lambda: unsent_or_repeated_mail(runtime, smtp)[0] == 0, RECOVERY_LIMIT, "every mail is sent")

    figure.items = len(submitted) + len(in_review)
    checked = statuses(runtime, submitted)
    figure.lost = sum(status != "in_review" for status in checked.values()) + len(set(in_review) - set(feed_ids(service)))
    feed = feed_ids(service)
    figure.twice = len(feed) - len(set(feed)) + len(twice_done(runtime, submitted + in_review)) + unsent_or_repeated_mail(runtime, smtp)[1]
    figure.notes.append(f"all done {recovered:.0f} s after Redis came back (promise: 300 s)")
    assert figure.lost == 0 and figure.twice == 0, (checked, feed, twice_done(runtime, submitted + in_review))
    assert recovered < 300
