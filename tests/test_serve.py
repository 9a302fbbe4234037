"""What `make run` does, as a new user sees it: a real server process with its worker."""

from __future__ import annotations

import email
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.conftest import count_rows

SERVE = [str(Path(sys.executable).parent / "innovationsweek"), "serve"]
# What the server reads from its environment; the tests give each one explicitly.
SETTINGS = ("DATABASE_URL", "REDIS_URL", "IW_SECRET_KEY", "IW_PUBLIC_URL", "IW_TRUSTED_PROXY_HOPS")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_answer(
    url: str, process: subprocess.Popen, ready: Callable[[requests.Response], bool] = lambda _: True, seconds: float = 60
) -> requests.Response:
    """The first answer from ``url`` that is ``ready``, as long as the server process lives."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{process.stdout.read()}")
        try:
            response = requests.get(url, timeout=30)  # gunicorn accepts before its worker has loaded the app
            if ready(response):
                return response
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} was not ready in time")


def wait_for_worker(base: str, process: subprocess.Popen) -> requests.Response:
    """/health once the server answers and its worker has registered with the queue."""
    return wait_for_answer(f"{base}/health", process, lambda health: health.status_code != 200 or health.json()["workers"] >= 1)


@pytest.fixture
def serve(tmp_path):
    processes = []

    def start(*arguments: str, **env: str) -> tuple[str, subprocess.Popen]:
        port = free_port()
        environment = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        environment.update(IW_INSTANCE_PATH=str(tmp_path / "instance"), PORT=str(port), **env)
        process = subprocess.Popen(
            [*SERVE, *arguments], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path
        )
        processes.append(process)
        return f"http://127.0.0.1:{port}", process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def check_a_new_user_can_start(base: str, process: subprocess.Popen, mode: str, password: str) -> None:
    health = wait_for_worker(base, process)
    assert health.status_code == 200, health.text
    assert health.json()["mode"] == mode
    assert health.json()["workers"] >= 1
    editions = requests.get(f"{base}/api/v1/editions", timeout=5).json()["items"]
    assert "innovationsveckan-2019" in [e["slug"] for e in editions]
    token = requests.post(
        f"{base}/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": password}, timeout=5
    )
    assert token.status_code == 201, token.text
    assert requests.get(f"{base}/api/openapi.json", timeout=5).json()["openapi"].startswith("3.")


def test_make_run_serves_the_demo_embedded_with_its_worker(serve, tmp_path):
    base, process = serve(IW_DEMO_PASSWORD="a-demo-password")
    check_a_new_user_can_start(base, process, "embedded", "a-demo-password")
    assert (tmp_path / "instance" / "innovationsweek.db").is_file()
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=15)
    assert "coordinator@example.org" in output and "a-demo-password" in output


def test_make_run_uses_postgresql_and_redis_when_configured_and_loads_the_demo_when_asked(serve, runtime, settings):
    base, process = serve("--demo", DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url, IW_SECRET_KEY=settings.secret_key)
    check_a_new_user_can_start(base, process, "services", "demo-password")
    assert not (Path(settings.instance_path) / "innovationsweek.db").exists()


def test_serving_an_empty_postgresql_database_creates_no_demo_accounts(serve, runtime, settings):
    base, process = serve(DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url, IW_SECRET_KEY=settings.secret_key)
    assert wait_for_worker(base, process).status_code == 200
    assert count_rows(runtime, "users") == 0
    assert requests.get(f"{base}/api/v1/editions", timeout=5).json()["items"] == []
    refused = requests.post(f"{base}/api/v1/auth/tokens", json={"email": "admin@example.org", "password": "demo-password"}, timeout=5)
    assert refused.status_code == 401
    told = process.stdout.readline()  # printed before serving; the fixture stops the server
    assert "Empty database: create the first administrator" in told and "demo-password" not in told


def test_serving_postgresql_without_a_secret_key_refuses_to_start_naming_it(serve, settings):
    _, process = serve("--demo", DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url)
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "IW_SECRET_KEY" in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1, output


def mails_to(tmp_path: Path, address: str) -> list[email.message.Message]:
    """The mails the server has written to instance/mail for ``address``."""
    messages = (email.message_from_bytes(path.read_bytes()) for path in (tmp_path / "instance" / "mail").glob("*.eml"))
    return [message for message in messages if message["To"] == address]


def text_of(message: email.message.Message) -> str:
    return next(part for part in message.walk() if part.get_content_type() == "text/plain").get_payload(decode=True).decode()



def wait_for_status(base: str, headers: dict[str, str], activity_id: int, wanted: set[str], seconds: float = 20) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = requests.get(f"{base}/api/v1/activities/{activity_id}", headers=headers, timeout=5).json()
        if body["status"] in wanted:
            return body
        time.sleep(0.2)
    raise AssertionError(f"activity {activity_id} stayed {body['status']}")


def test_a_new_organiser_submits_a_webcast_and_a_coordinator_approves_it(serve, tmp_path):
    """Issue 3, as a new user would try it against `make run`."""
    base, process = serve()
    wait_for_worker(base, process)
    current = next(
        e for e in requests.get(f"{base}/api/v1/editions", timeout=5).json()["items"] if e["slug"] != "innovationsveckan-2019"
    )
    registered = requests.post(
        f"{base}/api/v1/auth/register",
        json={"email": "ny@norrkoping.se", "password": "ett långt lösenord", "name": "Nora Ny"},
        timeout=5,
    )
    assert registered.status_code == 202
    wait_for(lambda: [len(mails_to(tmp_path, "ny@norrkoping.se"))], 1)
    [welcome] = mails_to(tmp_path, "ny@norrkoping.se")
    confirm_page = re.search(r"https?://\S+/api/v1/auth/sign-ups/\S+", text_of(welcome)).group(0)
    assert requests.get(confirm_page, timeout=5).status_code == 200
    page, _, language = confirm_page.partition("?")  # the page in the language signed up in
    assert requests.post(f"{page}/confirm?{language}", timeout=5).status_code == 201
    token = requests.post(
        f"{base}/api/v1/auth/tokens", json={"email": "ny@norrkoping.se", "password": "ett långt lösenord"}, timeout=5
    ).json()["token"]
    organiser = {"Authorization": f"Bearer {token}"}
    organisation = requests.post(
        f"{base}/api/v1/organisations",
        json={"name": "Norrköpings kommun", "kind": "municipality", "country": "SE", "region": "Östergötland"},
        headers=organiser,
        timeout=5,
    ).json()
    starts = datetime.fromisoformat(current["starts_at"]) + timedelta(hours=2)
    webcast = {
        "organisation_id": organisation["id"],
        "title": "Webbsändning: Unga som medskapare i stadsplaneringen",
        "summary": "Så involverade vi unga i Norrköpings nya översiktsplan.",
        "format": "webcast",
        "attendance_mode": "online",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "online_url": "https://www.norrkoping.se/innovationsveckan/live",
        "languages": ["sv"],
        "themes": ["involve"],
    }
    draft = requests.post(f"{base}/api/v1/editions/{current['slug']}/activities", json=webcast, headers=organiser, timeout=5)
    assert draft.status_code == 201, draft.text
    activity_id = draft.json()["id"]
    assert requests.post(f"{base}/api/v1/activities/{activity_id}/submit", headers=organiser, timeout=5).status_code == 200
    in_review = wait_for_status(base, organiser, activity_id, {"in_review"})
    assert in_review["findings"], "the link check reports the (unreachable here) stream link"

    coordinator_token = requests.post(
        f"{base}/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": "demo-password"}, timeout=5
    ).json()["token"]
    coordinator = {"Authorization": f"Bearer {coordinator_token}"}
    queue = requests.get(f"{base}/api/v1/editions/{current['slug']}/review-queue", headers=coordinator, timeout=5).json()
    assert activity_id in [item["activity_id"] for item in queue["items"]]
    decision = requests.post(
        f"{base}/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=coordinator, timeout=5
    )
    assert decision.json()["status"] == "published"

    blocked = requests.post(
        f"{base}/api/v1/editions/{current['slug']}/activities",
        json={**webcast, "title": "Studiebesök utan adress", "format": "study_visit", "attendance_mode": "in_person", "online_url": None},
        headers=organiser,
        timeout=5,
    ).json()
    requests.post(f"{base}/api/v1/activities/{blocked['id']}/submit", headers=organiser, timeout=5)
    returned = wait_for_status(base, organiser, blocked["id"], {"changes_requested"})
    assert "missing_venue" in [finding["code"] for finding in returned["findings"]]


def test_an_approved_activity_reaches_the_programme_feeds_and_a_webhook_receiver(serve, tmp_path):
    """Issue 4, as a partner would see it against `make run` (webhooks to loopback allowed)."""
    import json
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    from standardwebhooks import Webhook

    received: list[tuple[bytes, dict[str, str]]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append((self.rfile.read(int(self.headers["Content-Length"])), dict(self.headers)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        base, process = serve(IW_OUTBOUND_ALLOW_PRIVATE="true")
        wait_for_worker(base, process)
        admin = _bearer(base, "admin@example.org")
        key = requests.post(f"{base}/api/v1/partners", json={"name": "Kommunportalen", "contact_email": "dev@portal.se"}, headers=admin, timeout=5).json()["api_key"]
        partner = {"Authorization": f"Bearer {key}"}
        hook = requests.post(
            f"{base}/api/v1/webhooks",
            json={"url": f"http://127.0.0.1:{receiver.server_address[1]}/hook", "events": ["activity.published", "activity.cancelled"]},
            headers=partner,
            timeout=5,
        ).json()
        coordinator = _bearer(base, "coordinator@example.org")
        slug = "innovationsveckan-2019"
        queue = requests.get(f"{base}/api/v1/editions/{slug}/review-queue", headers=coordinator, timeout=5).json()["items"]
        activity_id = queue[0]["activity_id"]
        requests.post(f"{base}/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=coordinator, timeout=5)

        programme = wait_for(lambda: _ids(requests.get(f"{base}/api/v1/editions/{slug}/programme?limit=200", timeout=5)), activity_id)
        assert activity_id in programme
        feed = requests.get(f"{base}/api/v1/editions/{slug}/feed?afterChangeNumber=0", timeout=5).json()
        assert activity_id in [item["id"] for item in feed["items"]]
        assert f"activity-{activity_id}@innovationsweek" in requests.get(f"{base}/api/v1/editions/{slug}/programme.ics", timeout=5).text
        assert f"/api/v1/programme/activities/{activity_id}" in requests.get(f"{base}/api/v1/editions/{slug}/programme.atom", timeout=5).text
        first = requests.get(f"{base}/api/v1/editions/{slug}/programme", timeout=5)
        assert requests.get(f"{base}/api/v1/editions/{slug}/programme", headers={"If-None-Match": first.headers["ETag"]}, timeout=5).status_code == 304

        wait_for(lambda: [json.loads(body)["type"] for body, _ in received], "activity.published")
        body, headers = received[0]
        Webhook(hook["secret"]).verify(body, {k.lower(): v for k, v in headers.items()})  # raises if forged
        assert json.loads(body)["data"]["activity_id"] == activity_id
    finally:
        receiver.shutdown()
        receiver.server_close()


def _bearer(base: str, email: str) -> dict[str, str]:
    token = requests.post(f"{base}/api/v1/auth/tokens", json={"email": email, "password": "demo-password"}, timeout=5).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _ids(response: requests.Response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def wait_for(read, wanted, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = read()
        if wanted in value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{wanted!r} did not appear in time")


def test_a_person_registers_with_consent_and_a_cancellation_promotes_the_waitlist(serve, tmp_path):
    """Issue 5 against `make run`: mails land in instance/mail as .eml files."""
    import csv
    import io

    base, process = serve()
    wait_for_worker(base, process)
    current = next(e["slug"] for e in requests.get(f"{base}/api/v1/editions", timeout=5).json()["items"] if e["slug"] != "innovationsveckan-2019")
    items = requests.get(f"{base}/api/v1/editions/{current}/programme?limit=200", timeout=5).json()["items"]
    visit = next(item for item in items if item["registration"]["mode"] == "internal")
    url = f"{base}/api/v1/programme/activities/{visit['id']}/registrations"
    person = {"workplace": "Norrköpings kommun", "position": "Utvecklingsledare", "photo_consent": False, "consent": True}

    assert requests.post(url, json={**person, "name": "Utan Samtycke", "email": "no@example.se", "consent": False}, timeout=5).status_code == 422
    answers = [
        requests.post(url, json={**person, "name": name, "email": f"{name.split()[0].lower()}@example.se"}, timeout=5).json()
        for name in ("Anna Andersson", "Bertil Berg", "Cecilia Ceder")
    ]
    assert [a["status"] for a in answers] == ["confirmed", "confirmed", "waitlisted"]

    wait_for(lambda: [len(mails_to(tmp_path, "anna@example.se"))], 1)
    [confirmation] = mails_to(tmp_path, "anna@example.se")
    assert any(part.get_content_type() == "text/calendar" for part in confirmation.walk())
    cancel_link = re.search(r"https?://\S+/registrations/\S+", text_of(confirmation)).group(0)
    assert cancel_link.startswith(f"{base}/registrations/"), "mail links point at the address serve listens on"
    page = requests.get(cancel_link, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    token = cancel_link.split("/registrations/")[1].split("?")[0]
    assert requests.delete(f"{base}/api/v1/registrations/{token}", timeout=5).status_code == 204

    organiser = _bearer(base, "organiser@example.org")
    exported = requests.get(f"{base}/api/v1/activities/{visit['id']}/registrations?format=csv", headers=organiser, timeout=5)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert sorted(row[1] for row in rows[1:]) == ["anna@example.se", "bertil@example.se", "cecilia@example.se"]
    listed = requests.get(f"{base}/api/v1/activities/{visit['id']}/registrations", headers=organiser, timeout=5).json()
    status_of = {item["email"]: item["status"] for item in listed["items"]}
    assert status_of == {"anna@example.se": "cancelled", "bertil@example.se": "confirmed", "cecilia@example.se": "confirmed"}
    wait_for(lambda: [len(mails_to(tmp_path, "cecilia@example.se"))], 2)  # waitlisted, then promoted


def assert_no_versions(server: str) -> None:
    assert server and not re.search(r"\d", server), f"the Server header names a version: {server!r}"
    assert "Python" not in server and "Werkzeug" not in server


def test_make_run_reads_a_search_typed_without_percent_escapes(serve):
    """curl sends "?q=välfärd" as raw UTF-8, not escaped: it finds what the escaped form finds."""
    base, process = serve()
    wait_for_worker(base, process)
    path = "/api/v1/editions/innovationsveckan-2019/programme?q="
    escaped = requests.get(f"{base}{path}v%C3%A4lf%C3%A4rd", timeout=5).json()
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(f"GET {path}välfärd HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b"".join(iter(lambda: connection.recv(65536), b""))
    raw = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert escaped["total"] >= 1 and raw == escaped


def test_the_server_header_of_make_run_names_no_versions(serve):
    base, process = serve()
    wait_for_worker(base, process)
    for path in ("/health", "/api/v1/editions", "/nowhere"):
        assert_no_versions(requests.get(f"{base}{path}", timeout=5).headers.get("Server", ""))


def test_the_server_header_of_gunicorn_names_no_versions(runtime, settings, tmp_path):
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "IW_SECRET_KEY": "a-secret-for-this-test-only",
        "IW_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "IW_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"]
    process = subprocess.Popen(gunicorn, env=environment, cwd=Path(__file__).parents[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_for_answer(f"http://127.0.0.1:{port}/health", process)
        assert health.status_code == 200, health.text
        assert_no_versions(health.headers.get("Server", ""))
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=15)

