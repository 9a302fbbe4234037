"""The demo data a new user meets in `make run`."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus, Format
from innovationsweek.demo import EDITION_SLUG
from innovationsweek.editions.models import Edition
from innovationsweek.outbox import OutboxMessage

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def activities_of(session, slug):
    edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
    return list(session.scalars(sa.select(Activity).where(Activity.edition_id == edition.id)))


def test_the_2019_programme_has_30_activities_of_every_format_and_state(runtime, demo_data):
    with runtime.database.sessions() as session:
        activities = activities_of(session, EDITION_SLUG)
        assert len(activities) >= 30
        assert {a.format for a in activities} == set(Format)
        states = Counter(a.status for a in activities)
        assert set(states) == set(ActivityStatus) - {ActivityStatus.SUBMITTED}
        published = [a for a in activities if a.status == ActivityStatus.PUBLISHED]
        assert all(a.approved_revision is not None for a in published)
        assert all(a.edition.starts_at <= a.starts_at and a.ends_at <= a.edition.ends_at for a in activities)


def test_the_two_coi_workshops_are_linked_and_on_3_october_13_to_16(runtime, demo_data):
    with runtime.database.sessions() as session:
        workshops = [a for a in activities_of(session, EDITION_SLUG) if a.organisation.name == "Center for Offentlig Innovation"]
        assert sorted(a.venue_municipality for a in workshops) == ["Aalborg", "København"]
        for workshop in workshops:
            assert workshop.starts_at == datetime(2019, 10, 3, 13, tzinfo=STOCKHOLM)
            assert workshop.ends_at == datetime(2019, 10, 3, 16, tzinfo=STOCKHOLM)
            assert workshop.related_activity_ids == [other.id for other in workshops if other is not workshop]
            assert "samtykke" in workshop.photo_notice


def test_the_demo_queues_no_jobs_and_leaves_an_edition_open_for_submissions(runtime, demo_data, client):
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    editions = client.get("/api/v1/editions").get_json()["items"]
    now = datetime.now(STOCKHOLM)
    assert any(
        datetime.fromisoformat(e["submissions_open_at"]) < now < datetime.fromisoformat(e["submissions_close_at"])
        for e in editions
    )
