"""Coordinators work the review queue: decisions, bulk decisions, the fast lane, the audit log,
and the checks' own failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import Callback, Queue
from rq.job import JobStatus

from innovationsweek.activities.models import Revision
from innovationsweek.db import utcnow
from innovationsweek.jobs.moderation import release_stuck_checks
from innovationsweek.moderation import checks
from innovationsweek.moderation import service as moderation
from innovationsweek.organisations.models import Organisation
from innovationsweek.outbox import OutboxMessage, relay
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.conftest import problem_of, run_jobs

ACTIVITIES = "/api/v1/editions/test-week/activities"
QUEUE = "/api/v1/editions/test-week/review-queue"


def submitted(client, runtime, week, body=None, checks_run=True) -> int:
    activity_id = client.post(ACTIVITIES, json=body or week.webcast(), headers=week.organiser).get_json()["id"]
    response = client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    assert response.status_code == 200, response.get_json()
    if checks_run:
        run_jobs(runtime)
    return activity_id


def decide(client, week, activity_id, decision, **extra):
    return client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": decision, **extra}, headers=week.coordinator)


def emails(runtime) -> list[tuple[str, str]]:
    with runtime.database.sessions() as session:
        return [tuple(row) for row in session.execute(sa.text("SELECT to_address, subject FROM emails ORDER BY id"))]


def test_the_queue_lists_what_awaits_review_and_a_coordinator_approves(client, runtime, week):
    activity_id = submitted(client, runtime, week)
    queue = client.get(QUEUE, headers=week.coordinator).get_json()
    assert [item["activity_id"] for item in queue["items"]] == [activity_id]
    assert queue["items"][0]["organisation"]["name"] == "Linköpings kommun"
    response = decide(client, week, activity_id, "approve", comment="Välkommen!")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "published"
    assert response.get_json()["approved_revision"] == 1
    assert client.get(QUEUE, headers=week.coordinator).get_json()["items"] == []
    run_jobs(runtime)
    assert ("olga@linkoping.se", "Godkänd: Webbsändning: Så sprider vi välfärdsteknik") in emails(runtime)


def test_organisers_and_partners_may_not_see_the_queue_or_decide(client, runtime, week):
    activity_id = submitted(client, runtime, week)
    assert client.get(QUEUE, headers=week.organiser).status_code == 403
    response = client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.organiser)
    assert response.status_code == 403
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["status"] == "in_review"


def test_requesting_changes_needs_a_reason_and_tells_the_organisers(client, runtime, week):
    activity_id = submitted(client, runtime, week)
    refused = decide(client, week, activity_id, "request_changes")
    assert refused.status_code == 422
    assert problem_of(refused)["errors"][0]["pointer"] == "/comment"
    response = decide(client, week, activity_id, "request_changes", comment="Lägg till vem som talar.")
    assert response.get_json()["status"] == "changes_requested"
    assert response.get_json()["revision"]["decision_comment"] == "Lägg till vem som talar."
    run_jobs(runtime)
    subjects = {subject for _, subject in emails(runtime)}
    assert any(subject.startswith("Ändringar behövs") for subject in subjects)


def test_preset_reasons_of_the_edition_can_be_chosen(client, runtime, week):
    settings = client.patch(
        "/api/v1/editions/test-week/moderation-settings",
        json={"reasons": [{"key": "off_theme", "text": {"sv": "Hör inte till temat.", "en": "Off theme."}}]},
        headers=week.coordinator,
    )
    assert settings.status_code == 200, settings.get_json()
    activity_id = submitted(client, runtime, week)
    assert decide(client, week, activity_id, "reject", reason="no_such_reason").status_code == 422
    response = decide(client, week, activity_id, "reject", reason="off_theme")
    assert response.get_json()["status"] == "rejected"
    assert response.get_json()["revision"]["decision_comment"] == "Hör inte till temat."


def test_deciding_on_something_not_in_review_is_409_naming_what_is_allowed(client, runtime, week):
    draft = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    assert decide(client, week, draft, "approve").status_code == 404  # never submitted
    activity_id = submitted(client, runtime, week)
    decide(client, week, activity_id, "approve")
    again = decide(client, week, activity_id, "approve")
    assert again.status_code == 409
    assert problem_of(again)["state"] == "approved"


def test_bulk_decisions_report_per_activity(client, runtime, week):
    first = submitted(client, runtime, week)
    second = submitted(client, runtime, week, week.webcast(title="Något helt annat", starts_at=week.at(2, 9), ends_at=week.at(2, 10)))
    draft = client.post(ACTIVITIES, json=week.webcast(title="Utkast"), headers=week.organiser).get_json()["id"]
    response = client.post(
        f"{QUEUE}/decisions", json={"activity_ids": [first, second, draft, 999_999], "decision": "approve"}, headers=week.coordinator
    )
    assert response.status_code == 200, response.get_json()
    results = {r["id"]: r for r in response.get_json()["results"]}
    assert results[first]["ok"] and results[first]["status"] == "published"
    assert results[second]["ok"]
    assert results[draft] == {"id": draft, "ok": False, "status": None, "error": results[draft]["error"]}
    assert results[draft]["error"]["status"] == 404
    assert results[999_999]["error"]["status"] == 404


def test_an_edit_of_a_published_activity_is_reviewed_while_the_approved_version_stays(client, runtime, week):
    activity_id = submitted(client, runtime, week)
    approved = decide(client, week, activity_id, "approve")
    edited = client.patch(
        f"/api/v1/activities/{activity_id}",
        json={"title": "Ny tid och ny titel"},
        headers={**week.organiser, "If-Match": approved.headers["ETag"]},
    )
    assert edited.get_json()["status"] == "published"
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    item = client.get(QUEUE, headers=week.coordinator).get_json()["items"][0]
    assert item["edit_of_published"] is True and item["revision"] == 2
    rejected = decide(client, week, activity_id, "reject", comment="Behåll den gamla titeln.")
    assert rejected.get_json()["status"] == "published"
    assert rejected.get_json()["approved_revision"] == 1


def test_withdrawing_and_cancelling_a_published_activity(client, runtime, week):
    cancelled_id = submitted(client, runtime, week)
    decide(client, week, cancelled_id, "approve")
    assert client.post(f"/api/v1/activities/{cancelled_id}/cancel", json={}, headers=week.organiser).status_code == 422
    cancelled = client.post(f"/api/v1/activities/{cancelled_id}/cancel", json={"reason": "Talaren är sjuk."}, headers=week.organiser)
    assert cancelled.get_json()["status"] == "cancelled"
    assert cancelled.get_json()["cancellation_reason"] == "Talaren är sjuk."
    withdrawn_id = submitted(client, runtime, week, week.webcast(title="Annat", starts_at=week.at(3, 9), ends_at=week.at(3, 10)))
    decide(client, week, withdrawn_id, "approve")
    assert client.post(f"/api/v1/activities/{withdrawn_id}/withdraw", headers=week.organiser).get_json()["status"] == "withdrawn"


def test_the_fast_lane_approves_trusted_organisations_without_findings(client, runtime, week):
    client.patch(
        "/api/v1/editions/test-week/moderation-settings",
        json={"fast_lane": True, "trusted_organisation_ids": [week.organisation_id]},
        headers=week.coordinator,
    )
    clean = submitted(client, runtime, week)
    flagged = submitted(client, runtime, week, week.webcast(title="Utan sammanfattning", summary="", starts_at=week.at(2, 9), ends_at=week.at(2, 10)))
    assert client.get(f"/api/v1/activities/{clean}", headers=week.organiser).get_json()["status"] == "published"
    assert client.get(f"/api/v1/activities/{flagged}", headers=week.organiser).get_json()["status"] == "in_review"


def test_the_queue_filters(client, runtime, week):
    webcast = submitted(client, runtime, week)
    duplicate = submitted(client, runtime, week, week.webcast(title="Webbsändning: Så sprider vi välfärdsteknik!"))
    visit = submitted(client, runtime, week, week.study_visit(starts_at=week.at(2, 9), ends_at=week.at(2, 11)))

    def ids(query: str) -> list[int]:
        response = client.get(f"{QUEUE}?{query}", headers=week.coordinator)
        assert response.status_code == 200, response.get_json()
        return [item["activity_id"] for item in response.get_json()["items"]]

    assert ids("format=study_visit") == [visit]
    assert ids("finding=likely_duplicate") == [duplicate]
    assert ids("region=Östergötland") == [webcast, duplicate, visit]
    assert ids("organisation_kind=region") == []
    assert ids("submitted_after=2000-01-01T00:00:00Z&limit=1") == [webcast]
    assert client.get(f"{QUEUE}?format=party", headers=week.coordinator).status_code == 422
    assert client.get(f"{QUEUE}?limit=1000", headers=week.coordinator).status_code == 422
    assert client.get(f"{QUEUE}?submitted_after=yesterday", headers=week.coordinator).status_code == 422


def test_the_audit_log_says_who_did_what(client, runtime, week):
    activity_id = submitted(client, runtime, week)
    decide(client, week, activity_id, "approve")
    log = client.get(f"/api/v1/editions/test-week/audit-log?activity_id={activity_id}", headers=week.coordinator)
    entries = [(e["action"], e["actor"]) for e in log.get_json()["items"]]
    assert entries == [
        ("created", "Olga"),
        ("submit", "Olga"),
        ("checks_passed", "automated checks"),
        ("approve", "Marianne"),
    ]
    assert client.get("/api/v1/editions/test-week/audit-log", headers=week.organiser).status_code == 403


def test_a_crashing_check_is_retried_with_backoff(client, runtime, week, monkeypatch):
    monkeypatch.setattr(checks, "check_spam", _crash)
    activity_id = submitted(client, runtime, week)
    with runtime.database.sessions() as session:
        job_id = session.scalar(sa.select(OutboxMessage)).job_id
    job = Queue("moderation", connection=runtime.redis).fetch_job(job_id)
    assert job.get_status() == JobStatus.SCHEDULED  # the first retry waits 10 s
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["status"] == "submitted"


def test_checks_that_finally_fail_leave_the_activity_in_review_with_check_failed(client, runtime, week, monkeypatch):
    monkeypatch.setattr(checks, "check_spam", _crash)
    activity_id = submitted(client, runtime, week, checks_run=False)
    with runtime.database.sessions() as session:
        revision_id = session.scalar(sa.select(Revision.id))
    Queue("moderation", connection=runtime.redis).enqueue(
        "innovationsweek.jobs.moderation.check_revision",
        revision_id,
        on_failure=Callback("innovationsweek.jobs.moderation.check_revision_failed"),
    )
    run_jobs(runtime)
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "in_review"
    assert [(f["code"], f["severity"]) for f in body["findings"]] == [("check_failed", "warn")]


def test_checks_that_never_finish_are_handed_to_the_coordinators(client, runtime, week):
    activity_id = submitted(client, runtime, week, checks_run=False)
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(Revision).values(submitted_at=utcnow() - timedelta(hours=1)))
    assert release_stuck_checks() == 1
    assert release_stuck_checks() == 0
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "in_review"
    assert body["findings"][0]["code"] == "check_failed"
    run_jobs(runtime)  # the late check job finds nothing to do
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["findings"][0]["code"] == "check_failed"


def test_redis_down_at_submit_loses_nothing(client, runtime, week, settings):
    from dataclasses import replace

    from innovationsweek.app import create_app
    from innovationsweek.runtime import Runtime

    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    broken = Runtime(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    try:
        response = create_app(runtime=broken).test_client().post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
        assert response.status_code == 200
        with runtime.database.sessions() as session:
            assert session.scalar(sa.select(OutboxMessage.enqueued_at)) is None
    finally:
        broken.close()
    create_app(runtime=runtime)
    assert relay(runtime.database.engine, runtime.redis) == 1
    run_jobs(runtime)
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["status"] == "in_review"


def _crash(content):
    raise RuntimeError("the spam filter fell over")


@pytest.fixture(autouse=True)
def _week(week):  # every test here needs the week
    return week


def test_the_changes_under_review_name_each_changed_field_and_not_a_moment_written_with_another_offset():
    approved = {"title": "Webbsändning", "summary": "Kort.", "starts_at": "2030-10-08T10:00:00+02:00", "venue": None}
    edit = {**approved, "title": "Webbsändning om tillit", "starts_at": "2030-10-08T08:00:00+00:00"}

    changes = moderation.content_changes(approved, edit)

    assert [(c.field, c.before, c.after) for c in changes] == [("title", "Webbsändning", "Webbsändning om tillit")]
    assert [c.field for c in moderation.content_changes(None, edit)] == list(moderation.REVIEWED_FIELDS)


def mails_to(runtime, address: str) -> list[tuple[str, str]]:
    with runtime.database.sessions() as session:
        query = sa.text("SELECT subject, text FROM emails WHERE to_address = :to ORDER BY id")
        return [tuple(row) for row in session.execute(query, {"to": address})]


@pytest.mark.parametrize(
    ("country", "subject", "words", "other_words"),
    [
        ("DK", "Ikke godkendt: ", ["Koordinatorerne for Testveckan har ikke godkendt »", "Passer ikke til temaet.", "Kommentar:", "Aktivitet "],
         ["Samordnarna", "Hör inte till temat.", "comment"]),
        ("SE", "Inte godkänd: ", ["Samordnarna för Testveckan har inte godkänt ”", "Hör inte till temat.", "Kommentar:", "Aktivitet "],
         ["Koordinatorerne", "Passer ikke", "comment"]),
    ],
)
def test_the_organisers_are_told_in_their_organisations_language_only(
    client, runtime, week, country, subject, words, other_words
):
    with runtime.database.unit_of_work() as session:
        session.get(Organisation, week.organisation_id).country = country
    reasons = [{"key": "off_theme", "text": {"sv": "Hör inte till temat.", "da": "Passer ikke til temaet.", "en": "Off theme."}}]
    client.patch("/api/v1/editions/test-week/moderation-settings", json={"reasons": reasons}, headers=week.coordinator)
    activity_id = submitted(client, runtime, week)

    response = decide(client, week, activity_id, "reject", reason="off_theme", comment="Se programmet.")
    run_jobs(runtime)

    [(sent_subject, text)] = mails_to(runtime, "olga@linkoping.se")
    assert sent_subject == subject + week.webcast()["title"]
    for expected in words:
        assert expected in text, expected
    for other in other_words:
        assert other not in text, other
    # What was recorded is what the organisers were told.
    assert response.get_json()["revision"]["decision_comment"] in text


def test_a_member_who_chose_danish_is_told_in_danish_and_the_others_in_their_organisations_language(client, runtime, week):
    from innovationsweek.accounts.models import User

    with runtime.database.unit_of_work() as session:
        session.scalars(sa.select(User).where(User.email == "olga@linkoping.se")).one().language = "da"
    activity_id = submitted(client, runtime, week)

    decide(client, week, activity_id, "reject", comment="Se programmet.")
    run_jobs(runtime)

    [(danish_subject, danish)] = mails_to(runtime, "olga@linkoping.se")
    [(swedish_subject, swedish)] = mails_to(runtime, "kim@linkoping.se")
    assert danish_subject == "Ikke godkendt: " + week.webcast()["title"]
    assert "Koordinatorerne for Testveckan har ikke godkendt »" in danish and "Samordnarna" not in danish
    assert swedish_subject == "Inte godkänd: " + week.webcast()["title"]
    assert "Samordnarna för Testveckan har inte godkänt ”" in swedish
