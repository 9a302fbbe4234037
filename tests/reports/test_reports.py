"""Reports after an activity: its organisers report attendance, link the material and say how to
reuse it. The material is checked like an activity and reviewed by a coordinator before the
public programme shows it; the approved material stays public while a change is reviewed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import Queue

from innovationsweek import runtime as runtimes
from innovationsweek.db import utcnow
from innovationsweek.reports.models import ReportRevision
from innovationsweek.runtime import Runtime
from tests.conftest import problem_of, run_jobs
from tests.reminders.conftest import (
    local_day_at,
    mails,
    only,
    published,
    run,
    set_times_of_approved_version,
    week,  # noqa: F401 (fixture)
)

REPORT = "/api/v1/activities/{}/report"
QUEUE = "/api/v1/editions/test-week/review-queue/reports"
HOW_TO_REUSE = "<p>Börja med en kommun och en verksamhet; mallarna finns i bilderna.</p>"


def slides(week) -> dict[str, str]:
    return {"title": "Bilder (PDF)", "url": f"{week.link_server}/ok/bilder.pdf"}


def recording(week) -> dict[str, str]:
    return {"title": "Inspelning", "url": f"{week.link_server}/ok/inspelning"}


def taken_place(client, runtime, week) -> int:
    """A published activity that took place yesterday."""
    activity_id = published(client, runtime, week)
    yesterday = utcnow() - timedelta(days=1)
    set_times_of_approved_version(runtime, activity_id, yesterday, yesterday + timedelta(hours=1))
    return activity_id


def report(client, week, activity_id, **body):
    response = client.put(REPORT.format(activity_id), json=body, headers=week.organiser)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def decide(client, week, activity_id, decision, **extra):
    return client.post(f"{REPORT.format(activity_id)}/review", json={"decision": decision, **extra}, headers=week.coordinator)


def public_material(client, activity_id):
    return client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["material"]


def feed_material(client, activity_id) -> list:
    items = client.get("/api/v1/editions/test-week/feed?afterChangeNumber=0").get_json()["items"]
    return [item["data"]["material"] for item in items if item["id"] == activity_id]


def queue(client, week, query: str = "") -> list[dict]:
    response = client.get(f"{QUEUE}?{query}", headers=week.coordinator)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


@contextmanager
def strict_link_checks(settings) -> Iterator[None]:
    """The workers check links as a production installation does: loopback and private networks
    are refused (the tests' own link server included)."""
    relaxed = runtimes.current()
    strict = Runtime(dataclasses.replace(settings, outbound_allow_private=False))
    runtimes.install(strict)
    try:
        yield
    finally:
        runtimes.install(relaxed)
        strict.close()


def test_material_is_public_only_once_a_coordinator_approves_it(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    assert client.get(REPORT.format(activity_id), headers=week.organiser).get_json()["submitted_at"] is None
    body = {"participants_in_person": 42, "participants_online": 310, "links": [slides(week), recording(week)], "how_to_reuse": HOW_TO_REUSE}

    saved = report(client, week, activity_id, **body)
    run_jobs(runtime)

    assert {key: saved[key] for key in body} == body
    assert saved["revision"]["state"] == "checking" and saved["approved_revision"] is None
    assert public_material(client, activity_id) is None
    [item] = queue(client, week)
    assert (item["activity_id"], item["links"], item["how_to_reuse"], item["findings"]) == (
        activity_id, [slides(week), recording(week)], HOW_TO_REUSE, []
    )

    approved = decide(client, week, activity_id, "approve", comment="Tack!")
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["approved_revision"] == 1
    run_jobs(runtime)  # the re-publication the approval scheduled

    material = {"links": [slides(week), recording(week)], "how_to_reuse": HOW_TO_REUSE}
    assert public_material(client, activity_id) == material
    assert feed_material(client, activity_id) == [material]
    public = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert "participants" not in str(public)  # attendance is for the organisers and coordinators
    assert queue(client, week) == []
    assert ("olga@linkoping.se", "Rapporten godkänd: Webbsändning: Så sprider vi välfärdsteknik") in [
        (mail.to_address, mail.subject) for mail in mails(runtime)
    ]


def test_a_report_with_a_spam_link_and_a_private_address_is_sent_back_and_stays_off_the_programme(
    client, runtime, week, settings
):
    activity_id = taken_place(client, runtime, week)
    spam = {"title": "CASINO BONUS FREE SPINS!!!", "url": "https://casino.invalid/bonus"}
    private = {"title": "Bilder", "url": "http://localhost/bilder.pdf"}  # resolves to loopback

    report(client, week, activity_id, links=[spam, private], how_to_reuse="<p>Win big with bitcoin</p>")
    with strict_link_checks(settings):
        run_jobs(runtime)

    assert public_material(client, activity_id) is None
    assert feed_material(client, activity_id) == [None]
    assert queue(client, week) == []  # nothing for a coordinator to decide: back to the organisers
    [item] = queue(client, week, "state=changes_requested")
    findings = {(f["code"], f["severity"], f["field"]) for f in item["findings"]}
    assert ("link_refused_private_address", "block", "links.1.url") in findings
    assert ("spam_signals", "warn", None) in findings
    assert [item["activity_id"] for item in queue(client, week, "state=changes_requested&finding=spam_signals")] == [activity_id]
    saved = client.get(REPORT.format(activity_id), headers=week.organiser).get_json()
    assert saved["revision"]["state"] == "changes_requested"
    [mail] = [mail for mail in mails(runtime, to="olga@linkoping.se") if mail.subject.startswith("Rapporten")]
    assert mail.subject == "Rapporten behöver ändras: Webbsändning: Så sprider vi välfärdsteknik"
    assert "127.0.0.1" in mail.text or "localhost" in mail.text


def test_spam_signals_in_the_material_wait_for_a_coordinator(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[{"title": "Crypto giveaway", "url": f"{week.link_server}/ok/lottery"}])
    run_jobs(runtime)

    [item] = queue(client, week, "finding=spam_signals")
    assert item["activity_id"] == activity_id
    assert [(f["code"], f["severity"]) for f in item["findings"]] == [("spam_signals", "warn")]
    assert public_material(client, activity_id) is None


def test_an_edit_of_approved_material_is_reviewed_while_the_approved_material_stays_public(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)
    decide(client, week, activity_id, "approve")
    run_jobs(runtime)
    first = {"links": [slides(week)], "how_to_reuse": None}

    edited = report(client, week, activity_id, links=[slides(week), recording(week)], how_to_reuse=HOW_TO_REUSE)
    run_jobs(runtime)

    assert (edited["revision"]["number"], edited["approved_revision"]) == (2, 1)
    assert public_material(client, activity_id) == first
    assert feed_material(client, activity_id) == [first]
    [item] = queue(client, week)
    assert (item["revision"], item["replaces_approved"]) == (2, True)

    rejected = decide(client, week, activity_id, "reject", comment="Inspelningen saknar textning.")
    assert rejected.get_json()["revision"]["state"] == "rejected"
    run_jobs(runtime)
    assert public_material(client, activity_id) == first

    report(client, week, activity_id, links=[slides(week), recording(week)], how_to_reuse=HOW_TO_REUSE)
    run_jobs(runtime)
    decide(client, week, activity_id, "approve")
    run_jobs(runtime)
    second = {"links": [slides(week), recording(week)], "how_to_reuse": HOW_TO_REUSE}
    assert public_material(client, activity_id) == second
    assert feed_material(client, activity_id) == [second]


def test_an_edit_while_in_review_replaces_the_version_under_review(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)
    report(client, week, activity_id, links=[recording(week)])
    run_jobs(runtime)

    [item] = queue(client, week)
    assert (item["revision"], item["links"]) == (2, [recording(week)])
    assert [item["revision"] for item in queue(client, week, "state=superseded")] == [1]


def test_attendance_alone_goes_to_nobody_and_taking_material_down_needs_no_review(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, participants_in_person=10)
    run_jobs(runtime)
    assert queue(client, week) == []

    report(client, week, activity_id, participants_in_person=10, links=[slides(week)])
    run_jobs(runtime)
    decide(client, week, activity_id, "approve")
    run_jobs(runtime)
    assert public_material(client, activity_id) == {"links": [slides(week)], "how_to_reuse": None}

    saved = report(client, week, activity_id, participants_in_person=12, links=[])
    run_jobs(runtime)
    assert (saved["participants_in_person"], saved["participants_online"], saved["links"]) == (12, None, [])
    assert saved["approved_revision"] is None
    assert public_material(client, activity_id) is None
    assert queue(client, week) == []


def test_html_in_the_how_to_reuse_text_is_sanitised_and_noted(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    saved = report(client, week, activity_id, how_to_reuse='<p onclick="steal()">Fråga oss</p><script>alert(1)</script>')
    run_jobs(runtime)

    assert saved["how_to_reuse"] == "<p>Fråga oss</p>"
    [item] = queue(client, week)
    assert [(f["code"], f["severity"], f["field"]) for f in item["findings"]] == [("unsafe_html_removed", "info", "how_to_reuse")]


def test_the_check_job_run_twice_records_and_tells_once(client, runtime, week, settings):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[slides(week)])
    with strict_link_checks(settings):
        run_jobs(runtime)
    with runtime.database.sessions() as session:
        revision_id = session.scalar(sa.select(ReportRevision.id))
    before = (queue(client, week, "state=changes_requested"), len(mails(runtime)))

    Queue("moderation", connection=runtime.redis).enqueue("innovationsweek.jobs.moderation.check_report_revision", revision_id)
    with strict_link_checks(settings):
        run_jobs(runtime)

    assert (queue(client, week, "state=changes_requested"), len(mails(runtime))) == before
    log = client.get(f"/api/v1/editions/test-week/audit-log?activity_id={activity_id}", headers=week.coordinator)
    assert [entry["action"] for entry in log.get_json()["items"]].count("report_checks_blocked") == 1


def test_the_decision_is_written_to_the_audit_log(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)
    decide(client, week, activity_id, "request_changes", comment="Lägg till inspelningen.")

    log = client.get(f"/api/v1/editions/test-week/audit-log?activity_id={activity_id}", headers=week.coordinator)
    entries = [(e["action"], e["actor"], e["detail"].get("comment")) for e in log.get_json()["items"]]
    assert entries[-3:] == [
        ("report_saved", "Olga", None),
        ("report_checks_passed", "automated checks", None),
        ("report_request_changes", "Marianne", "Lägg till inspelningen."),
    ]


def test_an_activity_without_a_report_shows_no_material(client, runtime, week):
    activity_id = published(client, runtime, week)
    assert public_material(client, activity_id) is None


def test_only_the_host_organisations_members_report_and_only_coordinators_decide(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    coordinator = client.put(REPORT.format(activity_id), json={"links": [slides(week)]}, headers=week.coordinator)
    assert coordinator.status_code == 403  # sees the activity, does not report on it
    outsider = client.put(REPORT.format(activity_id), json={"links": [slides(week)]}, headers=week.outsider)
    assert outsider.status_code == 404  # may not see the activity at all
    assert client.get(REPORT.format(activity_id), headers=week.outsider).status_code == 404
    assert client.get(REPORT.format(activity_id)).status_code == 401
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)
    assert client.get(QUEUE, headers=week.organiser).status_code == 403
    response = client.post(f"{REPORT.format(activity_id)}/review", json={"decision": "approve"}, headers=week.organiser)
    assert response.status_code == 403
    assert public_material(client, activity_id) is None


def test_a_report_waits_until_the_activity_has_started(client, runtime, week):
    activity_id = published(client, runtime, week)
    response = client.put(REPORT.format(activity_id), json={"participants_in_person": 3}, headers=week.organiser)
    assert response.status_code == 409
    assert "started" in problem_of(response)["detail"]


def test_a_cancelled_activity_has_no_report(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Inställt."}, headers=week.organiser)
    assert client.put(REPORT.format(activity_id), json={"participants_in_person": 3}, headers=week.organiser).status_code == 409


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"links": [{"title": "Intern", "url": "http://10.0.0.1/slides"}]}, "/links/0/url"),
        ({"links": [{"title": "Bilder", "url": "https://example.org/b.pdf"}, {"title": "Metadata", "url": "http://169.254.169.254/latest"}]}, "/links/1/url"),
        ({"links": [{"title": "Fil", "url": "ftp://example.org/slides.pdf"}]}, "/links/0/url"),
        ({"links": [{"title": "Inloggad", "url": "https://user:secret@example.org/"}]}, "/links/0/url"),
        ({"links": [{"url": "https://example.org/"}]}, "/links/0/title"),
        ({"links": [{"title": "   ", "url": "https://example.org/"}]}, "/links/0/title"),
        ({"links": [{"title": "Bilder", "url": "https://example.org/b.pdf"}] * 21}, "/links"),
        ({"how_to_reuse": "x" * 5001}, "/how_to_reuse"),
        ({"how_to_reuse": ["not", "text"]}, "/how_to_reuse"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(client, runtime, week, body, pointer):
    activity_id = taken_place(client, runtime, week)
    response = client.put(REPORT.format(activity_id), json=body, headers=week.organiser)
    assert response.status_code == 422, response.get_json()
    assert pointer in [error["pointer"] for error in problem_of(response)["errors"]]
    assert client.get(REPORT.format(activity_id), headers=week.organiser).get_json()["submitted_at"] is None
    assert queue(client, week, "state=checking") == []


def test_bad_decisions_and_queries_are_refused(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    never_reported = decide(client, week, activity_id, "approve")
    assert never_reported.status_code == 404 and problem_of(never_reported)
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)

    unknown = decide(client, week, activity_id, "maybe")
    assert unknown.status_code == 422 and "/decision" in [e["pointer"] for e in problem_of(unknown)["errors"]]
    without_reason = decide(client, week, activity_id, "reject")
    assert without_reason.status_code == 422 and problem_of(without_reason)["errors"][0]["pointer"] == "/comment"
    bad_state = client.get(f"{QUEUE}?state=pending", headers=week.coordinator)
    assert bad_state.status_code == 422 and "state" in [e["parameter"] for e in problem_of(bad_state)["errors"]]
    assert client.get(f"{QUEUE}?limit=1000", headers=week.coordinator).status_code == 422
    assert decide(client, week, activity_id, "approve").status_code == 200
    again = decide(client, week, activity_id, "approve")
    assert again.status_code == 409 and problem_of(again)["state"] == "approved"
    assert client.get("/api/v1/editions/no-such-week/review-queue/reports", headers=week.coordinator).status_code == 404


def test_negative_attendance_is_refused(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    response = client.put(REPORT.format(activity_id), json={"participants_in_person": -1}, headers=week.organiser)
    assert response.status_code == 422


def test_once_reported_no_report_request_goes_out(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    client.put(REPORT.format(activity_id), json={"participants_in_person": 12}, headers=week.organiser)
    run(runtime, utcnow())  # plans the request: today, the day after the activity
    request = only(runtime, "post_event", activity_id)

    run(runtime, max(request.due_at, utcnow()))

    request = only(runtime, "post_event", activity_id)
    assert (request.sent_at, request.cancel_reason) == (None, "report_submitted")


def test_the_coordinators_daily_digest_counts_report_material_waiting(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    report(client, week, activity_id, links=[slides(week)])
    run_jobs(runtime)

    digest_time = local_day_at(utcnow(), 1, hour=8)
    run(runtime, digest_time)
    run(runtime, digest_time + timedelta(hours=1))

    [digest] = mails(runtime, to="marianne@skl.se")
    assert digest.subject == "Granskningskön: 1 väntar (Testveckan)"
    assert "Rapporters material: 1 rapport väntar på beslut." in digest.text
