"""Reports after an activity: its organisers report attendance and link the material, which the
public programme then shows with the activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from innovationsweek.db import utcnow
from tests.conftest import problem_of, run_jobs
from tests.reminders.conftest import (
    only,
    published,
    run,
    set_times_of_approved_version,
    week,  # noqa: F401 (fixture)
)

REPORT = "/api/v1/activities/{}/report"
SLIDES = {"title": "Bilder (PDF)", "url": "https://example.org/bilder.pdf"}
RECORDING = {"title": "Inspelning", "url": "https://play.example.org/v/123"}


def taken_place(client, runtime, week) -> int:
    """A published activity that took place yesterday."""
    activity_id = published(client, runtime, week)
    yesterday = utcnow() - timedelta(days=1)
    set_times_of_approved_version(runtime, activity_id, yesterday, yesterday + timedelta(hours=1))
    return activity_id


def test_organisers_report_attendance_and_the_programme_shows_the_material(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    assert client.get(REPORT.format(activity_id), headers=week.organiser).get_json()["submitted_at"] is None

    body = {"participants_in_person": 42, "participants_online": 310, "links": [SLIDES, RECORDING]}
    response = client.put(REPORT.format(activity_id), json=body, headers=week.colleague)

    assert response.status_code == 200, response.get_json()
    assert response.get_json() | {"submitted_at": None, "updated_at": None} == {**body, "submitted_at": None, "updated_at": None}
    assert client.get(REPORT.format(activity_id), headers=week.coordinator).get_json()["links"] == [SLIDES, RECORDING]
    run_jobs(runtime)  # the republication the report scheduled
    public = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert public["material"] == {"links": [SLIDES, RECORDING]}
    assert "participants" not in str(public)  # attendance is for the organisers and coordinators
    feed = client.get("/api/v1/editions/test-week/feed?afterChangeNumber=1").get_json()["items"]
    assert [(item["id"], item["data"]["material"]) for item in feed] == [(activity_id, {"links": [SLIDES, RECORDING]})]


def test_a_report_replaces_the_last_one(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    client.put(REPORT.format(activity_id), json={"participants_in_person": 10, "links": [SLIDES]}, headers=week.organiser)
    client.put(REPORT.format(activity_id), json={"participants_in_person": 12, "links": []}, headers=week.organiser)
    run_jobs(runtime)
    report = client.get(REPORT.format(activity_id), headers=week.organiser).get_json()
    assert (report["participants_in_person"], report["participants_online"], report["links"]) == (12, None, [])
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["material"] is None


def test_an_activity_without_a_report_shows_no_material(client, runtime, week):
    activity_id = published(client, runtime, week)
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["material"] is None


def test_only_the_host_organisations_members_report(client, runtime, week):
    activity_id = taken_place(client, runtime, week)
    coordinator = client.put(REPORT.format(activity_id), json={"links": [SLIDES]}, headers=week.coordinator)
    assert coordinator.status_code == 403  # sees the activity, does not report on it
    outsider = client.put(REPORT.format(activity_id), json={"links": [SLIDES]}, headers=week.outsider)
    assert outsider.status_code == 404  # may not see the activity at all
    assert client.get(REPORT.format(activity_id), headers=week.outsider).status_code == 404
    assert client.get(REPORT.format(activity_id)).status_code == 401


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
    ("links", "pointer"),
    [
        ([{"title": "Intern", "url": "http://10.0.0.1/slides"}], "/links/0/url"),
        ([SLIDES, {"title": "Metadata", "url": "http://169.254.169.254/latest"}], "/links/1/url"),
        ([{"title": "Fil", "url": "ftp://example.org/slides.pdf"}], "/links/0/url"),
        ([{"title": "Inloggad", "url": "https://user:secret@example.org/"}], "/links/0/url"),
        ([{"url": "https://example.org/"}], "/links/0/title"),
        ([{"title": "   ", "url": "https://example.org/"}], "/links/0/title"),
        ([SLIDES] * 21, "/links"),
    ],
)
def test_bad_links_are_refused_naming_the_link(client, runtime, week, links, pointer):
    activity_id = taken_place(client, runtime, week)
    response = client.put(REPORT.format(activity_id), json={"links": links}, headers=week.organiser)
    assert response.status_code == 422, response.get_json()
    assert pointer in [error["pointer"] for error in problem_of(response)["errors"]]
    assert client.get(REPORT.format(activity_id), headers=week.organiser).get_json()["submitted_at"] is None


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
