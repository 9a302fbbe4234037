"""Signing up through HTTP as a person does: the answer, then the mail in instance/mail (the
.eml sink a worker writes to without SMTP), then the link's page and its button."""

from __future__ import annotations

import dataclasses
import re
from email.message import EmailMessage

import pytest

from innovationsweek.config import Settings
from innovationsweek.runtime import Runtime
from tests.conftest import PASSWORD, run_jobs, sent_messages

PUBLIC_URL = "https://konto.innovationsveckan.example"
SIGN_UP_LINK = re.compile(re.escape(PUBLIC_URL) + r"(/api/v1/auth/sign-ups/[A-Za-z0-9_-]+)")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_url=PUBLIC_URL)


def sign_up(client, email="someone@example.org", password=PASSWORD, name="Someone", **kwargs):
    return client.post("/api/v1/auth/register", json={"email": email, "password": password, "name": name}, **kwargs)


def mails_to(runtime: Runtime, address: str) -> list[EmailMessage]:
    """What the worker has mailed to ``address``, in the order they were written."""
    run_jobs(runtime)
    return sent_messages(runtime, address)


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def sign_up_link(message: EmailMessage) -> str:
    """The path of the confirmation link in a sign-up mail."""
    return SIGN_UP_LINK.search(text_of(message)).group(1)


def signed_up(client, runtime: Runtime, email="someone@example.org", password=PASSWORD, name="Someone") -> None:
    """Sign up and confirm with the mailed link, as a person does."""
    assert sign_up(client, email, password, name).status_code == 202
    confirmed = client.post(sign_up_link(mails_to(runtime, email.strip().lower())[-1]) + "/confirm")
    assert confirmed.status_code == 201, confirmed.get_data(as_text=True)
