"""The public registration is rate limited per client address, answered as problem+json; the
counters live in Redis, and registering goes on (still limited) while Redis is down."""

from __future__ import annotations

import dataclasses
import socket

import sqlalchemy as sa

from innovationsweek import runtime as runtimes
from innovationsweek.app import create_app
from innovationsweek.outbox import OutboxMessage
from innovationsweek.runtime import Runtime
from tests.conftest import problem_of
from tests.registrations.conftest import participant, publish, register, registrations_of


def test_the_eleventh_registration_in_a_minute_from_one_address_is_refused(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week, capacity=50)

    answers = [register(client, activity_id, participant(f"p{n}@example.org"), address="203.0.113.7") for n in range(11)]
    elsewhere = register(client, activity_id, participant("other@example.org"), address="203.0.113.8")

    assert [a.status_code for a in answers] == [201] * 10 + [429]
    problem = problem_of(answers[-1])
    assert "Too many registrations" in problem["detail"]
    assert int(answers[-1].headers["Retry-After"]) > 0
    assert elsewhere.status_code == 201
    assert len(registrations_of(runtime, activity_id)) == 11
    assert runtime.redis.keys("*iw-limits*"), "the counters are kept in the queue's Redis"


def test_with_redis_down_registering_works_and_is_still_limited(client, runtime, settings, open_week):
    activity_id = publish(client, runtime, open_week, capacity=50)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = Runtime(dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{port}/0"))
    try:
        without_redis = create_app(runtime=down).test_client()
        answers = [register(without_redis, activity_id, participant(f"p{n}@example.org"), address="203.0.113.9") for n in range(11)]
    finally:
        down.close()
        runtimes.install(runtime)

    assert [a.status_code for a in answers] == [201] * 10 + [429]
    with runtime.database.sessions() as session:  # the confirmations wait for the queue
        waiting = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.job == "send_email", OutboxMessage.enqueued_at.is_(None)))
        assert len(list(waiting)) == 10


def registrations_through_a_proxy(settings, runtime, activity_id: int, *, hops: int) -> list[int]:
    """Eleven people registering through one reverse proxy (203.0.113.1), each named in its
    own X-Forwarded-For; the status of each answer."""
    behind_proxy = create_app(runtime=Runtime(dataclasses.replace(settings, trusted_proxy_hops=hops)))
    try:
        client = behind_proxy.test_client()
        return [
            register(
                client, activity_id, participant(f"p{n}@example.org"), address="203.0.113.1", headers={"X-Forwarded-For": f"198.51.100.{n + 1}"}
            ).status_code
            for n in range(11)
        ]
    finally:
        behind_proxy.extensions["innovationsweek"].close()
        runtimes.install(runtime)


def test_without_trusted_proxies_x_forwarded_for_changes_nothing(client, runtime, settings, open_week):
    activity_id = publish(client, runtime, open_week, capacity=50)
    assert registrations_through_a_proxy(settings, runtime, activity_id, hops=0) == [201] * 10 + [429]


def test_behind_one_trusted_proxy_each_forwarded_client_has_its_own_count(client, runtime, settings, open_week):
    activity_id = publish(client, runtime, open_week, capacity=50)
    assert registrations_through_a_proxy(settings, runtime, activity_id, hops=1) == [201] * 11
