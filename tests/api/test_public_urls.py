"""Absolute URLs come from IW_PUBLIC_URL, never from the request: the programme's answers are
cached publicly, so one request with a forged Host (or X-Forwarded-Host, even behind a trusted
proxy) must not plant its address in what a CDN then serves to everyone, nor in a mail."""

from __future__ import annotations

import dataclasses

import pytest

from innovationsweek.config import Settings
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.conftest import PUBLIC_URL, run_jobs, sent_messages
from tests.registrations.conftest import open_week, participant, publish, register  # noqa: F401 (fixture)

EVIL = "evil.example"
FORGED = {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "http"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Behind one trusted proxy: what it forwards for the client is believed, the Host still not.
    return dataclasses.replace(settings, trusted_proxy_hops=1)


def test_a_forged_host_appears_in_no_link_the_service_gives_out(client, runtime, open_week):
    first = publish(client, runtime, open_week)
    publish(client, runtime, open_week, title="Andra", starts_at=open_week.at(2, 9), ends_at=open_week.at(2, 10))
    slug = open_week.slug

    answers = {
        "programme Link": client.get(f"/api/v1/editions/{slug}/programme?limit=1", headers=FORGED).headers["Link"],
        "activities Link": client.get(f"/api/v1/editions/{slug}/activities?limit=1", headers={**FORGED, **open_week.organiser}).headers["Link"],
        "feed next": client.get(f"/api/v1/editions/{slug}/feed?afterChangeNumber=0&limit=1", headers=FORGED).get_json()["next"],
        "programme.ics": client.get(f"/api/v1/editions/{slug}/programme.ics", headers=FORGED).get_data(as_text=True),
        "activity .ics": client.get(f"/api/v1/programme/activities/{first}.ics", headers=FORGED).get_data(as_text=True),
        "programme.atom": client.get(f"/api/v1/editions/{slug}/programme.atom", headers=FORGED).get_data(as_text=True),
        "JSON-LD": client.get(f"/api/v1/programme/activities/{first}?format=jsonld", headers=FORGED).get_data(as_text=True),
    }
    assert register(client, first, participant("anna@example.org"), headers=FORGED).status_code == 201
    assert client.post("/api/v1/privacy/erasure-requests", json={"email": "anna@example.org"}, headers=FORGED).status_code == 202
    run_jobs(runtime)
    mails = sent_messages(runtime, "anna@example.org")  # as sent: the stored copies keep no links
    answers |= {f"mail: {mail['Subject']}": mail.get_body(("plain",)).get_content() for mail in mails}

    assert EVIL not in "".join(part.as_string() for mail in mails for part in mail.iter_attachments())  # the confirmation's .ics

    assert len(answers) == 9
    for name, text in answers.items():
        assert EVIL not in text, name
        assert PUBLIC_URL in text, name
    assert answers["programme Link"].startswith(f"<{PUBLIC_URL}/api/v1/editions/{slug}/programme?")

