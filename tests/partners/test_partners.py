import pytest
import sqlalchemy as sa

from innovationsweek.credentials import secret_hash
from tests.conftest import count_rows, problem_of

PARTNER = {"name": "Kommunernas Kalender", "contact_email": "Webb@Kalender.example"}


@pytest.fixture
def admin(people):
    people.create("admin@example.org", admin=True)
    return people.headers("admin@example.org")


def create_partner(client, admin, **fields):
    return client.post("/api/v1/partners", json=PARTNER | fields, headers=admin)


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def stored_partners(runtime):
    with runtime.database.engine.connect() as connection:
        return connection.execute(sa.text("SELECT * FROM partners ORDER BY id")).mappings().all()


def test_creating_a_partner_shows_its_api_key_once(client, admin):
    response = create_partner(client, admin)

    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Kommunernas Kalender"
    assert body["contact_email"] == "webb@kalender.example"
    assert body["api_key"].startswith("iwp_")
    assert len(body["api_key"]) > 40
    assert body["key_hint"] == body["api_key"][:8]
    assert body["revoked_at"] is None

    listed = client.get("/api/v1/partners", headers=admin)
    assert listed.status_code == 200
    [partner] = listed.get_json()["items"]
    assert "api_key" not in partner
    assert body["api_key"] not in listed.get_data(as_text=True)
    assert partner["key_hint"] == body["key_hint"]
    assert partner["id"] == body["id"]


def test_each_partner_gets_its_own_key(client, admin):
    first = create_partner(client, admin).get_json()
    second = create_partner(client, admin, name="Regionens Evenemang").get_json()

    assert first["api_key"] != second["api_key"]
    assert client.get("/api/v1/partners", headers=admin).get_json()["total"] == 2


def test_only_the_sha256_of_a_partner_key_is_stored(client, admin, runtime):
    api_key = create_partner(client, admin).get_json()["api_key"]

    [stored] = stored_partners(runtime)
    assert stored["key_hash"] == secret_hash(api_key)
    assert api_key not in " ".join(str(value) for value in stored.values())


def test_a_partner_key_reads_public_data(client, admin):
    api_key = create_partner(client, admin).get_json()["api_key"]

    response = client.get("/api/v1/editions", headers=bearer(api_key))

    assert response.status_code == 200
    assert response.get_json() == {"items": [], "total": 0}


def test_a_partner_key_may_not_write(client, admin, runtime):
    api_key = create_partner(client, admin).get_json()["api_key"]

    response = client.post(
        "/api/v1/organisations",
        json={"name": "Umeå kommun", "kind": "municipality", "country": "SE"},
        headers=bearer(api_key),
    )

    assert response.status_code == 403
    assert "read-only" in problem_of(response)["detail"]
    assert count_rows(runtime, "organisations") == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/auth/me"), ("GET", "/api/v1/partners"), ("DELETE", "/api/v1/auth/tokens/current")],
)
def test_a_partner_key_is_no_person(client, admin, method, path):
    api_key = create_partner(client, admin).get_json()["api_key"]

    response = client.open(path, method=method, headers=bearer(api_key))

    assert response.status_code == 403
    problem_of(response)


def test_a_revoked_partner_key_is_refused(client, admin, runtime):
    created = create_partner(client, admin).get_json()

    response = client.delete(f"/api/v1/partners/{created['id']}", headers=admin)

    assert response.status_code == 204
    refused = client.get("/api/v1/editions", headers=bearer(created["api_key"]))
    assert refused.status_code == 401
    assert problem_of(refused)["detail"] == "The API key is unknown or revoked."
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    [partner] = client.get("/api/v1/partners", headers=admin).get_json()["items"]
    assert partner["revoked_at"] is not None
    assert count_rows(runtime, "partners") == 1


def test_revoking_a_partner_twice_keeps_the_first_revocation(client, admin):
    partner_id = create_partner(client, admin).get_json()["id"]
    client.delete(f"/api/v1/partners/{partner_id}", headers=admin)
    first = client.get("/api/v1/partners", headers=admin).get_json()["items"][0]["revoked_at"]

    response = client.delete(f"/api/v1/partners/{partner_id}", headers=admin)

    assert response.status_code == 204
    assert client.get("/api/v1/partners", headers=admin).get_json()["items"][0]["revoked_at"] == first


def test_revoking_one_partner_leaves_the_others_working(client, admin):
    revoked = create_partner(client, admin).get_json()
    kept = create_partner(client, admin, name="Regionens Evenemang").get_json()

    client.delete(f"/api/v1/partners/{revoked['id']}", headers=admin)

    assert client.get("/api/v1/editions", headers=bearer(kept["api_key"])).status_code == 200


def test_revoking_an_unknown_partner_is_not_found(client, admin):
    response = client.delete("/api/v1/partners/999", headers=admin)

    assert response.status_code == 404
    problem_of(response)


def test_an_unknown_partner_key_is_refused(client):
    response = client.get("/api/v1/editions", headers=bearer("iwp_made-up"))

    assert response.status_code == 401
    problem_of(response)


def test_only_administrators_manage_partners(client, admin, people, runtime):
    people.create("someone@example.org")
    someone = people.headers("someone@example.org")
    partner_id = create_partner(client, admin).get_json()["id"]

    assert client.get("/api/v1/partners", headers=someone).status_code == 403
    refused_create = create_partner(client, someone, name="Another")
    refused_revoke = client.delete(f"/api/v1/partners/{partner_id}", headers=someone)

    assert refused_create.status_code == refused_revoke.status_code == 403
    assert problem_of(refused_create)["detail"] == "Only administrators may do this."
    problem_of(refused_revoke)
    assert [row["revoked_at"] for row in stored_partners(runtime)] == [None]


def test_managing_partners_needs_a_token(client, runtime):
    assert client.get("/api/v1/partners").status_code == 401
    response = client.post("/api/v1/partners", json=PARTNER)

    assert response.status_code == 401
    problem_of(response)
    assert count_rows(runtime, "partners") == 0


@pytest.mark.parametrize("email", ["not-an-email", "", None])
def test_a_partner_needs_a_valid_contact_email(client, admin, runtime, email):
    response = create_partner(client, admin, contact_email=email)

    assert response.status_code == 422
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/contact_email"]
    assert count_rows(runtime, "partners") == 0


def test_a_partner_cannot_be_given_its_own_key(client, admin, runtime):
    response = create_partner(client, admin, api_key="iwp_chosen-by-me")

    assert response.status_code == 422
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/api_key"]
    assert count_rows(runtime, "partners") == 0


def test_a_partner_needs_a_name_that_is_not_blank(client, admin, runtime):
    response = create_partner(client, admin, name=" \t ")

    assert response.status_code == 422
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/name"]
    assert count_rows(runtime, "partners") == 0
