"""A participant asks for their data, or for its erasure, by email: the answer never tells
whether the address is known, and only the address itself hears back."""

from __future__ import annotations

import email.policy
import re
from datetime import timedelta
from email.parser import BytesParser

import pytest

from innovationsweek.db import utcnow
from innovationsweek.privacy import service as privacy
from innovationsweek.registrations.models import RegistrationStatus
from tests.conftest import problem_of, run_jobs
from tests.privacy.conftest import ERASURE_LINK

DATA_REQUESTS = "/api/v1/privacy/data-requests"
ERASURE_REQUESTS = "/api/v1/privacy/erasure-requests"


def erasure_link(data) -> str:
    """The path of the link in the erasure mail as it was sent (the stored email does not keep it)."""
    return ERASURE_LINK.search(sent_erasure_mail(data)).group(1)


def sent_erasure_mail(data) -> str:
    """The text of the erasure mail as it was sent, with its link."""
    run_jobs(data.runtime)
    [mail] = [m for m in data.emails("anna@example.org") if "[erasure link: only in the email as sent]" in m.text]
    name = re.sub(r"[^A-Za-z0-9@._-]", "_", mail.message_id.strip("<> "))
    sent = BytesParser(policy=email.policy.default).parsebytes((data.runtime.settings.instance_path / "mail" / f"{name}.eml").read_bytes())
    assert ERASURE_LINK.search(mail.text) is None
    return sent.get_body(("plain",)).get_content()


# --- data requests --------------------------------------------------------------------------


def test_a_data_request_emails_every_registration_of_the_address_to_that_address_only(client, runtime, data, week):
    webcast = data.activity(week.starts_at + timedelta(hours=2), week.starts_at + timedelta(hours=3), title="Webbsändning om välfärdsteknik")
    visit = data.activity(week.starts_at + timedelta(days=2), week.starts_at + timedelta(days=2, hours=2), title="Studiebesök i hemtjänsten")
    data.register(webcast, "anna@example.org")
    data.register(visit, "anna@example.org", status=RegistrationStatus.CANCELLED, cancelled_at=utcnow())
    data.register(webcast, "bo@example.org")

    response = client.post(DATA_REQUESTS, json={"email": "Anna@Example.org"})

    assert response.status_code == 202
    [mail] = data.emails()
    assert mail.to_address == "anna@example.org"
    for expected in (
        "Webbsändning om välfärdsteknik",
        "Studiebesök i hemtjänsten",
        "Anna Andersson",
        "Annas arbetsplats",
        "Verksamhetsutvecklare",
        "+46 13 20 60 00",
        "version 2026-1",
        "aktivt samtycke",
        "Foto och film: ja",
        "Status: anmäld, med plats",
        "Status: avanmäld",
        "Avanmäld: ",
    ):
        assert expected in mail.text, expected
    assert mail.subject == "Personuppgifterna vi har om dig"
    assert "registration" not in mail.text.lower()  # Swedish, as registered: no English beside it
    assert "bo@example.org" not in mail.text and "Bo Andersson" not in mail.text
    run_jobs(runtime)
    assert data.emails()[0].sent_at is not None
    log = data.access_log()
    assert [(e.action, e.activity_id, e.records, e.actor_id) for e in log] == [
        ("data_request", webcast, 1, None),
        ("data_request", visit, 1, None),
    ]


def test_the_data_is_sent_in_the_language_of_the_newest_registration_only(client, data, week):
    webcast = data.activity(week.starts_at + timedelta(hours=2), week.starts_at + timedelta(hours=3), title="Webbsändning om välfärdsteknik")
    visit = data.activity(week.starts_at + timedelta(days=2), week.starts_at + timedelta(days=2, hours=2), title="Studiebesøg i hjemmeplejen")
    data.register(webcast, "anna@example.org", language="sv")
    data.register(visit, "anna@example.org", language="da")

    client.post(DATA_REQUESTS, json={"email": "anna@example.org"})

    [mail] = data.emails()
    assert mail.subject == "De personoplysninger, vi har om dig"
    for expected in ("Kære deltager", "Her er hver tilmelding", "Status: tilmeldt, med plads", "Foto og film: ja", "Arbejdsplads: ", "Slettes senest: "):
        assert expected in mail.text, expected
    assert "Webbsändning om välfärdsteknik" in mail.text and "Studiebesøg i hjemmeplejen" in mail.text
    for other in ("Anmäld", "Samtycke:", "registered", "Workplace"):
        assert other not in mail.text, other


def test_a_data_request_for_an_unknown_address_answers_the_same_and_sends_nothing(client, data, week):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    data.register(activity, "anna@example.org")

    known = client.post(DATA_REQUESTS, json={"email": "anna@example.org"})
    unknown = client.post(DATA_REQUESTS, json={"email": "nobody@example.org"})

    assert (unknown.status_code, unknown.get_json()) == (known.status_code, known.get_json()) == (202, known.get_json())
    assert [mail.to_address for mail in data.emails()] == ["anna@example.org"]


def test_an_erased_registration_is_not_sent_any_more(client, data, week):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    data.register(activity, "anna@example.org")
    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})
    client.post(f"{erasure_link(data)}/confirm")

    response = client.post(DATA_REQUESTS, json={"email": "anna@example.org"})

    assert response.status_code == 202
    assert data.emails() == []


def test_a_request_without_a_valid_email_is_422(client):
    response = client.post(DATA_REQUESTS, json={"email": "not an address"})

    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["pointer"] == "/email"


@pytest.mark.parametrize("path", [DATA_REQUESTS, ERASURE_REQUESTS])
def test_privacy_requests_are_rate_limited_per_client_address(client, path):
    answers = [client.post(path, json={"email": "anna@example.org"}) for _ in range(6)]

    assert [answer.status_code for answer in answers] == [202] * 5 + [429]
    assert "Retry-After" in answers[-1].headers
    problem_of(answers[-1])
    other_address = client.post(path, json={"email": "anna@example.org"}, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 202


# --- erasure --------------------------------------------------------------------------------


def test_an_erasure_request_mails_a_link_whose_page_erases_nothing(client, data, week):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    registration_id = data.register(activity, "anna@example.org")

    known = client.post(ERASURE_REQUESTS, json={"email": "ANNA@example.org"})
    unknown = client.post(ERASURE_REQUESTS, json={"email": "nobody@example.org"})
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert known.status_code == 202
    assert [mail.to_address for mail in data.emails()] == ["anna@example.org"]
    link = erasure_link(data)

    page = client.get(link)

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    text = page.get_data(as_text=True)
    assert "anna@example.org" in text
    assert f'<form method="post" action="{link}/confirm">' in text
    assert data.registration(registration_id).email == "anna@example.org"  # a mail scanner changed nothing


def test_the_erasure_link_is_mailed_in_the_language_of_the_newest_registration_only(client, data, week):
    first = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    second = data.activity(week.starts_at + timedelta(days=1), week.starts_at + timedelta(days=1, hours=1))
    data.register(first, "anna@example.org", language="en")
    data.register(second, "anna@example.org", language="da")

    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})

    [mail] = data.emails()
    assert mail.subject == "Bekræft sletningen af dine oplysninger"
    assert "personoplysningerne i 2 tilmeldinger foretaget med denne e-mailadresse" in mail.text
    assert "Linket virker i 24 timer" in mail.text
    assert "[erasure link: only in the email as sent]" in mail.text
    for other in ("Someone", "radera", "Länken"):
        assert other not in mail.text, other


def test_the_erasure_links_pages_are_in_the_mails_language(client, data, week):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    registration_id = data.register(activity, "anna@example.org", language="da")
    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})
    link = erasure_link(data)
    assert f"{link}?lang=da" in sent_erasure_mail(data)

    asked = client.get(f"{link}?lang=da", headers={"Accept-Language": "sv"})

    text = asked.get_data(as_text=True)
    assert '<html lang="da">' in text and "<title>Slet dine oplysninger</title>" in text
    assert "Personoplysningerne i alle tilmeldinger foretaget med anna@example.org slettes" in text
    assert f'<form method="post" action="{link}/confirm?lang=da"><button type="submit">Slet</button>' in text
    assert "radera" not in text.lower() and "erase" not in text.lower()
    assert data.registration(registration_id).erased_at is None

    done = client.post(f"{link}/confirm?lang=da", headers={"Accept": "text/html"})

    assert '<html lang="da">' in done.text and "Vi har slettet personoplysningerne i dine tilmeldinger." in done.text
    assert data.registration(registration_id).erased_at is not None


def test_confirming_erases_the_personal_data_keeps_the_counts_and_purges_the_emails(client, runtime, settings, data, week):
    ahead = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    ended = data.activity(utcnow() - timedelta(days=3, hours=2), utcnow() - timedelta(days=3))
    seat = data.register(ahead, "anna@example.org")
    attended = data.register(ended, "anna@example.org")
    colleague = data.register(ahead, "bo@example.org")
    client.post(DATA_REQUESTS, json={"email": "bo@example.org"})
    client.post(DATA_REQUESTS, json={"email": "anna@example.org"})
    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})
    run_jobs(runtime)
    assert len(data.emails("anna@example.org")) == 2

    response = client.post(f"{erasure_link(data)}/confirm")

    assert response.status_code == 200
    assert response.get_json()["erased_registrations"] == 2
    for registration_id, status in ((seat, RegistrationStatus.CANCELLED), (attended, RegistrationStatus.CONFIRMED)):
        row = data.registration(registration_id)
        assert (row.name, row.email, row.workplace, row.position, row.phone) == (None,) * 5
        assert row.erased_at is not None
        assert row.status == status  # a place ahead is given up; an attended one still counts
    assert data.registration(seat).cancelled_at is not None
    assert data.registration(colleague).email == "bo@example.org"
    assert data.emails("anna@example.org") == []
    assert [mail.to_address for mail in data.emails()] == ["bo@example.org"]
    erasures = [entry for entry in data.access_log() if entry.action == "erasure"]
    assert sorted((e.activity_id, e.records) for e in erasures) == sorted([(ahead, 1), (ended, 1)])
    assert all("anna" not in e.actor_label.lower() for e in erasures)

    again = client.post(f"{ERASURE_REQUESTS}/{privacy.erasure_token('anna@example.org', secret_key=settings.secret_key)}/confirm")
    assert again.get_json()["erased_registrations"] == 0


def test_a_browser_confirming_gets_a_page(client, data, week):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    registration_id = data.register(activity, "anna@example.org")
    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})

    response = client.post(f"{erasure_link(data)}/confirm", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "raderat" in response.get_data(as_text=True)
    assert data.registration(registration_id).erased_at is not None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_forged_erasure_link_is_404_and_erases_nothing(client, settings, data, week, method):
    from itsdangerous import URLSafeTimedSerializer

    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    registration_id = data.register(activity, "anna@example.org")
    forged = URLSafeTimedSerializer("someone else's key", salt="innovationsweek.privacy.erasure-request").dumps("anna@example.org")

    for token in (forged, "garbage", privacy.erasure_token("anna@example.org", secret_key=settings.secret_key) + "x"):
        path = f"{ERASURE_REQUESTS}/{token}" + ("/confirm" if method == "POST" else "")
        response = client.open(path, method=method)
        assert response.status_code == 404, token
        assert "not valid" in problem_of(response)["detail"]
    assert data.registration(registration_id).email == "anna@example.org"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_expired_erasure_link_is_410_and_erases_nothing(client, data, week, monkeypatch, method):
    activity = data.activity(week.starts_at, week.starts_at + timedelta(hours=1))
    registration_id = data.register(activity, "anna@example.org")
    client.post(ERASURE_REQUESTS, json={"email": "anna@example.org"})
    link = erasure_link(data)
    monkeypatch.setattr(privacy, "ERASURE_LINK_LIFETIME", timedelta(seconds=-1))

    response = client.open(link + ("/confirm" if method == "POST" else ""), method=method)

    assert response.status_code == 410
    assert "expired" in problem_of(response)["detail"]
    assert data.registration(registration_id).email == "anna@example.org"


def test_an_erasure_link_lasts_a_day():
    token = privacy.erasure_token("Anna@Example.org", secret_key="key")

    assert privacy.address_in_erasure_token(token, secret_key="key", now=utcnow() + timedelta(hours=23)) == "anna@example.org"
    with pytest.raises(privacy.ErasureLinkExpired):
        privacy.address_in_erasure_token(token, secret_key="key", now=utcnow() + timedelta(hours=25))
