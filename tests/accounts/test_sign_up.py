"""Signing up never tells whether an address has an account: the answer is the same 202 and
the address gets a mail either way. A new address confirms through the mailed link (whose page
asks first) before it can sign in; a known one is told it has an account, which stays as it was."""

from __future__ import annotations

import json
from datetime import timedelta

import rq
import sqlalchemy as sa

from innovationsweek.db import utcnow
from tests.accounts.conftest import PUBLIC_URL, mails_to, sign_up, sign_up_link, text_of
from tests.conftest import PASSWORD, count_rows, problem_of, run_jobs

OTHER_PASSWORD = "another long password"


def sign_in(client, email="someone@example.org", password=PASSWORD):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def test_a_new_and_an_existing_address_get_the_same_answer(client, people):
    people.create("known@example.org")

    new = sign_up(client, "new@example.org")
    known = sign_up(client, "known@example.org", password=OTHER_PASSWORD, name="Someone Else")

    assert new.status_code == known.status_code == 202
    assert new.mimetype == known.mimetype == "application/json"
    assert new.get_data() == known.get_data()
    assert "email" in new.get_json()["detail"]


def test_a_new_address_is_mailed_a_link_to_confirm_and_has_no_account_yet(client, runtime):
    sign_up(client, "new@example.org")

    [mail] = mails_to(runtime, "new@example.org")
    assert mail["Subject"] == "Bekräfta ditt konto"  # nobody asked for a language: Swedish
    assert sign_up_link(mail).startswith("/api/v1/auth/sign-ups/")
    assert f"{PUBLIC_URL}/api/v1/auth/sign-ups/" in text_of(mail)
    assert count_rows(runtime, "users") == 0


def test_an_existing_address_is_told_it_has_an_account_and_nothing_changes_on_it(client, runtime, people):
    people.create("known@example.org", name="Known")

    sign_up(client, "known@example.org", password=OTHER_PASSWORD, name="Impostor")

    [mail] = mails_to(runtime, "known@example.org")
    assert mail["Subject"] == "Du har redan ett konto"
    assert "/api/v1/auth/sign-ups/" not in text_of(mail)
    assert sign_in(client, "known@example.org", OTHER_PASSWORD).status_code == 401
    assert sign_in(client, "known@example.org").status_code == 201
    assert count_rows(runtime, "sign_ups") == 0
    with runtime.database.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT name FROM users")) == "Known"


def test_the_mails_do_not_carry_what_a_stranger_wrote(client, runtime, people):
    people.create("known@example.org")
    spam = "Cheap pills at https://spam.example"

    sign_up(client, "new@example.org", name=spam)
    sign_up(client, "known@example.org", name=spam)

    for address in ("new@example.org", "known@example.org"):
        [mail] = mails_to(runtime, address)
        assert "spam.example" not in text_of(mail) + mail["Subject"]


def test_an_unconfirmed_sign_up_cannot_sign_in_and_is_refused_like_a_wrong_password(client, people):
    people.create("known@example.org")
    sign_up(client, "new@example.org")

    unconfirmed = sign_in(client, "new@example.org")
    wrong_password = sign_in(client, "known@example.org", OTHER_PASSWORD)

    assert unconfirmed.status_code == wrong_password.status_code == 401
    assert problem_of(unconfirmed) == problem_of(wrong_password)


def test_the_link_opens_a_page_that_asks_and_creates_nothing(client, runtime):
    sign_up(client, "new@example.org")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])

    page = client.get(link)

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "new@example.org" in html
    assert f'<form method="post" action="{link}/confirm">' in html
    assert count_rows(runtime, "users") == 0
    assert sign_in(client, "new@example.org").status_code == 401


def test_confirming_makes_the_account_which_can_then_sign_in(client, runtime):
    sign_up(client, "New@Example.org", name="  Nora Ny ")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])

    confirmed = client.post(f"{link}/confirm")

    assert confirmed.status_code == 201
    body = confirmed.get_json()
    assert (body["email"], body["name"], body["is_admin"]) == ("new@example.org", "Nora Ny", False)
    assert sign_in(client, "new@example.org").status_code == 201


def test_a_used_link_confirms_nothing_more(client, runtime):
    sign_up(client, "new@example.org")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])
    client.post(f"{link}/confirm")

    again, page = client.post(f"{link}/confirm"), client.get(link)

    assert again.status_code == page.status_code == 404
    problem_of(again)
    assert count_rows(runtime, "users") == 1


def test_a_browser_confirming_gets_a_page(client, runtime):
    sign_up(client, "new@example.org")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])

    confirmed = client.post(f"{link}/confirm", headers={"Accept": "text/html,application/xhtml+xml"})

    assert confirmed.status_code == 200
    assert confirmed.mimetype == "text/html"
    assert "logga in" in confirmed.get_data(as_text=True)
    assert sign_in(client, "new@example.org").status_code == 201


def test_a_second_sign_up_replaces_the_first_so_its_link_cannot_confirm_the_new_password(client, runtime):
    """Only the newest sign-up's link confirms, with the newest password: someone who signed up
    first with an address cannot keep a password on it that its owner then chose over."""
    sign_up(client, "new@example.org", password=OTHER_PASSWORD)
    sign_up(client, "new@example.org", password=PASSWORD)
    first, second = (sign_up_link(mail) for mail in mails_to(runtime, "new@example.org"))

    assert client.get(first).status_code == 404
    assert client.post(f"{first}/confirm").status_code == 404
    assert count_rows(runtime, "users") == 0
    assert client.post(f"{second}/confirm").status_code == 201
    assert sign_in(client, "new@example.org", OTHER_PASSWORD).status_code == 401
    assert sign_in(client, "new@example.org", PASSWORD).status_code == 201


def test_an_expired_link_is_gone_and_creates_nothing(client, runtime):
    sign_up(client, "new@example.org")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])
    with runtime.database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE sign_ups SET created_at = :at"), {"at": utcnow() - timedelta(hours=25)})

    page, confirmed = client.get(link), client.post(f"{link}/confirm")

    assert page.status_code == confirmed.status_code == 410
    assert "Sign up again" in problem_of(confirmed)["detail"]
    assert count_rows(runtime, "users") == 0


def test_a_forged_link_is_404(client, runtime):
    sign_up(client, "new@example.org")

    forged = "/api/v1/auth/sign-ups/iws_made-up"

    assert client.get(forged).status_code == 404
    assert client.post(f"{forged}/confirm").status_code == 404
    assert count_rows(runtime, "users") == 0


def test_an_account_made_meanwhile_is_kept_and_the_link_says_so(client, runtime, people):
    sign_up(client, "new@example.org", password=OTHER_PASSWORD)
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])
    people.create("new@example.org")  # e.g. `innovationsweek users create`

    confirmed = client.post(f"{link}/confirm")

    assert confirmed.status_code == 409
    assert "sign in" in problem_of(confirmed)["detail"]
    assert sign_in(client, "new@example.org").status_code == 201


def test_sign_ups_never_confirmed_are_forgotten_once_their_link_has_expired(app, runtime, client):
    sign_up(client, "old@example.org")
    sign_up(client, "new@example.org")
    with runtime.database.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE sign_ups SET created_at = :at WHERE email = 'old@example.org'"), {"at": utcnow() - timedelta(hours=25)}
        )
    queue = rq.Queue("maintenance", connection=runtime.redis)

    first = queue.enqueue("innovationsweek.jobs.maintenance.purge_expired_sign_ups")
    run_jobs(runtime)
    second = queue.enqueue("innovationsweek.jobs.maintenance.purge_expired_sign_ups")
    run_jobs(runtime)

    assert (first.return_value(), second.return_value()) == (1, 0)
    with runtime.database.engine.connect() as connection:
        assert connection.scalars(sa.text("SELECT email FROM sign_ups")).all() == ["new@example.org"]


def test_an_account_made_on_the_command_line_signs_in_without_confirming(client, runtime, settings, monkeypatch):
    from click.testing import CliRunner

    from innovationsweek import runtime as runtimes
    from innovationsweek.cli import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("IW_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("IW_PUBLIC_URL", settings.public_url)
    try:
        made = CliRunner().invoke(
            main, ["users", "create", "--email", "Admin@Example.org", "--name", "Admin", "--admin", "--password", PASSWORD]
        )
    finally:
        runtimes.install(runtime)

    assert made.exit_code == 0, made.output
    assert sign_in(client, "admin@example.org").status_code == 201
    assert count_rows(runtime, "emails") == 0


def test_the_stored_copy_of_the_mail_holds_no_working_confirmation_link(client, runtime):
    sign_up(client, "new@example.org")
    [mail] = mails_to(runtime, "new@example.org")  # sent, so the secret is forgotten

    with runtime.database.engine.connect() as connection:
        stored = json.dumps([list(row) for row in connection.execute(sa.text("SELECT * FROM emails"))], default=str)
    assert "/api/v1/auth/sign-ups/" not in stored
    assert "[confirmation link: only in the email as sent]" in stored
    assert client.get(sign_up_link(mail)).status_code == 200  # the mail as sent still works


def test_a_danish_sign_up_gets_its_mail_pages_and_account_in_danish_only(client, runtime):
    danish = {"Accept-Language": "da"}
    sign_up(client, "ny@example.dk", headers=danish)

    [mail] = mails_to(runtime, "ny@example.dk")
    assert mail["Subject"] == "Bekræft din konto"
    assert "Hej" in text_of(mail) and "Hi," not in text_of(mail) and "förhoppningsvis" not in text_of(mail)
    link = sign_up_link(mail)
    assert f"{PUBLIC_URL}{link}?lang=da" in text_of(mail)  # the page opens in Danish whatever the browser says

    page = client.get(f"{link}?lang=da", headers={"Accept-Language": "sv"})
    html = page.get_data(as_text=True)
    assert '<html lang="da">' in html
    assert "<h1>Bekræft din konto</h1>" in html
    assert not any(word in html for word in ("Bekräfta", "Confirm", "skapas", "is created"))
    assert f'action="{link}/confirm?lang=da"' in html

    confirmed = client.post(f"{link}/confirm?lang=da", headers={"Accept": "text/html"})
    assert '<html lang="da">' in confirmed.get_data(as_text=True)
    assert "logge ind" in confirmed.get_data(as_text=True)
    token = sign_in(client, "ny@example.dk").get_json()["token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["language"] == "da"


def test_an_english_page_asked_for_by_the_browser_is_in_english_only(client, runtime):
    sign_up(client, "new@example.org")
    link = sign_up_link(mails_to(runtime, "new@example.org")[0])

    html = client.get(link, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)

    assert '<html lang="en">' in html and "<h1>Confirm your account</h1>" in html
    assert "Bekräfta" not in html and "skapas" not in html
