"""With the mail server down, registering still works; the emails wait in the outbox and the
emails table for the server to come back."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from innovationsweek.config import Settings
from tests.conftest import emails_to, run_jobs
from tests.registrations.conftest import publish, register, registrations_of


@pytest.fixture
def settings(settings: Settings) -> Settings:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)


def test_a_registration_succeeds_while_the_mail_server_is_down(client, runtime, open_week):
    activity_id = publish(client, runtime, open_week)

    response = register(client, activity_id)
    run_jobs(runtime)

    assert response.status_code == 201
    assert [r.email for r in registrations_of(runtime, activity_id)] == ["anna@example.org"]
    [mail] = emails_to(runtime, "anna@example.org")
    assert mail.sent_at is None
    assert mail.attempts == 1 and "ConnectionRefusedError" in (mail.last_error or "")
