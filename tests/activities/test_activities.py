"""Organisers draft, edit, submit, withdraw and cancel activities over HTTP."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, Revision
from innovationsweek.outbox import OutboxMessage
from tests.conftest import count_rows, problem_of, run_jobs

ACTIVITIES = "/api/v1/editions/test-week/activities"


def create(client, week, body=None, headers=None):
    return client.post(ACTIVITIES, json=body or week.webcast(), headers=headers or week.organiser)


def pointers(response) -> set[str]:
    return {error.get("pointer") for error in problem_of(response)["errors"]}


def test_organiser_creates_a_draft_webcast(client, week):
    response = create(client, week)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft"
    assert body["organisation"]["name"] == "Linköpings kommun"
    assert body["edition"] == "test-week"
    assert body["online_url"].endswith("/ok/live")
    assert response.headers["ETag"] == '"v1"'
    assert set(body["allowed_actions"]) == {"edit", "submit", "withdraw"}


def test_a_member_of_another_organisation_cannot_create_for_it(client, week, runtime):
    response = create(client, week, headers=week.outsider)
    assert response.status_code == 403
    assert count_rows(runtime, "activities") == 0


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"ends_at": "2020-01-01T00:00:00+00:00"}, "/ends_at"),
        ({"starts_at": "2030-10-01T10:00:00"}, "/starts_at"),
        ({"themes": ["marketing"]}, "/themes"),
        ({"format": "party"}, "/format"),
        ({"description": "x" * 20_001}, "/description"),
        ({"online_url": "http://10.0.0.1/stream"}, "/online_url"),
        ({"online_url": "http://169.254.169.254/latest/meta-data"}, "/online_url"),
        ({"online_url": "ftp://example.org/file"}, "/online_url"),
        ({"registration": {"mode": "external"}}, "/registration/url"),
        ({"registration": {"mode": "internal"}}, "/registration/capacity"),
        ({"registration": {"mode": "none", "capacity": 10}}, "/registration/capacity"),
        ({"organisation_id": 999_999}, "/organisation_id"),
        ({"co_organiser_ids": [999_999]}, "/co_organiser_ids"),
        ({"surprise": True}, "/surprise"),
        ({"title": "   "}, "/title"),
        ({"audiences": ["everyone"]}, "/audiences/0"),
    ],
)
def test_bad_drafts_are_refused_naming_the_field_and_change_nothing(client, week, runtime, overrides, pointer):
    response = create(client, week, week.webcast(**overrides))
    assert response.status_code == 422, response.get_json()
    assert pointer in pointers(response)
    assert count_rows(runtime, "activities") == 0


def test_scripts_are_removed_from_descriptions_before_storage(client, week):
    body = week.webcast(description='<p onclick="steal()">Hej<script>alert(1)</script><iframe src="x"></iframe></p>')
    response = create(client, week, body)
    assert response.status_code == 201
    assert response.get_json()["description"] == "<p>Hej</p>"


def test_editing_needs_if_match_and_a_stale_one_is_refused(client, week):
    created = create(client, week)
    url = f"/api/v1/activities/{created.get_json()['id']}"
    assert client.patch(url, json={"title": "Ny titel"}, headers=week.organiser).status_code == 428
    stale = {**week.organiser, "If-Match": '"v0"'}
    response = client.patch(url, json={"title": "Ny titel"}, headers=stale)
    assert response.status_code == 412
    assert client.get(url, headers=week.organiser).get_json()["title"] == week.webcast()["title"]


def test_two_colleagues_never_silently_overwrite_each_other(client, week):
    created = create(client, week)
    url = f"/api/v1/activities/{created.get_json()['id']}"
    seen_by_olga = client.get(url, headers=week.organiser).headers["ETag"]
    seen_by_kim = client.get(url, headers=week.colleague).headers["ETag"]
    first = client.patch(url, json={"title": "Olgas titel"}, headers={**week.organiser, "If-Match": seen_by_olga})
    assert first.status_code == 200
    assert first.headers["ETag"] != seen_by_olga
    second = client.patch(url, json={"summary": "Kims sammanfattning"}, headers={**week.colleague, "If-Match": seen_by_kim})
    assert second.status_code == 412
    assert client.get(url, headers=week.colleague).get_json()["title"] == "Olgas titel"


def test_another_organisations_activity_is_not_found_to_a_non_member(client, week):
    created = create(client, week)
    activity_id = created.get_json()["id"]
    url = f"/api/v1/activities/{activity_id}"
    missing = client.get("/api/v1/activities/999999", headers=week.outsider)
    answers = [
        client.get(url, headers=week.outsider),
        client.patch(url, json={"title": "Kapad"}, headers={**week.outsider, "If-Match": created.headers["ETag"]}),
        client.delete(url, headers=week.outsider),
        *(client.post(f"{url}/{action}", headers=week.outsider) for action in ("submit", "withdraw")),
        client.post(f"{url}/cancel", json={"reason": "Kapad"}, headers=week.outsider),
        client.get(f"{url}/revisions", headers=week.outsider),
    ]

    for response in answers:  # answered as if there were no such activity: no oracle for drafts
        assert response.status_code == 404
        assert problem_of(response)["detail"] == f"No activity {activity_id}."
    assert problem_of(missing)["detail"] == "No activity 999999."
    assert client.get(url, headers=week.organiser).get_json()["title"] == week.webcast()["title"]


def test_a_coordinator_who_may_see_an_activity_may_still_not_edit_it(client, week):
    created = create(client, week)
    url = f"/api/v1/activities/{created.get_json()['id']}"

    assert client.get(url, headers=week.coordinator).status_code == 200
    response = client.patch(url, json={"title": "Ny"}, headers={**week.coordinator, "If-Match": created.headers["ETag"]})
    assert response.status_code == 403


def test_submitting_freezes_a_revision_and_records_the_check_job_in_the_outbox(client, week, runtime):
    created = create(client, week)
    response = client.post(f"/api/v1/activities/{created.get_json()['id']}/submit", headers=week.organiser)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "submitted"
    assert response.get_json()["revision"]["number"] == 1
    with runtime.database.sessions() as session:
        message = session.scalar(sa.select(OutboxMessage))
        assert message.job == "check_revision"
        assert message.enqueued_at is not None  # relayed to RQ right after the commit


def test_submitted_webcast_is_in_review_with_its_findings_after_the_checks(client, week, runtime):
    created = create(client, week, week.webcast(summary=""))
    activity_id = created.get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "in_review"
    assert [f["code"] for f in body["findings"]] == ["missing_summary"]


def test_an_in_person_activity_without_venue_comes_back_with_the_reason(client, week, runtime):
    created = create(client, week, week.study_visit(venue=None))
    activity_id = created.get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "changes_requested"
    assert {"code": "missing_venue", "severity": "block"}.items() <= body["findings"][0].items()
    with runtime.database.sessions() as session:
        mails = session.execute(sa.text("SELECT to_address, subject FROM emails ORDER BY to_address")).all()
    assert [m.to_address for m in mails] == ["kim@linkoping.se", "olga@linkoping.se"]
    assert all(m.subject.startswith("Ändringar behövs") for m in mails)


def test_dates_outside_the_week_are_a_finding_not_a_crash(client, week, runtime):
    body = week.webcast(starts_at="2020-01-01T10:00:00+01:00", ends_at="2020-01-01T11:00:00+01:00")
    activity_id = create(client, week, body).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "changes_requested"
    assert "outside_edition_week" in [f["code"] for f in body["findings"]]


def test_an_unreachable_link_is_a_warning_for_the_coordinator(client, week, runtime):
    activity_id = create(client, week, week.webcast(online_url=f"{week.link_server}/gone")).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    body = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()
    assert body["status"] == "in_review"
    assert [(f["code"], f["severity"]) for f in body["findings"]] == [("link_http_error", "warn")]


def test_editing_a_submitted_activity_takes_it_back_to_draft(client, week, runtime):
    created = create(client, week)
    activity_id = created.get_json()["id"]
    submitted = client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    edited = client.patch(
        f"/api/v1/activities/{activity_id}", json={"title": "Bättre titel"}, headers={**week.organiser, "If-Match": submitted.headers["ETag"]}
    )
    assert edited.get_json()["status"] == "draft"
    assert edited.get_json()["revision"]["state"] == "superseded"
    run_jobs(runtime)  # the check job finds nothing left to check
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["status"] == "draft"


def test_illegal_transitions_answer_409_naming_the_allowed_ones(client, week):
    activity_id = create(client, week).get_json()["id"]
    response = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Sjuk"}, headers=week.organiser)
    body = problem_of(response)
    assert response.status_code == 409
    assert body["state"] == "draft"
    assert set(body["allowed"]) == {"edit", "submit", "withdraw"}
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    again = client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    assert again.status_code == 409


def test_only_never_submitted_drafts_can_be_deleted(client, week, runtime):
    first, second = create(client, week).get_json()["id"], create(client, week).get_json()["id"]
    client.post(f"/api/v1/activities/{second}/submit", headers=week.organiser)
    assert client.delete(f"/api/v1/activities/{first}", headers=week.organiser).status_code == 204
    assert client.delete(f"/api/v1/activities/{second}", headers=week.organiser).status_code == 409
    assert count_rows(runtime, "activities") == 1


def test_organisers_list_their_own_activities_with_paging(client, week):
    for hour in (9, 10, 11):
        create(client, week, week.webcast(starts_at=week.at(0, hour), ends_at=week.at(0, hour + 1)))
    client.post(ACTIVITIES, json=week.webcast(organisation_id=week.other_organisation_id), headers=week.outsider)
    first = client.get(f"{ACTIVITIES}?limit=2", headers=week.organiser)
    assert first.get_json()["total"] == 3
    assert len(first.get_json()["items"]) == 2
    link = first.headers["Link"]
    assert 'rel="next"' in link
    next_url = link[link.index("<") + 1 : link.index(">")]
    second = client.get(next_url, headers=week.organiser)
    assert len(second.get_json()["items"]) == 1
    assert "Link" not in second.headers
    starts = [a["starts_at"] for a in first.get_json()["items"] + second.get_json()["items"]]
    assert starts == sorted(starts)


def test_a_damaged_cursor_is_a_422_on_the_cursor_parameter(client, week):
    response = client.get(f"{ACTIVITIES}?cursor=not-a-cursor", headers=week.organiser)
    assert response.status_code == 422
    assert problem_of(response)["errors"] == [{"detail": problem_of(response)["errors"][0]["detail"], "parameter": "cursor"}]


def test_submissions_are_refused_after_the_deadline_but_coordinators_may_add_late(client, week, runtime):
    activity_id = create(client, week).get_json()["id"]
    with runtime.database.unit_of_work() as session:
        session.execute(sa.text("UPDATE editions SET submissions_close_at = now() - interval '1 day', submissions_open_at = now() - interval '2 days'"))
    late = client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    assert late.status_code == 409
    assert "closed" in problem_of(late)["detail"]
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 0
        assert session.get(Activity, activity_id).status.value == "draft"


def test_listing_takes_as_many_queries_for_many_activities_as_for_few(client, runtime, week):
    def queries_to_list() -> int:
        executed = []
        listener = lambda *args: executed.append(1)  # noqa: E731
        sa.event.listen(runtime.database.engine, "before_cursor_execute", listener)
        try:
            assert client.get(ACTIVITIES, headers=week.organiser).status_code == 200
        finally:
            sa.event.remove(runtime.database.engine, "before_cursor_execute", listener)
        return len(executed)

    def submit_at(hour: int) -> None:
        created = create(client, week, week.webcast(starts_at=week.at(1, hour), ends_at=week.at(1, hour + 1)))
        client.post(f"/api/v1/activities/{created.get_json()['id']}/submit", headers=week.organiser)
        run_jobs(runtime)

    submit_at(9)
    few = queries_to_list()
    for hour in range(10, 16):
        submit_at(hour)
    assert queries_to_list() == few
