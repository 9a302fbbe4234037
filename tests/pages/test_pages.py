"""The public pages over the demo data: the current edition at /, the programme with the API's
filters, day by day, its errors next to the fields, cached per language; the activity page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.demo import EDITION_SLUG
from innovationsweek.editions.models import Edition
from innovationsweek.programme import formats
from tests.conftest import PUBLIC_URL

PROGRAMME = f"/editions/{EDITION_SLUG}"


@pytest.fixture
def demo(demo_data, runtime):
    return runtime


def activity_id(runtime, title: str, slug: str = EDITION_SLUG) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(
            sa.select(Activity.id).join(Edition).where(Activity.title == title, Edition.slug == slug)
        )


def html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)">', response.text).group(1)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(response) -> str:
    parser = _Text()
    parser.feed(response.text)
    return " ".join(" ".join(parser.parts).split())


def test_home_opens_the_running_or_next_week(client, demo):
    response = client.get("/")

    assert response.status_code == 302
    with demo.database.sessions() as session:
        upcoming = session.scalar(sa.select(Edition.slug).where(Edition.slug != EDITION_SLUG))
    assert response.headers["Location"] == f"/editions/{upcoming}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_home_falls_back_to_the_latest_week_when_none_is_ahead(client, demo):
    with demo.database.unit_of_work() as session:
        session.execute(sa.update(Edition).where(Edition.slug != EDITION_SLUG).values(programme_open=False))

    assert client.get("/").headers["Location"] == PROGRAMME


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected", "vary"),
    [
        ("?lang=en", "da", "da", "en", set()),
        ("", "da", "en", "da", {"Cookie"}),
        ("", None, "da, en;q=0.5", "da", {"Cookie", "Accept-Language"}),
        ("", None, "fr", "sv", {"Cookie", "Accept-Language"}),  # the edition is named in Swedish first
    ],
)
def test_the_language_is_asked_then_remembered_then_accepted_then_the_editions(client, demo, query, cookie, accept, expected, vary):
    if cookie:
        client.set_cookie("lang", cookie)

    response = client.get(PROGRAMME + query, headers={"Accept-Language": accept})

    assert response.status_code == 200
    assert html_lang(response) == expected
    assert vary <= set(response.vary)
    assert {"Innovationsveckan 2019": "sv", "Innovationsugen 2019": "da", "Innovation Week 2019": "en"}[
        re.search(r"<h1>([^<]+)</h1>", response.text).group(1)
    ] == expected


def test_the_language_switch_remembers_the_choice_and_goes_back(client, demo):
    response = client.get("/language", query_string={"lang": "da", "next": PROGRAMME + "?format=webcast"})

    assert response.status_code == 303
    assert response.headers["Location"] == PROGRAMME + "?format=webcast"
    assert html_lang(client.get(PROGRAMME)) == "da"
    assert client.get("/language", query_string={"lang": "en", "next": "//evil.example/"}).headers["Location"] == "/"


def test_the_programme_is_filtered_as_the_api_filters_it(client, demo):
    page = text_of(client.get(PROGRAMME, query_string={"format": "webcast", "lang": "en"}))
    api = client.get(f"/api/v1/editions/{EDITION_SLUG}/programme", query_string={"format": "webcast"}).json

    assert f"({api['total']} found)" in page
    assert all(item["title"] in page for item in api["items"])
    assert "Öppet hus: Innovationslabbet" not in page  # not a webcast


def test_days_are_headed_in_the_editions_time_zone_and_language(client, demo):
    swedish = text_of(client.get(PROGRAMME, query_string={"lang": "sv"}))
    danish = text_of(client.get(PROGRAMME, query_string={"lang": "da"}))

    assert "måndag 30 september 2019" in swedish
    assert "mandag den 30. september 2019" in danish
    assert "09:00" in swedish and "09.00" in danish  # 07:00 UTC, in Stockholm


def test_featured_and_national_webcasts_come_first_and_cancelled_ones_say_so(client, demo):
    response = client.get(PROGRAMME, query_string={"lang": "en"})
    highlights = response.text.split('id="highlights-title"')[1].split('id="all-title"')[0]
    cancelled = response.text.split("Öppet hus: Innovationslabbet")[1][:400]

    assert "Invigning av Innovationsveckan" in highlights  # Vinnova's webcast
    assert "Webbinarium: AI i ärendehandläggning" not in highlights  # a city's webcast
    assert "Cancelled" in cancelled


def test_more_pages_follow_the_cursor(client, demo):
    first = client.get(PROGRAMME, query_string={"limit": 3, "lang": "en"})
    more = re.search(r'href="([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(more)

    assert second.status_code == 200
    titles = lambda r: re.findall(r'class="card__title"><a href="/activities/(\d+)"', r.text)  # noqa: E731
    assert titles(first)[-3:] != titles(second)[-3:]
    assert not set(titles(second)) & set(re.findall(r'<h4 class="card__title"><a href="/activities/(\d+)"', first.text))


def test_a_bad_filter_is_shown_next_to_its_field_in_the_chosen_language(client, demo):
    response = client.get(PROGRAMME, query_string={"from": "30/9", "format": "picnic", "lang": "da"})

    assert response.status_code == 400
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#filter-from"' in summary and 'href="#filter-format"' in summary
    assert "Skriv datoen som år-måned-dag." in text_of(response)
    assert re.search(r'id="filter-format-error"[^>]*>.*Vælg et format på listen\.', response.text)
    assert 'aria-describedby="filter-from-hint filter-from-error"' in response.text
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_to_before_from_is_an_error_on_to(client, demo):
    response = client.get(PROGRAMME, query_string={"from": "2019-10-02", "to": "2019-10-01", "lang": "en"})

    assert response.status_code == 400
    assert 'id="filter-to-error"' in response.text


def test_pages_are_revalidated_per_language(client, demo):
    swedish = client.get(PROGRAMME, headers={"Accept-Language": "sv"})
    danish = client.get(PROGRAMME, headers={"Accept-Language": "da"})

    assert swedish.headers["ETag"] != danish.headers["ETag"]
    assert "Accept-Language" in danish.vary
    again = client.get(PROGRAMME, headers={"Accept-Language": "da", "If-None-Match": danish.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(PROGRAMME, headers={"Accept-Language": "sv", "If-None-Match": danish.headers["ETag"]}).status_code == 200


def test_the_activity_page_has_what_a_participant_needs(client, demo):
    activity = activity_id(demo, "Invigning av Innovationsveckan: Att sprida och involvera")
    response = client.get(f"/activities/{activity}", query_string={"lang": "sv"})
    page = text_of(response)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1))
    expected = formats.json_ld(_entry(demo, activity), base_url=PUBLIC_URL)

    assert response.status_code == 200
    assert ld == expected
    assert "måndag 30 september 2019, 09:00 – 10:00" in page
    assert "Vinnova" in page and "Webbsändning" in page and "svenska" in page
    assert f'href="/api/v1/programme/activities/{activity}.ics"' in response.text
    assert "Delta digitalt" in page


def test_a_cancelled_activity_says_so(client, demo):
    activity = activity_id(demo, "Öppet hus: Innovationslabbet")

    response = client.get(f"/activities/{activity}", query_string={"lang": "da"})
    page = text_of(response)

    assert "Aktiviteten er aflyst." in page
    assert "Inställt på grund av sjukdom." in page  # the organiser's words, as written
    assert html_lang(response) == "da" and '<h1 lang="sv">' in response.text  # and marked as Swedish


def test_an_activity_not_in_an_open_programme_is_not_found_in_the_chosen_language(client, demo):
    with demo.database.sessions() as session:
        draft = session.scalar(sa.select(Activity.id).where(Activity.status == ActivityStatus.DRAFT))

    response = client.get(f"/activities/{draft}", headers={"Accept-Language": "da"})

    assert response.status_code == 404
    assert html_lang(response) == "da" and "Siden findes ikke" in response.text
    assert response.mimetype == "text/html"


def _entry(runtime, activity: int):
    from innovationsweek.programme.models import ProgrammeEntry

    with runtime.database.sessions() as session:
        entry = session.get(ProgrammeEntry, activity)
        session.expunge(entry)
        return entry
