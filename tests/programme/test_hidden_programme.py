"""A programme the coordinators have not opened is hidden everywhere: no list, feed, calendar,
Atom entry, statistic, single activity or webhook. Opening it tells partners about everything
published meanwhile; closing it again holds back what changes until it reopens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from innovationsweek.editions.models import Edition
from innovationsweek.jobs.programme import announce_hidden_changes
from innovationsweek.webhooks.models import WebhookEvent
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.conftest import run_jobs
from tests.programme.test_programme import published
from tests.webhooks.conftest import deliveries, partner, receiver  # noqa: F401 (fixtures)

EDITION = "/api/v1/editions/test-week"
EVERY_EVENT = [event.value for event in WebhookEvent]


def edition_paths(activity_id: int) -> list[str]:
    return [
        f"{EDITION}/programme",
        f"{EDITION}/feed",
        f"{EDITION}/programme.ics",
        f"{EDITION}/programme.atom",
        f"{EDITION}/statistics",
        f"/api/v1/programme/activities/{activity_id}",
        f"/api/v1/programme/activities/{activity_id}?format=jsonld",
        f"/api/v1/programme/activities/{activity_id}.ics",
    ]


def set_open(client, week, value: bool) -> None:
    response = client.patch(EDITION, json={"programme_open": value}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def hidden_week(client, runtime, week, partner, receiver):
    """The week with its programme hidden, and a partner subscribed to every event."""
    set_open(client, week, False)
    response = client.post("/api/v1/webhooks", json={"url": receiver.url, "events": EVERY_EVENT}, headers=partner.headers)
    assert response.status_code == 201, response.get_json()
    return week


def announced(runtime) -> list[tuple[str, int]]:
    return [(delivery.event.value, delivery.activity_id) for delivery in deliveries(runtime)]


def test_a_hidden_programme_shows_nothing_and_announces_nothing(client, runtime, hidden_week, receiver):
    activity_id = published(client, runtime, hidden_week)

    for path in edition_paths(activity_id):
        response = client.get(path)
        assert response.status_code == 404, path
        assert hidden_week.webcast()["title"] not in response.get_data(as_text=True), path
    assert client.get(f"/api/v1/programme/activities/{activity_id}", headers={"Accept": "application/ld+json"}).status_code == 404
    assert announced(runtime) == []
    assert receiver.received == []


def test_opening_the_programme_shows_and_announces_what_was_published_meanwhile(client, runtime, hidden_week, receiver):
    first = published(client, runtime, hidden_week)
    cancelled = published(client, runtime, hidden_week, title="Inställt", starts_at=hidden_week.at(2, 9), ends_at=hidden_week.at(2, 10))
    client.post(f"/api/v1/activities/{cancelled}/cancel", json={"reason": "Sjuk"}, headers=hidden_week.organiser)
    run_jobs(runtime)

    set_open(client, hidden_week, True)
    run_jobs(runtime)

    for path in edition_paths(first):
        assert client.get(path).status_code == 200, path
    assert client.get(f"{EDITION}/statistics").get_json()["activities"] == 1
    # Once each, as it stands now; a partner never heard of the cancelled one, so it is new too.
    assert announced(runtime) == [("activity.published", first), ("activity.cancelled", cancelled)]
    assert len(receiver.received) == 2

    set_open(client, hidden_week, True)  # already open: nothing to tell again
    run_jobs(runtime)
    assert len(deliveries(runtime)) == 2


def test_changes_while_open_are_announced_at_once(client, runtime, hidden_week):
    set_open(client, hidden_week, True)
    activity_id = published(client, runtime, hidden_week)
    assert announced(runtime) == [("activity.published", activity_id)]


def test_closing_again_holds_back_changes_until_it_reopens(client, runtime, hidden_week):
    set_open(client, hidden_week, True)
    kept = published(client, runtime, hidden_week)
    withdrawn = published(client, runtime, hidden_week, title="Tillbakadragen", starts_at=hidden_week.at(2, 9), ends_at=hidden_week.at(2, 10))
    set_open(client, hidden_week, False)
    client.post(f"/api/v1/activities/{withdrawn}/withdraw", headers=hidden_week.organiser)
    late = published(client, runtime, hidden_week, title="Sen", starts_at=hidden_week.at(3, 9), ends_at=hidden_week.at(3, 10))
    run_jobs(runtime)
    assert announced(runtime) == [("activity.published", kept), ("activity.published", withdrawn)]

    set_open(client, hidden_week, True)
    run_jobs(runtime)

    # Only what changed while hidden, in change order; partners had seen the withdrawn one.
    assert announced(runtime)[2:] == [("activity.deleted", withdrawn), ("activity.published", late)]


def test_a_change_after_opening_waits_for_the_announcement_of_the_hidden_ones(client, runtime, hidden_week):
    """The opening has committed but its announcement has not run yet: a change made now is not
    announced ahead of the earlier hidden ones, and the announcement then tells each once."""
    first = published(client, runtime, hidden_week)
    second = published(client, runtime, hidden_week, title="Andra", starts_at=hidden_week.at(2, 9), ends_at=hidden_week.at(2, 10))
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(Edition).where(Edition.slug == hidden_week.slug).values(programme_open=True))
    client.post(f"/api/v1/activities/{second}/feature", json={"featured": True}, headers=hidden_week.coordinator)
    run_jobs(runtime)
    assert announced(runtime) == []

    assert announce_hidden_changes(hidden_week_id(runtime)) == 2
    assert announce_hidden_changes(hidden_week_id(runtime)) == 0  # run twice: told once
    assert announced(runtime) == [("activity.published", first), ("activity.published", second)]


def hidden_week_id(runtime) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(sa.select(Edition.id).where(Edition.slug == "test-week"))
