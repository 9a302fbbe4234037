"""A partner rotates an endpoint's signing secret: for a day deliveries carry signatures with
both, verified here as a partner would (standardwebhooks) at a real receiver on loopback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import WebhookVerificationError

from innovationsweek.db import utcnow
from innovationsweek.webhooks.models import WebhookEndpoint
from tests.conftest import run_jobs
from tests.webhooks.test_delivery import WEBHOOKS, subscribe


def rotate(client, partner, endpoint_id: int):
    return client.post(f"{WEBHOOKS}/{endpoint_id}/secret", headers=partner.headers)


def test_after_a_rotation_deliveries_are_signed_with_both_secrets_for_24_hours_then_the_new_one_only(
    client, runtime, partner, receiver, programme
):
    endpoint = subscribe(client, partner, receiver.url)
    old = endpoint["secret"]

    rotated = rotate(client, partner, endpoint["id"])

    assert rotated.status_code == 200, rotated.get_json()
    new = rotated.get_json()["secret"]
    assert new.startswith("whsec_") and new != old
    until = datetime.fromisoformat(rotated.get_json()["previous_secret_valid_until"])
    assert timedelta(hours=23, minutes=59) < until - utcnow() <= timedelta(hours=24)
    shown = client.get(f"{WEBHOOKS}/{endpoint['id']}", headers=partner.headers).get_data(as_text=True)
    assert new not in shown and old not in shown  # the answer to the rotation was the only time

    programme.change()
    run_jobs(runtime)
    [during] = receiver.received
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verified(old) == during.verified(new)  # the receiver not yet switched, and the one that has

    with runtime.database.unit_of_work() as session:  # a day later
        session.execute(sa.update(WebhookEndpoint).values(previous_secret_expires_at=utcnow() - timedelta(seconds=1)))
    programme.change()
    run_jobs(runtime)
    after = receiver.received[1]
    assert after.verified(new)["type"] == "activity.published"
    with pytest.raises(WebhookVerificationError):
        after.verified(old)
    assert client.get(f"{WEBHOOKS}/{endpoint['id']}", headers=partner.headers).get_json()["previous_secret_valid_until"] is None


def test_rotating_again_keeps_only_the_secret_it_replaces(client, runtime, partner, receiver, programme):
    endpoint = subscribe(client, partner, receiver.url)
    first = rotate(client, partner, endpoint["id"]).get_json()["secret"]
    second = rotate(client, partner, endpoint["id"]).get_json()["secret"]

    programme.change()
    run_jobs(runtime)

    [delivery] = receiver.received
    assert delivery.verified(first) == delivery.verified(second)
    with pytest.raises(WebhookVerificationError):
        delivery.verified(endpoint["secret"])


def test_only_the_owning_partner_rotates_and_each_rotation_is_audited(client, runtime, partner, other_partner, receiver):
    endpoint = subscribe(client, partner, receiver.url)

    assert rotate(client, other_partner, endpoint["id"]).status_code == 404
    assert rotate(client, other_partner, 999_999).status_code == 404
    assert rotate(client, partner, endpoint["id"]).status_code == 200

    with runtime.database.engine.connect() as connection:
        entries = connection.execute(sa.text("SELECT action, actor_label, detail FROM audit_entries")).all()
    [(action, actor, detail)] = entries
    assert (action, actor) == ("webhook_secret_rotated", "partner Kalendern")
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert (detail["endpoint_id"], detail["partner_id"]) == (endpoint["id"], partner.id)
    assert "whsec_" not in json.dumps(detail)
