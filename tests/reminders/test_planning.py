"""Planning: the right reminders at the right local times, moved with the activity, cancelled
when they no longer apply."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from innovationsweek.activities.models import Activity, ActivityStatus, AttendanceMode, Format, Revision, RevisionState
from innovationsweek.activities.service import content_of
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Organisation, OrganisationKind
from innovationsweek.registrations.models import Registration, RegistrationStatus
from innovationsweek.reminders import service
from innovationsweek.reminders.models import Reminder
from tests.conftest import run_jobs
from tests.reminders.conftest import (
    ACTIVITIES,
    STOCKHOLM,
    local_day_at,
    only,
    published,
    register,
    reminders,
    run,
    week,  # noqa: F401 (fixture)
)

UTC = timezone.utc
_unique = itertools.count()


def _activity_at(session, starts_at: datetime, ends_at: datetime, *, status=ActivityStatus.PUBLISHED) -> Activity:
    """A published webcast (one seat taken) in an edition whose submissions close at the end of
    October, in Stockholm."""
    n = next(_unique)
    year = starts_at.year
    edition = Edition(
        slug=f"dst-{year}-{n}",
        name={"sv": f"Innovationsveckan {year}"},
        theme={"sv": "Att sprida och involvera"},
        timezone="Europe/Stockholm",
        starts_at=starts_at - timedelta(days=30),
        ends_at=ends_at + timedelta(days=30),
        submissions_open_at=starts_at - timedelta(days=120),
        submissions_close_at=datetime(year, 10, 31, 23, 59, tzinfo=STOCKHOLM),
    )
    organisation = Organisation(name=f"Kommun {n}", kind=OrganisationKind.MUNICIPALITY, country="SE")
    activity = Activity(
        edition=edition,
        organisation=organisation,
        status=status,
        title="Webbsändning om välfärdsteknik",
        format=Format.WEBCAST,
        attendance_mode=AttendanceMode.ONLINE,
        starts_at=starts_at,
        ends_at=ends_at,
        online_url="https://example.org/live",
    )
    session.add_all([edition, organisation, activity])
    session.flush()
    if status == ActivityStatus.PUBLISHED:
        activity.approved_revision = Revision(activity=activity, number=1, state=RevisionState.APPROVED, content=content_of(activity))
        session.add(
            Registration(
                activity_id=activity.id,
                edition_id=edition.id,
                status=RegistrationStatus.CONFIRMED,
                name="Anna",
                email=f"anna{n}@example.org",
                photo_consent=False,
                language="sv",
                consent_text="...",
                consent_version="1",
                cancel_token_hash=f"{n:064d}",
            )
        )
    session.flush()
    return activity


def _planned(runtime, starts_at: datetime, ends_at: datetime, *, status=ActivityStatus.PUBLISHED) -> dict[str, datetime]:
    with runtime.database.unit_of_work() as session:
        activity = _activity_at(session, starts_at, ends_at, status=status)
        service.replan_activity(session, activity, now=starts_at - timedelta(days=200))
        activity_id = activity.id
    return {r.kind.value: r.due_at for r in reminders(runtime, activity_id=activity_id)}


def _z(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("starts_at", "expected"),
    [
        # Summer time ends on Sunday 2019-10-27 at 03:00: the day before a Monday activity is
        # already winter time (09:00 CET = 08:00 UTC); a week before is summer time (07:00 UTC).
        (
            datetime(2019, 10, 28, 10, tzinfo=STOCKHOLM),
            {"participant": _z(2019, 10, 27, 8), "pre_event": _z(2019, 10, 21, 7), "post_event": _z(2019, 10, 29, 8)},
        ),
        # A Saturday activity in summer time: its report request on the Sunday is in winter time.
        (
            datetime(2019, 10, 26, 14, tzinfo=STOCKHOLM),
            {"participant": _z(2019, 10, 25, 7), "pre_event": _z(2019, 10, 19, 7), "post_event": _z(2019, 10, 27, 8)},
        ),
        # The same in 2026 (summer time ended on Sunday 2026-10-25).
        (
            datetime(2026, 10, 26, 10, tzinfo=STOCKHOLM),
            {"participant": _z(2026, 10, 25, 8), "pre_event": _z(2026, 10, 19, 7), "post_event": _z(2026, 10, 27, 8)},
        ),
        # And in spring (summer time starts on Sunday 2027-03-28 at 02:00).
        (
            datetime(2027, 3, 29, 10, tzinfo=STOCKHOLM),
            {"participant": _z(2027, 3, 28, 7), "pre_event": _z(2027, 3, 22, 8), "post_event": _z(2027, 3, 30, 7)},
        ),
    ],
)
def test_reminders_fall_at_nine_local_time_on_either_side_of_a_daylight_saving_change(runtime, starts_at, expected):
    due = _planned(runtime, starts_at, starts_at + timedelta(hours=2))
    assert due == expected
    for moment in due.values():
        assert moment.astimezone(STOCKHOLM).hour == 9


def test_a_draft_is_reminded_a_week_before_the_deadline_in_local_time(runtime):
    # Submissions close 2019-10-31 23:59 CET; a week before is 2019-10-24, still summer time.
    due = _planned(runtime, datetime(2019, 11, 5, 10, tzinfo=STOCKHOLM), datetime(2019, 11, 5, 12, tzinfo=STOCKHOLM), status=ActivityStatus.DRAFT)
    assert due == {"draft_deadline": _z(2019, 10, 24, 7)}


def test_planning_twice_makes_no_second_reminder(runtime):
    starts_at = datetime(2027, 10, 5, 10, tzinfo=STOCKHOLM)
    with runtime.database.unit_of_work() as session:
        activity = _activity_at(session, starts_at, starts_at + timedelta(hours=1))
        service.replan_activity(session, activity, now=starts_at - timedelta(days=30))
        service.replan_activity(session, activity, now=starts_at - timedelta(days=30))
    with runtime.database.unit_of_work() as session:
        service.plan_activity(session, activity.id, now=starts_at - timedelta(days=30))
    assert sorted(r.kind.value for r in reminders(runtime)) == ["participant", "post_event", "pre_event"]


def test_a_new_draft_is_planned_by_the_periodic_job_and_submitting_cancels_its_reminder(client, runtime, week):
    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    assert reminders(runtime) == []

    run(runtime, utcnow())

    reminder = only(runtime, "draft_deadline")
    close = client.get("/api/v1/editions/test-week").get_json()["submissions_close_at"]
    assert reminder.due_at == local_day_at(close, -7)
    assert reminder.subject == f"draft_deadline:activity-{activity_id}:7d"

    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    reminder = only(runtime, "draft_deadline")
    assert (reminder.cancelled_at is not None, reminder.cancel_reason) == (True, "unplanned")


def test_publishing_plans_the_organisers_and_participants_reminders(client, runtime, week):
    activity_id = published(client, runtime, week)
    seat = register(runtime, activity_id, "anna@example.org")
    register(runtime, activity_id, "bertil@example.org", status="waitlisted")

    run(runtime, utcnow())

    start, end = week.at(1, 10), week.at(1, 11)
    planned = {(r.kind.value, r.registration_id): r.due_at for r in reminders(runtime, activity_id=activity_id)}
    assert planned == {
        ("pre_event", None): local_day_at(start, -7),
        ("post_event", None): local_day_at(end, +1),
        ("participant", seat): local_day_at(start, -1),  # the waitlisted person has no seat
    }


def test_moving_an_activity_moves_its_reminders_once_the_move_is_approved(client, runtime, week):
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    url = f"/api/v1/activities/{activity_id}"

    etag = client.get(url, headers=week.organiser).headers["ETag"]
    moved = {"starts_at": week.at(3, 13), "ends_at": week.at(3, 15)}
    assert client.patch(url, json=moved, headers={**week.organiser, "If-Match": etag}).status_code == 200
    client.post(f"{url}/submit", headers=week.organiser)
    run_jobs(runtime)
    run(runtime, utcnow())
    # Not yet approved: the public, and the reminders, still go by the approved times.
    assert only(runtime, "participant").due_at == local_day_at(week.at(1, 10), -1)

    client.post(f"{url}/review", json={"decision": "approve"}, headers=week.coordinator)

    assert only(runtime, "participant").due_at == local_day_at(moved["starts_at"], -1)
    assert only(runtime, "pre_event").due_at == local_day_at(moved["starts_at"], -7)
    assert only(runtime, "post_event").due_at == local_day_at(moved["ends_at"], +1)
    assert all(r.cancelled_at is None and r.sent_at is None for r in reminders(runtime, activity_id=activity_id))


@pytest.mark.parametrize("action", ["cancel", "withdraw"])
def test_cancelling_or_withdrawing_cancels_every_reminder_of_the_activity(client, runtime, week, action):
    activity_id = published(client, runtime, week)
    register(runtime, activity_id, "anna@example.org")
    run(runtime, utcnow())
    assert len(reminders(runtime, activity_id=activity_id)) == 3

    response = client.post(f"/api/v1/activities/{activity_id}/{action}", json={"reason": "Talaren är sjuk."} if action == "cancel" else None, headers=week.organiser)
    assert response.status_code == 200, response.get_json()

    assert {(r.cancel_reason, r.sent_at) for r in reminders(runtime, activity_id=activity_id)} == {("unplanned", None)}
    run(runtime, datetime.fromisoformat(week.at(1, 8)))  # the morning of the day; everything was due
    assert {(r.cancel_reason, r.sent_at) for r in reminders(runtime, activity_id=activity_id)} == {("unplanned", None)}


def test_a_change_request_is_followed_up_after_three_days_and_resubmitting_cancels_it(client, runtime, week):
    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "request_changes", "comment": "Lägg till en sammanfattning."}, headers=week.coordinator)

    reminder = only(runtime, "changes_requested")
    asked = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).get_json()["revision"]["decided_at"]
    assert reminder.due_at == local_day_at(asked, +3)
    assert reminder.subject == f"changes_requested:activity-{activity_id}:revision-1:3d"

    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)

    assert only(runtime, "changes_requested").cancel_reason == "unplanned"


def test_changed_settings_replan_the_editions_reminders(client, runtime, week):
    activity_id = published(client, runtime, week)
    run(runtime, utcnow())
    settings = {"pre_event": {"days_before": [14, 2], "hour": 13}, "post_event": {"enabled": False}}
    assert client.patch("/api/v1/editions/test-week", json={"reminder_settings": settings}, headers=week.coordinator).status_code == 200

    run(runtime, utcnow())

    start = week.at(1, 10)
    active = {(r.subject, r.due_at) for r in reminders(runtime, activity_id=activity_id) if r.cancelled_at is None}
    assert active == {
        (f"pre_event:activity-{activity_id}:14d", local_day_at(start, -14, 13)),
        (f"pre_event:activity-{activity_id}:2d", local_day_at(start, -2, 13)),
    }
    assert {r.subject for r in reminders(runtime) if r.cancel_reason == "unplanned"} == {
        f"pre_event:activity-{activity_id}:7d",
        f"post_event:activity-{activity_id}:1d",
    }


def test_a_reminder_sent_is_never_planned_again(client, runtime, week):
    activity_id = published(client, runtime, week)
    pre_event = only(runtime, "pre_event")
    run(runtime, pre_event.due_at)
    assert only(runtime, "pre_event").sent_at is not None

    with runtime.database.unit_of_work() as session:
        service.replan_activity(session, session.get_one(Activity, activity_id), now=pre_event.due_at)

    [reminder] = reminders(runtime, kind="pre_event")
    assert reminder.sent_at is not None and reminder.id == pre_event.id


def test_reminders_of_a_deleted_draft_go_with_it(client, runtime, week):
    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    run(runtime, utcnow())
    assert len(reminders(runtime, activity_id=activity_id)) == 1
    assert client.delete(f"/api/v1/activities/{activity_id}", headers=week.organiser).status_code == 204
    with runtime.database.sessions() as session:
        assert session.query(Reminder).filter(Reminder.kind == "draft_deadline").count() == 0
