from dataclasses import replace

from innovationsweek.app import create_app
from innovationsweek.runtime import Runtime
from tests.conftest import problem_of


def test_health_reports_database_and_queue_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() | {"workers": 0} == {
        "status": "ok", "database": "ok", "queue": "ok", "workers": 0, "mode": "services"
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_when_the_queue_is_down(settings):
    runtime = Runtime(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    response = create_app(runtime=runtime).test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json()["queue"] == "unavailable"
    assert response.get_json()["database"] == "ok"


def test_health_is_503_when_the_database_is_down(settings):
    runtime = Runtime(replace(settings, database_url="postgresql+psycopg://postgres@127.0.0.1:1/nothing"))
    response = create_app(runtime=runtime).test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() | {"workers": None} == {
        "status": "unavailable", "database": "unavailable", "queue": "ok", "workers": None, "mode": "services"
    }


def test_unknown_paths_answer_problem_json(client):
    body = problem_of(client.get("/api/v1/nothing-here"))
    assert body["status"] == 404
    assert body["instance"] == "/api/v1/nothing-here"
