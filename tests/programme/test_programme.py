"""Publishing: approvals reach the programme, the change feed and partners' caches, in order."""

from __future__ import annotations

import json
import random
import threading
import time

import pytest
import sqlalchemy as sa

from innovationsweek import migrate, paging
from innovationsweek.programme import service as programme
from innovationsweek.programme.models import ProgrammeEntry
from tests.activities.conftest import week  # noqa: F401 (fixture)
from innovationsweek.webhooks.models import WebhookDelivery
from tests.conftest import problem_of, run_jobs
from tests.webhooks.conftest import partner, receiver  # noqa: F401 (fixtures)

ACTIVITIES = "/api/v1/editions/test-week/activities"
PROGRAMME = "/api/v1/editions/test-week/programme"
FEED = "/api/v1/editions/test-week/feed"


def published(client, runtime, week, **overrides) -> int:
    activity_id = client.post(ACTIVITIES, json=week.webcast(**overrides), headers=week.organiser).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    response = client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()
    run_jobs(runtime)
    return activity_id


def test_an_approved_activity_appears_in_the_programme_and_the_feed(client, runtime, week):
    activity_id = published(client, runtime, week)
    page = client.get(PROGRAMME).get_json()
    assert [item["id"] for item in page["items"]] == [activity_id]
    item = page["items"][0]
    assert item["title"] == week.webcast()["title"]
    assert item["status"] == "published"
    assert item["organiser"]["name"] == "Linköpings kommun"
    assert item["change_number"] == 1
    feed = client.get(f"{FEED}?afterChangeNumber=0").get_json()
    assert feed["items"] == [{"state": "updated", "kind": "Event", "id": activity_id, "modified": 1, "data": item}]


def test_the_public_never_sees_unapproved_edits_or_personal_data(client, runtime, week):
    activity_id = published(client, runtime, week, contact={"name": "Olga", "email": "olga@linkoping.se", "phone": "013-20 60 00"})
    etag = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).headers["ETag"]
    client.patch(f"/api/v1/activities/{activity_id}", json={"title": "Ej granskad titel"}, headers={**week.organiser, "If-Match": etag})
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    public = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert public["title"] == week.webcast()["title"]
    text = client.get(PROGRAMME).get_data(as_text=True)
    assert "olga@linkoping.se" not in text and "013-20 60 00" not in text and "Olga" not in text


def test_a_contact_the_organiser_chose_to_publish_is_shown(client, runtime, week):
    activity_id = published(client, runtime, week, contact={"name": "Olga", "email": "olga@linkoping.se", "email_public": True})
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["contact"] == {"name": "Olga", "email": "olga@linkoping.se"}


def test_a_cancellation_shows_everywhere_and_a_withdrawal_deletes(client, runtime, week):
    cancelled = published(client, runtime, week)
    withdrawn = published(client, runtime, week, title="Annan", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    client.post(f"/api/v1/activities/{cancelled}/cancel", json={"reason": "Talaren är sjuk."}, headers=week.organiser)
    client.post(f"/api/v1/activities/{withdrawn}/withdraw", headers=week.organiser)
    run_jobs(runtime)
    items = client.get(PROGRAMME).get_json()["items"]
    assert [(i["id"], i["status"], i["cancellation_reason"]) for i in items] == [(cancelled, "cancelled", "Talaren är sjuk.")]
    feed = client.get(f"{FEED}?afterChangeNumber=2").get_json()["items"]
    assert [(i["id"], i["state"], i["modified"]) for i in feed] == [(cancelled, "updated", 3), (withdrawn, "deleted", 4)]
    assert "data" not in feed[1]
    assert feed[0]["data"]["status"] == "cancelled"
    assert client.get(f"/api/v1/programme/activities/{withdrawn}").status_code == 404


def test_the_feed_pages_and_ends_with_an_empty_page_pointing_at_itself(client, runtime, week):
    for day in range(3):
        published(client, runtime, week, title=f"Dag {day}", starts_at=week.at(day, 9), ends_at=week.at(day, 10))
    first = client.get(f"{FEED}?afterChangeNumber=0&limit=2")
    assert [i["modified"] for i in first.get_json()["items"]] == [1, 2]
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    second = client.get(first.get_json()["next"])
    assert [i["modified"] for i in second.get_json()["items"]] == [3]
    last = client.get(second.get_json()["next"])
    assert last.get_json()["items"] == []
    assert last.get_json()["next"] == second.get_json()["next"]
    assert last.headers["Cache-Control"] == "public, max-age=8"
    huge = client.get(f"{FEED}?afterChangeNumber=999999999999999999999999")
    assert huge.status_code == 200 and huge.get_json()["items"] == []


def test_republishing_without_a_change_numbers_nothing(client, runtime, week):
    activity_id = published(client, runtime, week)
    with runtime.database.unit_of_work() as session:
        programme.publish(session, activity_id)
    with runtime.database.sessions() as session:
        assert session.get(ProgrammeEntry, activity_id).change_number == 1


def test_revalidation_answers_304_until_the_programme_changes(client, runtime, week):
    published(client, runtime, week)
    first = client.get(PROGRAMME)
    assert first.headers["Cache-Control"].startswith("public")
    assert first.headers["Last-Modified"]
    again = client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    published(client, runtime, week, title="Ny", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    changed = client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert len(changed.get_json()["items"]) == 2


# A page is chosen by the process's index of the programme, or (while that is not built) by the
# database: walking the order's index (many rows) or sorting the keys of the rows the filters
# select (few, counted with the page in one statement). All ways give the same pages.
@pytest.mark.parametrize(
    ("in_memory", "few_rows"),
    [(True, 0), (False, 0), (False, 2), (False, paging.FEW_ROWS)],
    ids=["index-in-memory", "walked-in-order", "too-many-to-sort", "sorted"],
)
def test_the_programme_filters_and_pages(client, runtime, week, monkeypatch, in_memory, few_rows):
    monkeypatch.setattr(paging, "FEW_ROWS", few_rows)
    if in_memory:
        monkeypatch.setattr(programme, "keyset_page", None)  # the database chooses no page
    else:
        monkeypatch.setattr(runtime.programme_indexes, "current", lambda *_: None)
    webcast = published(client, runtime, week, languages=["sv", "en"], audiences=["politicians"])
    visit = published(
        client, runtime, week, **week.study_visit(starts_at=week.at(1, 13), ends_at=week.at(1, 15), themes=["involve"], audiences=["employees"])
    )
    third = published(
        client, runtime, week, title="Dialogmöte om trygghet", format="dialogue_meeting", audiences=["citizens"], starts_at=week.at(2, 18), ends_at=week.at(2, 20)
    )

    def ids(query: str) -> list[int]:
        response = client.get(f"{PROGRAMME}?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids("") == [webcast, visit, third]
    assert ids("format=study_visit&format=dialogue_meeting") == [visit, third]
    assert ids("theme=involve") == [visit]
    assert ids("language=en") == [webcast]
    assert ids("audience=politicians") == [webcast]
    assert ids("q=trygghet") == [third]
    assert ids("attendance_mode=in_person") == [visit]
    assert ids("municipality=Linköping") == [visit]
    assert ids("organisation_kind=municipality&region=Östergötland") == [webcast, visit, third]
    day_two = (week.starts_at.date().toordinal() + 2)
    from datetime import date

    assert ids(f"from={date.fromordinal(day_two).isoformat()}") == [third]
    # A range that ends before it starts is no mistake to refuse: no day is in it.
    assert ids(f"from={date.fromordinal(day_two).isoformat()}&to={date.fromordinal(day_two - 1).isoformat()}") == []
    for query in ("limit=2", "organisation_kind=municipality&limit=2"):
        first = client.get(f"{PROGRAMME}?{query}")
        assert first.get_json()["total"] == 3
        link = first.headers["Link"]
        rest = client.get(link[link.index("<") + 1 : link.index(">")]).get_json()
        assert [i["id"] for i in rest["items"]] == [third] and rest["total"] == 3


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=blue", "colour"),
        ("format=party", "format.0"),
        ("limit=10000", "limit"),
        ("from=yesterday", "from"),
        ("featured=perhaps", "featured"),
    ],
)
def test_bad_filters_are_refused_with_the_reason(client, runtime, week, query, parameter):
    response = client.get(f"{PROGRAMME}?{query}")
    assert response.status_code == 422
    assert parameter in [error.get("parameter") for error in problem_of(response)["errors"]]


def test_a_hidden_programme_is_not_public(client, runtime, week):
    published(client, runtime, week)
    with runtime.database.unit_of_work() as session:
        session.execute(sa.text("UPDATE editions SET programme_open = false"))
    assert client.get(PROGRAMME).status_code == 404
    assert client.get(FEED).status_code == 404


def test_statistics_count_the_programme(client, runtime, week):
    published(client, runtime, week)
    published(client, runtime, week, **week.study_visit(starts_at=week.at(1, 13), ends_at=week.at(1, 15)))
    stats = client.get("/api/v1/editions/test-week/statistics").get_json()
    assert stats["activities"] == 2
    assert stats["by_format"] == {"study_visit": 1, "webcast": 1}
    assert stats["by_region"] == {"Östergötland": 2}
    assert stats["by_theme"] == {"spread": 2}
    assert stats["by_organisation_kind"] == {"municipality": 2}
    assert sum(stats["by_day"].values()) == 2


def test_statistics_count_each_activity_on_its_day_in_the_editions_time_zone(client, runtime, week):
    from datetime import timedelta

    published(client, runtime, week, starts_at=week.at(1, 25), ends_at=week.at(1, 26))  # 23:00 UTC, midnight in Stockholm
    stats = client.get("/api/v1/editions/test-week/statistics").get_json()
    assert stats["by_day"] == {(week.starts_at + timedelta(days=2)).date().isoformat(): 1}


def test_featuring_is_for_coordinators_and_shows_in_the_programme(client, runtime, week):
    activity_id = published(client, runtime, week)
    assert client.post(f"/api/v1/activities/{activity_id}/feature", json={"featured": True}, headers=week.organiser).status_code == 403
    assert client.post(f"/api/v1/activities/{activity_id}/feature", json={"featured": True}, headers=week.coordinator).status_code == 200
    run_jobs(runtime)
    assert [i["id"] for i in client.get(f"{PROGRAMME}?featured=true").get_json()["items"]] == [activity_id]


def test_changing_the_editions_time_zone_republishes_its_programme(client, runtime, week):
    activity_id = published(client, runtime, week)
    response = client.patch("/api/v1/editions/test-week", json={"timezone": "Europe/Copenhagen"}, headers=week.coordinator)
    assert response.status_code == 200
    run_jobs(runtime)
    data = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert data["timezone"] == "Europe/Copenhagen"
    assert data["change_number"] == 2


def test_a_reader_never_misses_a_change_while_many_publish_at_once(runtime, week, client):
    """Publishers hold their change number a while before committing; a partner polling the feed
    all along must still see every change, because numbers are taken under a lock at commit."""
    ids = [published_quietly(client, runtime, week, n) for n in range(24)]
    delay = random.Random(7)

    def slow_announce(session, entry, event):
        time.sleep(delay.uniform(0, 0.02))  # between taking the number and committing

    seen: dict[int, int] = {}
    done = threading.Event()

    def reader() -> None:
        last = 0
        while not done.is_set():
            with runtime.database.sessions() as session:
                edition = programme.get_edition(session, "test-week")
                for entry in programme.changes_after(session, edition, last, limit=500):
                    seen[entry.activity_id] = entry.change_number
                    last = entry.change_number
        with runtime.database.sessions() as session:
            edition = programme.get_edition(session, "test-week")
            for entry in programme.changes_after(session, edition, last, limit=500):
                seen[entry.activity_id] = entry.change_number

    def publisher(chunk: list[int]) -> None:
        for activity_id in chunk:
            with runtime.database.unit_of_work() as session:
                programme.publish(session, activity_id)

    original = programme.announce
    programme.announce = slow_announce
    try:
        reading = threading.Thread(target=reader)
        reading.start()
        publishers = [threading.Thread(target=publisher, args=(ids[i::6],)) for i in range(6)]
        for thread in publishers:
            thread.start()
        for thread in publishers:
            thread.join()
        done.set()
        reading.join()
    finally:
        programme.announce = original
    assert sorted(seen) == sorted(ids), "the polling reader missed a change that committed late"
    assert sorted(seen.values()) == list(range(1, len(ids) + 1))


def published_quietly(client, runtime, week, n: int) -> int:
    """An approved activity whose publish job has not run yet."""
    from innovationsweek.activities.models import Activity, ActivityStatus, Revision, RevisionState
    from innovationsweek.activities.service import content_of

    activity_id = client.post(
        ACTIVITIES, json=week.webcast(title=f"Aktivitet {n}", starts_at=week.at(n % 4, 9), ends_at=week.at(n % 4, 10)), headers=week.organiser
    ).get_json()["id"]
    with runtime.database.unit_of_work() as session:
        activity = session.get(Activity, activity_id)
        activity.approved_revision = Revision(activity=activity, number=1, state=RevisionState.APPROVED, content=content_of(activity))
        activity.status = ActivityStatus.PUBLISHED
    return activity_id


def test_the_programme_as_icalendar_atom_and_json_ld(client, runtime, week):
    import icalendar
    from xml.etree import ElementTree

    activity_id = published(client, runtime, week)
    ics = client.get("/api/v1/editions/test-week/programme.ics")
    assert ics.mimetype == "text/calendar"
    [event] = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert str(event["UID"]) == f"activity-{activity_id}@innovationsweek"
    assert event["SEQUENCE"] == 0
    with client.get("/api/v1/editions/test-week/programme.ics") as again:  # served from its file: closed as a server would
        assert again.data == ics.data  # stable for ETags and clients
    client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Sjuk"}, headers=week.organiser)
    run_jobs(runtime)
    [event] = icalendar.Calendar.from_ical(client.get(f"/api/v1/programme/activities/{activity_id}.ics").data).walk("VEVENT")
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 1)
    atom = ElementTree.fromstring(client.get("/api/v1/editions/test-week/programme.atom").data)
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    ld = client.get(f"/api/v1/programme/activities/{activity_id}", headers={"Accept": "application/ld+json"})
    assert ld.mimetype == "application/ld+json"
    assert ld.get_json()["eventStatus"] == "https://schema.org/EventCancelled"
    assert ld.get_json()["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert client.get(f"/api/v1/programme/activities/{activity_id}?format=jsonld").get_json()["@type"] == "Event"
    assert client.get(f"/api/v1/programme/activities/{activity_id}").get_json()["status"] == "cancelled"


def test_redis_down_while_approving_loses_no_publication(client, runtime, week, settings):
    from dataclasses import replace

    from innovationsweek.app import create_app
    from innovationsweek.outbox import relay
    from innovationsweek.runtime import Runtime

    activity_id = client.post(ACTIVITIES, json=week.webcast(), headers=week.organiser).get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser)
    run_jobs(runtime)
    broken = Runtime(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    try:
        approve = create_app(runtime=broken).test_client().post(
            f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator
        )
        assert approve.status_code == 200
    finally:
        broken.close()
    create_app(runtime=runtime)
    assert client.get(PROGRAMME).get_json()["items"] == []  # not yet: the job waits in the outbox
    assert relay(runtime.database.engine, runtime.redis) >= 1
    run_jobs(runtime)
    assert [item["id"] for item in client.get(PROGRAMME).get_json()["items"]] == [activity_id]


def test_a_re_render_shows_only_the_approved_version_and_accepted_co_organisers(client, runtime, week, people, partner, receiver):
    """Featuring, a report or a rename re-renders an entry: an edit still in review (a new
    title, one more co-organiser, even an accepted one) must not go public with it."""
    assert client.post("/api/v1/webhooks", json={"url": receiver.url, "events": ["activity.updated"]}, headers=partner.headers).status_code == 201
    people.create("eva@regionostergotland.se")
    eva = people.headers("eva@regionostergotland.se")
    region = client.post("/api/v1/organisations", json={"name": "Region Östergötland", "kind": "region", "country": "SE"}, headers=eva).get_json()["id"]
    umea = week.other_organisation_id
    activity_id = published(client, runtime, week, co_organiser_ids=[umea])
    assert client.post(f"/api/v1/activities/{activity_id}/co-organisers/{umea}/accept", headers=week.outsider).status_code == 200
    etag = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).headers["ETag"]
    edit = {"title": "Ej granskad titel", "co_organiser_ids": [umea, region]}
    assert client.patch(f"/api/v1/activities/{activity_id}", json=edit, headers={**week.organiser, "If-Match": etag}).status_code == 200
    assert client.post(f"/api/v1/activities/{activity_id}/co-organisers/{region}/accept", headers=eva).status_code == 200
    assert client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.organiser).status_code == 200
    run_jobs(runtime)
    assert client.post(f"/api/v1/activities/{activity_id}/feature", json={"featured": True}, headers=week.coordinator).status_code == 200
    assert client.patch(f"/api/v1/organisations/{umea}", json={"name": "Umeå kommun, Kultur"}, headers=week.outsider).status_code == 200
    run_jobs(runtime)

    public = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert (public["featured"], public["title"]) == (True, week.webcast()["title"])
    assert [o["name"] for o in public["co_organisers"]] == ["Umeå kommun, Kultur"]  # live names, approved list
    assert client.get(PROGRAMME).get_json()["items"] == [public]
    assert client.get(f"{FEED}?afterChangeNumber=0").get_json()["items"][-1]["data"] == public
    ld = client.get(f"/api/v1/programme/activities/{activity_id}?format=jsonld").get_json()
    assert [o["name"] for o in ld["organizer"]] == ["Linköpings kommun", "Umeå kommun, Kultur"]
    calendars = client.get(f"/api/v1/programme/activities/{activity_id}.ics").data + client.get("/api/v1/editions/test-week/programme.ics").data
    assert week.webcast()["title"].encode() in calendars
    assert "Ej granskad".encode() not in calendars and "Region".encode() not in calendars
    with runtime.database.sessions() as session:
        payloads = list(session.scalars(sa.select(WebhookDelivery.payload).order_by(WebhookDelivery.id)))
    assert len(payloads) >= 2  # featuring and the rename were announced
    assert all("Ej granskad" not in payload and "Region" not in payload for payload in payloads)
    assert json.loads(payloads[-1])["data"]["change_number"] == public["change_number"]


@pytest.mark.parametrize(
    "reason",
    [
        "Inställt. Vinn en resa på https://spam.example/win",
        "Cancelled, but try our casino instead",
        "Inställt <script>alert(1)</script>",
        "INSTÄLLT!!!!!!!!",
    ],
)
def test_a_cancellation_reason_that_would_go_public_unreviewed_may_not_carry_links_spam_or_html(client, runtime, week, reason):
    activity_id = published(client, runtime, week)
    version = client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).headers["ETag"]

    response = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": reason}, headers=week.organiser)

    assert response.status_code == 422
    assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/reason"]
    run_jobs(runtime)
    entry = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert (entry["status"], entry["cancellation_reason"]) == ("published", None)
    assert client.get(f"/api/v1/activities/{activity_id}", headers=week.organiser).headers["ETag"] == version


def test_a_plain_cancellation_reason_is_public_at_once(client, runtime, week):
    activity_id = published(client, runtime, week)
    response = client.post(f"/api/v1/activities/{activity_id}/cancel", json={"reason": "Talaren är sjuk. Vi återkommer med nytt datum."}, headers=week.organiser)
    assert response.status_code == 200
    run_jobs(runtime)
    entry = client.get(f"/api/v1/programme/activities/{activity_id}").get_json()
    assert (entry["status"], entry["cancellation_reason"]) == ("cancelled", "Talaren är sjuk. Vi återkommer med nytt datum.")


def _words_kept(runtime) -> dict[int, str]:
    with runtime.database.engine.connect() as connection:
        return dict(connection.execute(sa.text("SELECT activity_id, words::text FROM programme_words")).all())


def test_the_searchable_words_follow_every_entry_into_and_out_of_the_programme(client, runtime, week):
    kept = published(client, runtime, week, title="Dialogmöte om trygghet")
    gone = published(client, runtime, week, title="Workshop om välfärdsteknik", starts_at=week.at(2, 9), ends_at=week.at(2, 10))
    assert "'trygghet'" in _words_kept(runtime)[kept] and set(_words_kept(runtime)) == {kept, gone}
    migrate.downgrade(runtime.database.engine, "0022")
    migrate.upgrade(runtime.database.engine)  # 0023 copies the words of a programme there was
    assert set(_words_kept(runtime)) == {kept, gone}
    client.post(f"/api/v1/activities/{gone}/withdraw", headers=week.organiser)
    run_jobs(runtime)
    assert set(_words_kept(runtime)) == {kept}
    assert client.get(f"{PROGRAMME}?q=välfärdsteknik").get_json()["items"] == []
    assert [i["id"] for i in client.get(f"{PROGRAMME}?q=trygghet").get_json()["items"]] == [kept]
