"""Partners register, list, delete and re-enable webhook endpoints, read their delivery log and
redeliver; each partner only ever sees its own."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from innovationsweek.app import create_app
from innovationsweek.runtime import Runtime
from innovationsweek.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import problem_of, run_jobs
from tests.webhooks.conftest import deliveries, endpoint_of

WEBHOOKS = "/api/v1/webhooks"


def register(client, partner, url, events=("activity.published",)):
    return client.post(WEBHOOKS, json={"url": url, "events": list(events)}, headers=partner.headers)


def test_a_partner_registers_an_endpoint_and_sees_its_secret_only_once(client, partner, receiver):
    response = register(client, partner, receiver.url, events=["activity.updated", "activity.published", "activity.updated"])

    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["url"] == receiver.url
    assert created["events"] == ["activity.published", "activity.updated"]
    assert created["enabled"] is True and created["disabled_reason"] is None
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40

    listed = client.get(WEBHOOKS, headers=partner.headers).get_json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert "secret" not in listed["items"][0]
    one = client.get(f"{WEBHOOKS}/{created['id']}", headers=partner.headers).get_json()
    assert "secret" not in one and one["events"] == created["events"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"url": "not a url", "events": ["activity.published"]}, "/url"),
        ({"url": "ftp://partner.example/hooks", "events": ["activity.published"]}, "/url"),
        ({"url": "https://user:pw@partner.example/hooks", "events": ["activity.published"]}, "/url"),
        ({"url": "https://partner.example/hooks#part", "events": ["activity.published"]}, "/url"),
        ({"url": "https://partner.example/hooks", "events": ["activity.exploded"]}, "/events/0"),
        ({"url": "https://partner.example/hooks", "events": []}, "/events"),
        ({"url": "https://partner.example/hooks"}, "/events"),
    ],
)
def test_registration_refuses_bad_urls_and_unknown_events(client, partner, body, pointer):
    response = client.post(WEBHOOKS, json=body, headers=partner.headers)

    assert response.status_code == 422
    assert pointer in [error.get("pointer") for error in problem_of(response)["errors"]]
    assert client.get(WEBHOOKS, headers=partner.headers).get_json()["items"] == []


def test_plain_http_and_private_hosts_are_refused_unless_the_installation_allows_them(settings, runtime, partner):
    strict = Runtime(dataclasses.replace(settings, outbound_allow_private=False))
    try:
        client = create_app(runtime=strict).test_client()
        for url in (
            "http://partner.example/hooks",
            "https://127.0.0.1/hooks",
            "https://10.1.2.3/hooks",
            "https://[::1]/hooks",
            # Legacy IPv4 forms that inet_aton (and so the resolver) reads as 127.0.0.1.
            "https://0x7f000001/hooks",
            "https://0x7f.0.0.1/hooks",
            "https://0177.0.0.1/hooks",
            "https://017700000001/hooks",
            "https://2130706433/hooks",
            "https://127.1/hooks",
            "https://localhost/hooks",
            "https://partner.example:6379/hooks",
        ):
            response = register(client, partner, url)
            assert response.status_code == 422, url
            assert problem_of(response)["errors"][0]["pointer"] == "/url"
        assert register(client, partner, "https://partner.example/hooks").status_code == 201
    finally:
        strict.close()


def test_a_partner_has_at_most_ten_endpoints(client, partner, receiver):
    for _ in range(10):
        assert register(client, partner, receiver.url).status_code == 201
    assert register(client, partner, receiver.url).status_code == 409


def test_another_partners_endpoints_are_not_found(client, runtime, partner, other_partner, receiver, programme):
    endpoint_id = register(client, partner, receiver.url).get_json()["id"]
    programme.change()
    [delivery] = deliveries(runtime)
    theirs = other_partner.headers

    assert client.get(WEBHOOKS, headers=theirs).get_json()["items"] == []
    for method, path in (
        ("GET", f"{WEBHOOKS}/{endpoint_id}"),
        ("DELETE", f"{WEBHOOKS}/{endpoint_id}"),
        ("POST", f"{WEBHOOKS}/{endpoint_id}/enable"),
        ("GET", f"{WEBHOOKS}/{endpoint_id}/deliveries"),
        ("POST", f"{WEBHOOKS}/{endpoint_id}/deliveries/{delivery.id}/redeliver"),
    ):
        response = client.open(path, method=method, headers=theirs)
        assert response.status_code == 404, (method, path)
        assert problem_of(response)["detail"] == f"No webhook endpoint {endpoint_id}."
    assert client.get(f"{WEBHOOKS}/{endpoint_id}", headers=partner.headers).status_code == 200


def test_people_and_the_public_may_not_manage_webhooks(client, people, partner, receiver):
    people.create("anna@example.org")
    body = {"url": receiver.url, "events": ["activity.published"]}

    assert client.get(WEBHOOKS).status_code == 401
    assert client.post(WEBHOOKS, json=body).status_code == 401
    signed_in = people.headers("anna@example.org")
    assert client.get(WEBHOOKS, headers=signed_in).status_code == 403
    assert client.post(WEBHOOKS, json=body, headers=signed_in).status_code == 403
    assert client.get(WEBHOOKS, headers={"Authorization": "Bearer iwp_not-a-key"}).status_code == 401


def test_deleting_an_endpoint_removes_its_log_and_its_queued_attempts_do_nothing(client, runtime, partner, receiver, programme):
    endpoint_id = register(client, partner, receiver.url).get_json()["id"]
    programme.change()

    assert client.delete(f"{WEBHOOKS}/{endpoint_id}", headers=partner.headers).status_code == 204
    run_jobs(runtime)

    assert receiver.received == []
    assert deliveries(runtime) == []
    assert client.get(f"{WEBHOOKS}/{endpoint_id}", headers=partner.headers).status_code == 404


def test_the_delivery_log_lists_deliveries_newest_first_with_their_attempts(client, runtime, partner, receiver, programme):
    endpoint_id = register(client, partner, receiver.url, events=["activity.published", "activity.cancelled"]).get_json()["id"]
    receiver.answers = [(500, {}), (200, {})]
    first, _ = programme.change()
    programme.change()
    programme.change("activity.cancelled", activity_id=first, status="cancelled")
    run_jobs(runtime)  # the first attempt of each; the 500 is retried later

    log = f"{WEBHOOKS}/{endpoint_id}/deliveries"
    page = client.get(f"{log}?limit=2", headers=partner.headers)
    assert page.status_code == 200
    body = page.get_json()
    assert body["total"] == 3
    assert [item["change_number"] for item in body["items"]] == [3, 2]
    assert 'rel="next"' in page.headers["Link"]
    rest = client.get(log, query_string={"limit": 2, "cursor": body["next_cursor"]}, headers=partner.headers).get_json()
    assert [item["change_number"] for item in rest["items"]] == [1]
    assert rest["next_cursor"] is None

    failed = rest["items"][0]
    assert failed["status"] == "pending"
    assert failed["event"] == "activity.published"
    assert failed["webhook_id"].startswith("msg_")
    assert failed["payload"]["data"] == {"activity_id": first, "edition": "hook-week", "change_number": 1, "status": "published"}
    [attempt] = failed["attempts"]
    assert attempt["number"] == 1 and attempt["status_code"] == 500 and attempt["succeeded"] is False
    assert attempt["failure"] == "http_error" and "500" in attempt["error"]
    assert attempt["duration_ms"] >= 0 and attempt["retry_at"] == failed["next_attempt_at"]
    assert body["items"][0]["attempts"][0]["succeeded"] is True
    assert body["items"][0]["delivered_at"] is not None

    pending = client.get(log, query_string={"status": "pending"}, headers=partner.headers).get_json()
    assert [item["id"] for item in pending["items"]] == [failed["id"]]
    assert client.get(log, query_string={"cursor": "garbage"}, headers=partner.headers).status_code == 422


def test_a_partner_redelivers_with_the_same_webhook_id_and_body(client, runtime, partner, receiver, programme):
    created = register(client, partner, receiver.url).get_json()
    programme.change()
    run_jobs(runtime)
    [delivery] = deliveries(runtime)

    response = client.post(f"{WEBHOOKS}/{created['id']}/deliveries/{delivery.id}/redeliver", headers=partner.headers)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["status"] == "pending"
    run_jobs(runtime)

    first, again = receiver.received
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == delivery.message_id
    assert again.body == first.body
    assert again.verified(created["secret"]) == first.verified(created["secret"])
    [logged] = client.get(f"{WEBHOOKS}/{created['id']}/deliveries", headers=partner.headers).get_json()["items"]
    assert logged["status"] == "succeeded"
    assert [(a["number"], a["manual"], a["succeeded"]) for a in logged["attempts"]] == [(1, False, True), (2, True, True)]


def test_a_failed_redelivery_is_one_attempt_and_does_not_disable_the_endpoint(client, runtime, partner, receiver, programme):
    created = register(client, partner, receiver.url).get_json()
    programme.change()
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(WebhookDelivery).values(status=DeliveryStatus.FAILED, next_attempt_at=None))
    [delivery] = deliveries(runtime)
    receiver.default = (503, {})

    client.post(f"{WEBHOOKS}/{created['id']}/deliveries/{delivery.id}/redeliver", headers=partner.headers)
    run_jobs(runtime)

    [delivery] = deliveries(runtime)
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None
    assert [(a.manual, a.status_code) for a in delivery.attempt_log] == [(True, 503)]
    assert endpoint_of(runtime, created["id"]).enabled


def test_a_disabled_endpoint_is_enabled_again_before_redelivering(client, runtime, partner, receiver, programme):
    created = register(client, partner, receiver.url).get_json()
    programme.change()
    [delivery] = deliveries(runtime)
    with runtime.database.unit_of_work() as session:
        session.execute(
            sa.update(WebhookEndpoint).values(disabled_at=sa.func.now(), disabled_reason="The endpoint answered 410 Gone.")
        )
    redeliver = f"{WEBHOOKS}/{created['id']}/deliveries/{delivery.id}/redeliver"

    refused = client.post(redeliver, headers=partner.headers)
    assert refused.status_code == 409
    run_jobs(runtime)  # the delivery's own job finds the endpoint disabled
    assert receiver.received == []
    assert deliveries(runtime)[0].status == DeliveryStatus.FAILED
    shown = client.get(f"{WEBHOOKS}/{created['id']}", headers=partner.headers).get_json()
    assert shown["enabled"] is False and shown["disabled_reason"] == "The endpoint answered 410 Gone."

    enabled = client.post(f"{WEBHOOKS}/{created['id']}/enable", headers=partner.headers)
    assert enabled.status_code == 200
    assert enabled.get_json()["enabled"] is True and enabled.get_json()["disabled_at"] is None
    assert client.post(redeliver, headers=partner.headers).status_code == 202
    run_jobs(runtime)
    [request] = receiver.received
    assert request.verified(created["secret"])["type"] == "activity.published"
