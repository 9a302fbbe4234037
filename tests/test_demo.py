"""The demo data a new user meets in `make run`."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus, Format
from innovationsweek.demo import EDITION_SLUG
from innovationsweek.editions.models import Edition
from innovationsweek.notifications.models import Email
from innovationsweek.outbox import OutboxMessage
from tests.conftest import PASSWORD

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


def test_the_demo_queues_only_what_its_reuse_link_asks_and_leaves_an_edition_open_for_submissions(runtime, demo_data, client):
    with runtime.database.sessions() as session:
        queued = [(message.job, message.args) for message in session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]
        reused = session.scalar(sa.select(Activity.id).where(Activity.title == "Studiebesök: Digitala medarbetare i hemtjänsten").order_by(Activity.id))
        mailed = session.scalars(sa.select(Email.to_address)).all()
    # Umeå's 2027 activity builds on Linköping's 2019 one: that entry is shown again, its organiser told.
    assert sorted(job for job, _ in queued) == ["publish_activity", "send_email"]
    assert ("publish_activity", [reused]) in queued and mailed == ["organiser@example.org"]
    editions = client.get("/api/v1/editions").get_json()["items"]
    now = datetime.now(STOCKHOLM)
    assert any(
        datetime.fromisoformat(e["submissions_open_at"]) < now < datetime.fromisoformat(e["submissions_close_at"])
        for e in editions
    )


def test_the_demo_shows_reuse_across_weeks(runtime, demo_data, client):
    """Linköping's 2019 study visit with its material among the solutions; Umeå's 2027 webcast
    builds on it; Linköping's 2019 dialogue on safety is copied into 2027 as a draft."""
    solutions = client.get("/api/v1/solutions?q=hemtjänsten&has_material=true").get_json()["items"]
    [visit] = [item for item in solutions if item["edition"] == EDITION_SLUG]
    assert visit["organiser"]["name"] == "Linköpings kommun" and len(visit["material"]["links"]) == 2
    with runtime.database.sessions() as session:
        builds_on = session.scalar(sa.select(Activity).where(Activity.title.startswith("Digitala medarbetare i Umeås")))
        copies = [a for a in session.scalars(sa.select(Activity).where(Activity.title == "Dialogmöte med invånare om trygghet")) if a.reuses]
        assert builds_on.reuses == [visit["id"]] and builds_on.status == ActivityStatus.PUBLISHED
        [copy] = copies
        assert copy.status == ActivityStatus.DRAFT and copy.edition.slug != EDITION_SLUG
    assert [other["id"] for other in client.get(f"/api/v1/programme/activities/{builds_on.id}").get_json()["reuses"]] == [visit["id"]]


def test_each_demo_week_lists_the_privacy_notice_it_uses_as_a_kept_version(demo_data, client):
    token = client.post("/api/v1/auth/tokens", json={"email": "coordinator@example.org", "password": PASSWORD}).get_json()["token"]
    for edition in client.get("/api/v1/editions").get_json()["items"]:
        versions = client.get(f"/api/v1/editions/{edition['slug']}/privacy-notice-versions", headers={"Authorization": f"Bearer {token}"})

        assert [(v["version"], v["texts"], v["in_use"]) for v in versions.get_json()["items"]] == [
            (edition["privacy_notice_version"], edition["privacy_notice"], True)
        ]
