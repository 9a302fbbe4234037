"""Solutions of past weeks through the API: finding them across editions, building on one (moderated,
shown on both public entries, in both feeds and webhooks, told to the earlier organisers), copying an
activity forward, featuring a solution, and the programme's reuse statistics."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from innovationsweek.activities.models import Activity
from innovationsweek.organisations.models import Organisation
from innovationsweek.registrations.models import Registration
from innovationsweek.webhooks.models import WebhookDelivery
from tests.conftest import problem_of, run_jobs
from tests.reminders.conftest import mails, register
from tests.solutions.conftest import HOW_TO_REUSE, STOCKHOLM, past, public, publish_in, solution  # noqa: F401 (fixture)
from tests.webhooks.conftest import partner  # noqa: F401 (fixture)

SOLUTIONS = "/api/v1/solutions"


def found(client, query: str = "") -> list[int]:
    response = client.get(f"{SOLUTIONS}?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def build_on(client, runtime, week, reused_id: int, **overrides) -> int:
    """Umeå's activity of the test week that builds on ``reused_id``, published."""
    body = week.webcast(**{"organisation_id": week.other_organisation_id, "title": "Digitala medarbetare i Umeås hemtjänst", "reuses": [reused_id], **overrides})
    return publish_in(client, runtime, week, week.slug, body, headers=week.outsider)


def test_a_past_activity_is_found_with_its_material_across_editions(client, runtime, week, past):
    with_material = solution(client, runtime, week, past)
    without = solution(client, runtime, week, past, material=False, title="Öppet hus: Innovationslabbet", format="other", themes=["involve"])
    upcoming = publish_in(client, runtime, week, week.slug, week.webcast())

    response = client.get(SOLUTIONS)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [without, with_material]  # the latest first; nothing upcoming
    assert upcoming not in [item["id"] for item in items]
    assert items[1]["material"] == {"links": [{"title": "Bilder (PDF)", "url": f"{week.link_server}/ok/bilder.pdf"}], "how_to_reuse": HOW_TO_REUSE}
    assert (items[1]["reused_by"], items[1]["reuse_count"], items[1]["edition"]) == ([], 0, past.slug)

    assert found(client, "has_material=true") == [with_material]
    assert found(client, "has_material=false") == [without]
    assert found(client, "q=hemtjänsten") == [with_material]
    assert found(client, "theme=involve") == [without]
    assert found(client, "format=study_visit") == [with_material]
    assert found(client, "organisation_kind=municipality&region=Östergötland") == [without, with_material]
    assert found(client, "organisation_kind=region") == []
    assert found(client, f"edition={past.slug}") == [without, with_material]
    assert found(client, f"edition={week.slug}") == []


def test_solutions_are_paged_by_cursor_and_answer_304_until_something_changes(client, runtime, week, past):
    ids = [solution(client, runtime, week, past, material=False, title=f"Workshop {n}", starts_at=past.at(n, 9), ends_at=past.at(n, 10)) for n in range(3)]

    first = client.get(f"{SOLUTIONS}?limit=2")
    body = first.get_json()
    assert [item["id"] for item in body["items"]] == [ids[2], ids[1]] and body["total"] == 3
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(f"{SOLUTIONS}?limit=2&cursor={body['next_cursor']}").get_json()
    assert [item["id"] for item in second["items"]] == [ids[0]] and second["next_cursor"] is None

    again = client.get(f"{SOLUTIONS}?limit=2", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    client.post(f"/api/v1/activities/{ids[0]}/feature-solution", json={"featured": True}, headers=week.coordinator)
    run_jobs(runtime)
    changed = client.get(f"{SOLUTIONS}?limit=2", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_bad_filters_are_a_422_naming_the_parameter(client, week, past):
    for query, name in (("format=juggling", "format"), ("edition=Not%20a%20slug", "edition"), ("has_material=perhaps", "has_material"), ("cursor=bm9wZQ", "cursor"), ("colour=red", "colour")):
        response = client.get(f"{SOLUTIONS}?{query}")
        assert response.status_code == 422, query
        assert name in str(problem_of(response)), query


def test_building_on_a_solution_is_moderated_then_shown_on_both_entries_and_told_to_its_organisers(client, runtime, week, past, partner):
    reused = solution(client, runtime, week, past)
    hook = client.post("/api/v1/webhooks", json={"url": "https://partner.example/hook", "events": ["activity.updated", "activity.published"]}, headers=partner.headers)
    assert hook.status_code == 201, hook.get_json()
    past_change = public(client, reused)["change_number"]
    body = week.webcast(organisation_id=week.other_organisation_id, title="Digitala medarbetare i Umeås hemtjänst")
    created = client.post(f"/api/v1/editions/{week.slug}/activities", json={**body, "reuses": [reused]}, headers=week.outsider)
    assert created.status_code == 201 and created.get_json()["reuses"] == [reused]
    activity_id = created.get_json()["id"]
    client.post(f"/api/v1/activities/{activity_id}/submit", headers=week.outsider)
    run_jobs(runtime)

    assert public(client, reused)["reused_by"] == []  # nothing before a coordinator approves
    review = client.get(f"/api/v1/activities/{activity_id}/revisions", headers=week.coordinator).get_json()["items"]
    assert review[-1]["state"] == "in_review"
    client.post(f"/api/v1/activities/{activity_id}/review", json={"decision": "approve"}, headers=week.coordinator)
    run_jobs(runtime)

    earlier = {"id": reused, "edition": past.slug, "title": "Studiebesök: Digitala medarbetare i hemtjänsten", "organiser": "Linköpings kommun"}
    later = {"id": activity_id, "edition": week.slug, "title": "Digitala medarbetare i Umeås hemtjänst", "organiser": "Umeå kommun"}
    assert public(client, activity_id)["reuses"] == [earlier]
    assert (public(client, reused)["reused_by"], public(client, reused)["reuse_count"]) == ([later], 1)
    # The earlier entry changed too: its own week's feed and partners' webhooks carry it.
    feed = client.get(f"/api/v1/editions/{past.slug}/feed?afterChangeNumber={past_change}").get_json()["items"]
    assert [(item["id"], item["data"]["reused_by"]) for item in feed] == [(reused, [later])]
    with runtime.database.sessions() as session:
        told = session.execute(sa.select(WebhookDelivery.activity_id, WebhookDelivery.event)).all()
    assert {(reused, "activity.updated"), (activity_id, "activity.published")} <= {(a, str(getattr(e, "value", e))) for a, e in told}
    # Linköping's members hear of it, in Swedish (a Swedish municipality).
    subjects = {(mail.to_address, mail.subject) for mail in mails(runtime)}
    assert ("olga@linkoping.se", "Umeå kommun bygger vidare på er aktivitet ”Studiebesök: Digitala medarbetare i hemtjänsten”") in subjects
    assert ("kim@linkoping.se", "Umeå kommun bygger vidare på er aktivitet ”Studiebesök: Digitala medarbetare i hemtjänsten”") in subjects


def test_withdrawing_the_later_activity_takes_the_link_off_the_earlier_entry(client, runtime, week, past):
    reused = solution(client, runtime, week, past, material=False)
    later = build_on(client, runtime, week, reused)
    assert public(client, reused)["reuse_count"] == 1

    assert client.post(f"/api/v1/activities/{later}/withdraw", headers=week.outsider).status_code == 200
    run_jobs(runtime)

    assert (public(client, reused)["reused_by"], public(client, reused)["reuse_count"]) == ([], 0)


def test_an_activity_builds_only_on_earlier_published_activities(client, runtime, week, past):
    reused = solution(client, runtime, week, past, material=False)
    draft = client.post(f"/api/v1/editions/{week.slug}/activities", json=week.webcast(title="Utkast"), headers=week.organiser).get_json()["id"]
    later = publish_in(client, runtime, week, week.slug, week.webcast(title="Senare", starts_at=week.at(3, 10), ends_at=week.at(3, 11)))
    body = week.webcast(title="Bygger vidare")
    for reuses in ([reused, 999_999], [draft], [later]):
        response = client.post(f"/api/v1/editions/{week.slug}/activities", json={**body, "reuses": reuses}, headers=week.organiser)
        assert response.status_code == 422, reuses
        assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/reuses"], reuses
    version = client.get(f"/api/v1/activities/{draft}", headers=week.organiser).headers["ETag"]
    itself = client.patch(f"/api/v1/activities/{draft}", json={"reuses": [draft]}, headers={**week.organiser, "If-Match": version})
    assert itself.status_code == 422
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity).where(Activity.title == "Bygger vidare")) == 0


def test_copying_forward_makes_a_draft_on_the_same_weekday_and_time_that_builds_on_the_original(client, runtime, week, past):
    original = solution(client, runtime, week, past, material=False)  # Tuesday 1 October 2019, 13:00-15:00
    register(runtime, original, "deltagare@example.org")
    copied = client.post(f"/api/v1/activities/{original}/copy", json={"edition": week.slug}, headers=week.colleague)

    assert copied.status_code == 201, copied.get_json()
    copy = copied.get_json()
    start = datetime.fromisoformat(copy["starts_at"]).astimezone(STOCKHOLM)
    end = datetime.fromisoformat(copy["ends_at"]).astimezone(STOCKHOLM)
    assert (start.weekday(), start.strftime("%H:%M"), end.strftime("%H:%M")) == (1, "13:00", "15:00")
    assert datetime.fromisoformat(week.at(0, 8)).astimezone(STOCKHOLM).date() <= start.date()
    assert (copy["edition"], copy["status"], copy["reuses"], copy["revision"], copy["findings"]) == (week.slug, "draft", [original], None, [])
    assert (copy["title"], copy["venue"]["municipality"], copy["organisation"]["id"]) == (
        "Studiebesök: Digitala medarbetare i hemtjänsten", "Linköping", week.organisation_id
    )
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.activity_id == copy["id"])) == 0


def test_only_the_hosts_members_copy_and_only_into_a_later_week(client, runtime, week, past):
    original = solution(client, runtime, week, past, material=False)
    assert client.post(f"/api/v1/activities/{original}/copy", json={"edition": week.slug}, headers=week.outsider).status_code == 404
    assert client.post(f"/api/v1/activities/{original}/copy", json={"edition": week.slug}, headers=week.coordinator).status_code == 403
    for edition in (past.slug, "no-such-week"):
        response = client.post(f"/api/v1/activities/{original}/copy", json={"edition": edition}, headers=week.organiser)
        assert response.status_code == 422
        assert [error["pointer"] for error in problem_of(response)["errors"]] == ["/edition"]
    assert client.post(f"/api/v1/activities/{original}/copy", json={}, headers=week.organiser).status_code == 422
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Activity)) == 1


def test_coordinators_feature_a_solution(client, runtime, week, past):
    reused = solution(client, runtime, week, past, material=False)
    other = solution(client, runtime, week, past, material=False, title="Annat", starts_at=past.at(2, 9), ends_at=past.at(2, 10))
    assert client.post(f"/api/v1/activities/{reused}/feature-solution", json={"featured": True}, headers=week.organiser).status_code == 403

    response = client.post(f"/api/v1/activities/{reused}/feature-solution", json={"featured": True}, headers=week.coordinator)
    run_jobs(runtime)

    assert response.status_code == 200
    assert found(client, "featured=true") == [reused]
    assert found(client, "featured=false") == [other]
    assert public(client, reused)["featured_solution"] is True


def test_statistics_give_the_share_of_activities_that_build_on_solutions(client, runtime, week, past):
    reused = solution(client, runtime, week, past, material=False)
    build_on(client, runtime, week, reused)
    build_on(client, runtime, week, reused, title="Också Umeå", starts_at=week.at(2, 10), ends_at=week.at(2, 11))
    publish_in(client, runtime, week, week.slug, week.webcast(title="Helt nytt", starts_at=week.at(3, 10), ends_at=week.at(3, 11)))
    publish_in(client, runtime, week, week.slug, week.webcast(title="Också nytt", starts_at=week.at(3, 12), ends_at=week.at(3, 13)))

    statistics = client.get(f"/api/v1/editions/{week.slug}/statistics").get_json()

    assert statistics["reuse"] == {"activities_reusing": 2, "share": 0.5, "solutions_reused": 1}
    assert client.get(f"/api/v1/editions/{past.slug}/statistics").get_json()["reuse"] == {"activities_reusing": 0, "share": 0.0, "solutions_reused": 0}


def test_closing_the_earlier_programme_hides_it_on_the_later_entry_until_it_opens_again(client, runtime, week, past):
    reused = solution(client, runtime, week, past, material=False)
    later = build_on(client, runtime, week, reused)

    closed = client.patch(f"/api/v1/editions/{past.slug}", json={"programme_open": False}, headers=week.coordinator)
    assert closed.status_code == 200, closed.get_json()
    run_jobs(runtime)
    assert (public(client, later)["reuses"], found(client)) == ([], [])

    client.patch(f"/api/v1/editions/{past.slug}", json={"programme_open": True}, headers=week.coordinator)
    run_jobs(runtime)
    assert [other["id"] for other in public(client, later)["reuses"]] == [reused]
    assert public(client, reused)["reuse_count"] == 1


def test_the_earlier_organisers_are_told_in_their_own_language(client, runtime, week, past):
    with runtime.database.unit_of_work() as session:
        session.get(Organisation, week.other_organisation_id).country = "DK"  # Umeå, as if Danish
    body = week.webcast(organisation_id=week.other_organisation_id, title="Aalborgværkstedet", starts_at=past.at(3, 13), ends_at=past.at(3, 16))
    earlier = publish_in(client, runtime, week, past.slug, body, headers=week.outsider)

    publish_in(client, runtime, week, week.slug, week.webcast(title="Linköpingsverkstaden", reuses=[earlier]))

    told = [mail for mail in mails(runtime, to="ulf@umea.se") if "bygger" in mail.subject]
    assert [mail.subject for mail in told] == ["Linköpings kommun bygger videre på jeres aktivitet »Aalborgværkstedet«"]
    assert "Stjæl med stolthed" in told[0].text


def test_a_host_that_builds_on_its_own_earlier_activity_is_shown_the_link_but_not_mailed_about_it(client, runtime, week, past):
    earlier = solution(client, runtime, week, past)  # Linköping's

    later = publish_in(client, runtime, week, week.slug, week.webcast(title="Digitala medarbetare, steg två", reuses=[earlier]))

    assert [item["id"] for item in public(client, earlier)["reused_by"]] == [later]
    assert [mail.subject for mail in mails(runtime, to="olga@linkoping.se") if "bygger" in mail.subject] == []
