"""A coordinator adds a national webcast to the week: it is created and submitted as the API
would, hosted by their national organisation; a refused form says why next to each field, keeps
what was typed and creates nothing; organisers may not open it. And featuring: a published
activity can be featured from its review also while an edit of it waits for a decision."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus, Format, RevisionState
from innovationsweek.editions.models import Edition
from tests.conftest import run_jobs
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, published_activity, submit_edit, week  # noqa: F401
from tests.pages.test_sign_in import csrf_token, sign_in

TITLE = "Nationell webbsändning: Innovation i välfärden"


def form_url(slug: str) -> str:
    return f"/coordinator/editions/{slug}/webcasts/new"


def webcasts_titled(runtime, title: str) -> list[Activity]:
    with runtime.database.sessions() as session:
        found = list(session.scalars(sa.select(Activity).where(Activity.title == title)))
        for activity in found:
            _ = activity.organisation.name, activity.edition.timezone  # loaded before the session ends
        return found


def valid_form(client, runtime, slug: str, link_server: str) -> dict[str, object]:
    page = client.get(form_url(slug) + "?lang=en")
    host = national_host_option(page.get_data(as_text=True))
    with runtime.database.sessions() as session:
        edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
        starts = edition.starts_at.astimezone(ZoneInfo(edition.timezone)).replace(hour=10, minute=0) + timedelta(days=1)
        theme = edition.themes[0]["key"]
    return {
        "csrf_token": csrf_token(page), "organisation_id": host, "title": TITLE, "summary": "Hur kommuner sprider det som fungerar.",
        "description": "<p>Välkommen!</p>", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "online_url": f"{link_server}/ok/national",
        "languages": ["sv"], "audiences": ["employees", "managers"], "themes": [theme],
    }


def national_host_option(html: str) -> str:
    return re.search(r'<option (?:selected )?value="(\d+)">Sveriges Kommuner och Landsting</option>', html).group(1)


def test_a_coordinator_adds_a_national_webcast_which_waits_for_review(client, runtime, week, link_server):
    sign_in(client, COORDINATOR)
    sent = client.post(form_url(week), data=valid_form(client, runtime, week, link_server))
    assert sent.status_code == 303, sent.get_data(as_text=True)
    [webcast] = webcasts_titled(runtime, TITLE)
    assert sent.headers["Location"].endswith(f"/coordinator/activities/{webcast.id}")
    assert webcast.format == Format.WEBCAST and webcast.organisation.name == "Sveriges Kommuner och Landsting"
    assert webcast.starts_at.astimezone(ZoneInfo(webcast.edition.timezone)).hour == 10
    assert webcast.status == ActivityStatus.SUBMITTED
    run_jobs(runtime)
    queue = client.get(f"/coordinator/editions/{week}/queue?lang=en").get_data(as_text=True)
    assert TITLE in queue


def test_a_refused_form_says_why_next_to_each_field_keeps_the_values_and_creates_nothing(client, runtime, week, link_server):
    sign_in(client, COORDINATOR)
    form = valid_form(client, runtime, week, link_server)
    refused = client.post(
        form_url(week) + "?lang=en", data={**form, "title": "", "ends_at": form["starts_at"], "online_url": "not a link"}
    )
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'id="title-error"' in html and "Enter a title." in html
    assert 'id="online_url-error"' in html  # refused by the API's schema at the same time
    assert 'value="not a link"' in html  # kept as typed
    assert "Hur kommuner sprider det som fungerar." in html
    assert 'href="#title"' in html  # the summary links to the field
    assert webcasts_titled(runtime, TITLE) == [] and webcasts_titled(runtime, "") == []

    later = client.post(form_url(week) + "?lang=en", data={**form, "ends_at": form["starts_at"], "online_url": "ftp://x"})
    assert later.status_code == 400
    assert 'id="ends_at-error"' in later.get_data(as_text=True) and 'id="online_url-error"' in later.get_data(as_text=True)
    assert webcasts_titled(runtime, TITLE) == []

    garbled = client.post(form_url(week) + "?lang=sv", data={**form, "starts_at": "i morgon", "languages": ["xx"]})
    assert garbled.status_code == 400
    html = garbled.get_data(as_text=True)
    assert "Ange när den börjar, som datum och tid." in html and "Välj från listan." in html
    assert "Not a valid" not in html
    assert webcasts_titled(runtime, TITLE) == []


def test_without_its_token_the_form_creates_nothing(client, runtime, week, link_server):
    sign_in(client, COORDINATOR)
    form = valid_form(client, runtime, week, link_server)
    assert client.post(form_url(week), data={**form, "csrf_token": "x"}).status_code == 400
    assert webcasts_titled(runtime, TITLE) == []


def test_an_organiser_may_not_add_a_national_webcast(client, runtime, week):
    sign_in(client, ORGANISER)
    assert client.get(form_url(week)).status_code == 403
    assert client.post(form_url(week), data={"title": TITLE}).status_code == 403
    assert webcasts_titled(runtime, TITLE) == []


def test_the_coordinators_home_links_the_webcast_form(client, week):
    sign_in(client, COORDINATOR)
    assert form_url(week) in client.get("/coordinator/").get_data(as_text=True)


def test_a_published_activity_with_an_edit_in_review_can_be_featured(client, runtime, week):
    activity_id = published_activity(runtime, week, "Studiebesök")
    submit_edit(client, runtime, activity_id, title="Studiebesök: en ny titel")
    with runtime.database.sessions() as session:
        assert session.get(Activity, activity_id).latest_revision.state == RevisionState.IN_REVIEW
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/activities/{activity_id}?lang=en")
    assert "Feature it" in page.text
    featured = client.post(f"/coordinator/activities/{activity_id}/feature", data={"csrf_token": csrf_token(page), "featured": "1"})
    assert featured.status_code == 303
    with runtime.database.sessions() as session:
        assert session.get(Activity, activity_id).featured
