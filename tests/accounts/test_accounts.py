from datetime import datetime, timedelta, timezone

import pytest
import rq
import sqlalchemy as sa

from innovationsweek.credentials import secret_hash
from innovationsweek.db import utcnow
from innovationsweek.queue import PERIODIC_JOBS, enqueue_periodic_jobs
from tests.accounts.conftest import sign_up, signed_up
from tests.conftest import EDITION, PASSWORD, count_rows, problem_of


def sign_in(client, email="someone@example.org", password=PASSWORD):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def stored_tokens(runtime):
    with runtime.database.engine.connect() as connection:
        return connection.execute(sa.text("SELECT * FROM access_tokens ORDER BY id")).mappings().all()


def set_token_times(runtime, token, **times):
    assignments = ", ".join(f"{column} = :{column}" for column in times)
    with runtime.database.engine.begin() as connection:
        connection.execute(
            sa.text(f"UPDATE access_tokens SET {assignments} WHERE token_hash = :hash"),
            {"hash": secret_hash(token), **times},
        )


# Signing up (the mail and its link: test_sign_up.py)


def test_signing_up_answers_202_without_the_password_or_the_account(client, runtime):
    response = sign_up(client, name="  Sigrid Svensson ")

    assert response.status_code == 202
    assert set(response.get_json()) == {"detail"}
    assert PASSWORD not in response.get_data(as_text=True)
    assert count_rows(runtime, "users") == 0
    assert count_rows(runtime, "sign_ups") == 1


def test_a_confirmed_account_has_the_name_given_and_the_email_in_lower_case(client, runtime):
    signed_up(client, runtime, email="Someone@Example.ORG", name="  Sigrid Svensson ")

    me = client.get("/api/v1/auth/me", headers=bearer(sign_in(client).get_json()["token"])).get_json()

    assert (me["email"], me["name"], me["is_admin"]) == ("someone@example.org", "Sigrid Svensson", False)
    assert not any("password" in key for key in me)
    with runtime.database.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT email FROM users")) == "someone@example.org"


def test_registering_with_a_short_password_is_refused_on_password(client, runtime):
    response = sign_up(client, password="short")

    assert response.status_code == 422
    body = problem_of(response)
    assert [error["pointer"] for error in body["errors"]] == ["/password"]
    assert "short" not in response.get_data(as_text=True)
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "users") == 0


def test_registering_with_a_blank_name_is_refused_on_name(client, runtime):
    response = sign_up(client, name="   ")

    assert response.status_code == 422
    assert problem_of(response)["errors"] == [{"detail": "This may not be blank.", "pointer": "/name"}]
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "users") == 0


@pytest.mark.parametrize("email", ["not-an-email", "someone@", "@example.org", "", "a" * 250 + "@example.org"])
def test_registering_with_an_invalid_email_is_refused_on_email(client, runtime, email):
    response = sign_up(client, email=email)

    assert response.status_code == 422
    assert "/email" in [error["pointer"] for error in problem_of(response)["errors"]]
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "users") == 0


def test_registering_without_the_required_fields_lists_each_missing_one(client, runtime):
    response = client.post("/api/v1/auth/register", json={})

    assert response.status_code == 422
    pointers = sorted(error["pointer"] for error in problem_of(response)["errors"])
    assert pointers == ["/email", "/name", "/password"]
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "users") == 0


def test_registering_cannot_make_oneself_an_administrator(client, runtime):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "someone@example.org", "password": PASSWORD, "name": "Someone", "is_admin": True},
    )

    assert response.status_code == 422
    assert problem_of(response)["errors"][0]["pointer"] == "/is_admin"
    assert count_rows(runtime, "sign_ups") == count_rows(runtime, "users") == 0


def test_passwords_are_stored_as_argon2id_hashes(client, runtime):
    signed_up(client, runtime)

    with runtime.database.engine.connect() as connection:
        password_hash = connection.scalar(sa.text("SELECT password_hash FROM users"))
    assert password_hash.startswith("$argon2id$")
    assert PASSWORD not in password_hash


def test_sign_ups_waiting_for_confirmation_store_only_hashes(client, runtime):
    sign_up(client)

    with runtime.database.engine.connect() as connection:
        [pending] = connection.execute(sa.text("SELECT * FROM sign_ups")).mappings().all()
    assert pending["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in " ".join(str(value) for value in pending.values())


# Signing in and out


def test_signing_in_gives_a_token_and_its_expiry(client, runtime):
    signed_up(client, runtime)

    response = sign_in(client, email="SOMEONE@example.org")

    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("iwt_")
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.tzinfo is not None
    lifetime = timedelta(days=runtime.settings.token_lifetime_days)
    assert utcnow() + lifetime - timedelta(minutes=1) < expires_at <= utcnow() + lifetime
    assert count_rows(runtime, "access_tokens") == 1


def test_a_wrong_password_and_an_unknown_email_are_refused_alike(client, runtime):
    signed_up(client, runtime)

    wrong_password = sign_in(client, password="not the password at all")
    unknown_email = sign_in(client, email="nobody@example.org")

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert problem_of(wrong_password) == problem_of(unknown_email)
    assert problem_of(wrong_password)["detail"] == "The email or the password is wrong."
    assert wrong_password.headers["WWW-Authenticate"].startswith("Bearer")
    assert count_rows(runtime, "access_tokens") == 0


def test_only_the_sha256_of_a_token_is_stored(client, runtime):
    signed_up(client, runtime)
    token = sign_in(client).get_json()["token"]

    [stored] = stored_tokens(runtime)
    assert stored["token_hash"] == secret_hash(token)
    assert token not in " ".join(str(value) for value in stored.values())


def test_a_token_shows_who_i_am(client, runtime):
    signed_up(client, runtime, name="Sigrid")
    token = sign_in(client).get_json()["token"]

    response = client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == "someone@example.org"
    assert body["name"] == "Sigrid"
    assert body["organisations"] == []
    assert body["coordinates"] == []


def test_who_am_i_lists_my_organisations_and_the_editions_i_coordinate(client, people):
    people.create("admin@example.org", admin=True)
    me = people.create("someone@example.org")
    admin, mine = people.headers("admin@example.org"), people.headers("someone@example.org")
    organisation = client.post(
        "/api/v1/organisations", json={"name": "Umeå kommun", "kind": "municipality", "country": "SE"}, headers=mine
    ).get_json()
    assert client.post("/api/v1/editions", json=EDITION, headers=admin).status_code == 201
    assigned = client.post(
        f"/api/v1/editions/{EDITION['slug']}/coordinators", json={"email": "someone@example.org"}, headers=admin
    )
    assert assigned.status_code == 201

    body = client.get("/api/v1/auth/me", headers=mine).get_json()

    assert body["id"] == me.id
    assert body["organisations"] == [{"id": organisation["id"], "name": "Umeå kommun", "role": "owner"}]
    assert body["coordinates"] == [EDITION["slug"]]


def test_who_am_i_needs_a_token(client):
    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401
    problem_of(response)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signing_out_revokes_the_token(client, runtime):
    signed_up(client, runtime)
    token = sign_in(client).get_json()["token"]

    response = client.delete("/api/v1/auth/tokens/current", headers=bearer(token))

    assert response.status_code == 204
    assert response.get_data() == b""
    refused = client.get("/api/v1/auth/me", headers=bearer(token))
    assert refused.status_code == 401
    problem_of(refused)
    assert stored_tokens(runtime)[0]["revoked_at"] is not None


def test_signing_out_leaves_my_other_tokens_working(client, runtime):
    signed_up(client, runtime)
    first, second = sign_in(client).get_json()["token"], sign_in(client).get_json()["token"]

    assert client.delete("/api/v1/auth/tokens/current", headers=bearer(first)).status_code == 204

    assert client.get("/api/v1/auth/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 200


def test_signing_out_twice_with_the_same_token_is_refused(client, runtime):
    signed_up(client, runtime)
    token = sign_in(client).get_json()["token"]
    client.delete("/api/v1/auth/tokens/current", headers=bearer(token))

    response = client.delete("/api/v1/auth/tokens/current", headers=bearer(token))

    assert response.status_code == 401
    problem_of(response)


def test_an_expired_token_is_refused(client, runtime):
    signed_up(client, runtime)
    token = sign_in(client).get_json()["token"]
    set_token_times(runtime, token, expires_at=utcnow() - timedelta(seconds=1))

    response = client.get("/api/v1/auth/me", headers=bearer(token))

    assert response.status_code == 401
    assert problem_of(response)["detail"] == "The token is unknown, expired or revoked."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_is_refused(client):
    response = client.get("/api/v1/auth/me", headers=bearer("iwt_made-up"))

    assert response.status_code == 401
    problem_of(response)


@pytest.mark.parametrize("header", ["Basic x", "Bearer", "Bearer   ", "Token abc", "bearer"])
def test_a_malformed_authorization_header_is_refused(client, header):
    response = client.get("/api/v1/auth/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert "Bearer" in problem_of(response)["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_malformed_authorization_header_is_refused_on_public_operations_too(client):
    response = client.get("/api/v1/editions", headers={"Authorization": "Basic x"})

    assert response.status_code == 401
    problem_of(response)


def test_the_bearer_scheme_is_case_insensitive(client, runtime):
    signed_up(client, runtime)
    token = sign_in(client).get_json()["token"]

    response = client.get("/api/v1/auth/me", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200


# The administrators' account list


def test_only_administrators_may_list_accounts(client, people):
    people.create("someone@example.org")

    response = client.get("/api/v1/users", headers=people.headers("someone@example.org"))

    assert response.status_code == 403
    problem_of(response)
    assert client.get("/api/v1/users").status_code == 401


def test_administrators_list_accounts_and_filter_them_by_email(client, people):
    people.create("admin@example.org", admin=True)
    people.create("someone@example.org")
    people.create("another@example.org")
    admin = people.headers("admin@example.org")

    everyone = client.get("/api/v1/users", headers=admin).get_json()
    filtered = client.get("/api/v1/users", query_string={"email": "Another@Example.org"}, headers=admin).get_json()
    nobody = client.get("/api/v1/users", query_string={"email": "nobody@example.org"}, headers=admin).get_json()

    assert [user["email"] for user in everyone["items"]] == [
        "admin@example.org", "someone@example.org", "another@example.org"
    ]
    assert everyone["total"] == 3
    assert [user["email"] for user in filtered["items"]] == ["another@example.org"]
    assert filtered["total"] == 1
    assert nobody == {"items": [], "total": 0}
    assert not any("password" in key for user in everyone["items"] for key in user)


# Housekeeping


def run_maintenance_jobs(runtime):
    rq.SimpleWorker([rq.Queue("maintenance", connection=runtime.redis)], connection=runtime.redis).work(burst=True)


def test_the_purge_job_removes_tokens_expired_or_revoked_over_a_week_ago(app, runtime, people):
    people.create("someone@example.org")
    fresh, expired_long_ago, revoked_long_ago, expired_lately, revoked_lately = (
        people.token("someone@example.org") for _ in range(5)
    )
    eight_days_ago, six_days_ago = utcnow() - timedelta(days=8), utcnow() - timedelta(days=6)
    set_token_times(runtime, expired_long_ago, expires_at=eight_days_ago)
    set_token_times(runtime, revoked_long_ago, revoked_at=eight_days_ago)
    set_token_times(runtime, expired_lately, expires_at=six_days_ago)
    set_token_times(runtime, revoked_lately, revoked_at=six_days_ago)

    job = rq.Queue("maintenance", connection=runtime.redis).enqueue(
        "innovationsweek.jobs.maintenance.purge_expired_tokens"
    )
    run_maintenance_jobs(runtime)

    assert job.get_status(refresh=True) == rq.job.JobStatus.FINISHED
    assert job.return_value() == 2
    remaining = {row["token_hash"] for row in stored_tokens(runtime)}
    assert remaining == {secret_hash(token) for token in (fresh, expired_lately, revoked_lately)}


def test_the_purge_job_run_again_removes_nothing_more(app, runtime, people):
    people.create("someone@example.org")
    old, fresh = people.token("someone@example.org"), people.token("someone@example.org")
    set_token_times(runtime, old, expires_at=utcnow() - timedelta(days=30))
    queue = rq.Queue("maintenance", connection=runtime.redis)

    first = queue.enqueue("innovationsweek.jobs.maintenance.purge_expired_tokens")
    run_maintenance_jobs(runtime)
    second = queue.enqueue("innovationsweek.jobs.maintenance.purge_expired_tokens")
    run_maintenance_jobs(runtime)

    assert (first.return_value(), second.return_value()) == (1, 0)
    assert [row["token_hash"] for row in stored_tokens(runtime)] == [secret_hash(fresh)]


def test_periodic_jobs_are_enqueued_once_per_period_however_often_the_clock_ticks(app, runtime):
    now = datetime(2030, 10, 7, 9, 15, tzinfo=timezone.utc)
    queue = rq.Queue("maintenance", connection=runtime.redis)

    first = enqueue_periodic_jobs(runtime.redis, now)
    again = enqueue_periodic_jobs(runtime.redis, now)
    within_the_shortest_period = enqueue_periodic_jobs(runtime.redis, now + timedelta(minutes=4))

    assert first == [job.job_id(now) for job in PERIODIC_JOBS]
    assert again == within_the_shortest_period == []
    assert queue.job_ids == [job.job_id(now) for job in PERIODIC_JOBS if job.queue == "maintenance"]


def test_periodic_jobs_are_enqueued_again_in_the_next_period(app, runtime):
    now = datetime(2030, 10, 7, 9, 15, tzinfo=timezone.utc)
    queue = rq.Queue("maintenance", connection=runtime.redis)

    first = enqueue_periodic_jobs(runtime.redis, now)
    next_hour = enqueue_periodic_jobs(runtime.redis, now + timedelta(hours=1))

    assert len(first) == len(next_hour) == len(PERIODIC_JOBS)
    assert not set(first) & set(next_hour)
    maintenance = {job.name for job in PERIODIC_JOBS if job.queue == "maintenance"}
    purge = [job_id for job_id in first + next_hour if job_id.rsplit("-", 1)[0] in maintenance]
    assert queue.job_ids == purge


def test_with_a_retry_scale_the_sweeps_run_every_second_and_the_other_periodic_jobs_on_their_schedule(app, runtime):
    now = datetime(2030, 10, 7, 9, 15, tzinfo=timezone.utc)
    scale = 0.00005  # the fault tests': ten minutes become 0.03 s, which the clock's tick rounds up to a second

    first = enqueue_periodic_jobs(runtime.redis, now, scale)
    a_second_later = enqueue_periodic_jobs(runtime.redis, now + timedelta(seconds=1), scale)

    assert len(first) == len(PERIODIC_JOBS)
    assert sorted(job_id.rsplit("-", 1)[0] for job_id in a_second_later) == ["send-pending-emails", "sweep-webhook-deliveries"]


def test_a_periodic_job_that_already_ran_is_not_enqueued_again_in_its_period(app, runtime, people):
    people.create("someone@example.org")
    set_token_times(runtime, people.token("someone@example.org"), expires_at=utcnow() - timedelta(days=30))
    now = utcnow()
    [job_id] = [j for j in enqueue_periodic_jobs(runtime.redis, now) if j.startswith("purge-expired-tokens")]
    run_maintenance_jobs(runtime)

    assert enqueue_periodic_jobs(runtime.redis, now) == []
    assert rq.job.Job.fetch(job_id, connection=runtime.redis).return_value() == 1
    assert count_rows(runtime, "access_tokens") == 0


def test_passwords_are_hashed_with_owasps_argon2id_parameters_outside_tests(monkeypatch):
    from innovationsweek.accounts import service

    monkeypatch.undo()  # the suite swaps in a cheap hasher; look at the real one
    real = service._hasher
    assert (real.time_cost, real.memory_cost, real.parallelism) == (2, 19 * 1024, 1)
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in real.hash(PASSWORD)


def test_a_password_hashed_with_other_parameters_is_rehashed_at_sign_in(client, runtime, people, monkeypatch):
    from argon2 import PasswordHasher

    people.create("someone@example.org")
    with runtime.database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET password_hash = :hash"), {"hash": PasswordHasher().hash(PASSWORD)})
    monkeypatch.undo()

    assert sign_in(client).status_code == 201

    with runtime.database.engine.connect() as connection:
        assert "$m=19456,t=2,p=1$" in connection.scalar(sa.text("SELECT password_hash FROM users"))


def test_an_account_chooses_the_language_of_its_mails_through_the_api(client, runtime):
    signed_up(client, runtime)
    headers = bearer(sign_in(client).get_json()["token"])
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["language"] == "sv"  # signed up without asking: Swedish

    changed = client.patch("/api/v1/auth/me", json={"language": "da"}, headers=headers)

    assert changed.status_code == 200
    assert changed.get_json()["language"] == "da"
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["language"] == "da"


@pytest.mark.parametrize("body", [{"language": "fi"}, {"language": None}, {}])
def test_an_unknown_or_missing_language_is_refused_on_language_and_changes_nothing(client, runtime, body):
    signed_up(client, runtime)
    headers = bearer(sign_in(client).get_json()["token"])

    refused = client.patch("/api/v1/auth/me", json=body, headers=headers)

    assert refused.status_code == 422
    assert [error["pointer"] for error in problem_of(refused)["errors"]] == ["/language"]
    assert client.get("/api/v1/auth/me", headers=headers).get_json()["language"] == "sv"


def test_choosing_a_language_needs_a_signed_in_account(client):
    assert client.patch("/api/v1/auth/me", json={"language": "da"}).status_code == 401
