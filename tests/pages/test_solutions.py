"""Solutions of past weeks on the pages, over the demo: /solutions finds Linköping's 2019 study visit
with its material and who built on it, in sv/da/en, cached like the programme; an organiser builds
on it from its card and copies an activity forward from its own screen; coordinators see the reuse
share beside the Innovationsbarometer's 73 % and feature a solution."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.demo import EDITION_SLUG
from innovationsweek.editions.models import Edition
from tests.conftest import run_jobs
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, api_headers, submit_edit, submit_webcasts, week  # noqa: F401 (a fixture)
from tests.programme.test_cache import statements
from tests.pages.test_drafts import draft_form, post_edit
from tests.pages.test_sign_in import csrf_token, sign_in

VISIT = "Studiebesök: Digitala medarbetare i hemtjänsten"
UMEA = "Digitala medarbetare i Umeås hemtjänst: ett år senare"


def activity_id(runtime, title: str, slug: str | None = None) -> int:
    with runtime.database.sessions() as session:
        query = sa.select(Activity.id).join(Activity.edition).where(Activity.title == title).order_by(Activity.id)
        return session.scalars(query.where(Edition.slug == slug) if slug else query).first()


@pytest.fixture
def reused(runtime, week) -> int:
    """Linköping's 2019 study visit, its entry re-rendered with Umeå's reuse (the demo's job)."""
    run_jobs(runtime)
    return activity_id(runtime, VISIT, EDITION_SLUG)


@pytest.mark.parametrize(("language", "heading", "reuse"), [("sv", "Lösningar att bygga vidare på", "Så kan ni använda den"), ("da", "Løsninger at bygge videre på", "Sådan kan I genbruge den"), ("en", "Solutions to build on", "How to reuse it")])
def test_solutions_show_the_material_how_to_reuse_it_and_who_built_on_it(client, reused, language, heading, reuse):
    page = client.get(f"/solutions?q=hemtjänsten&lang={language}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{language}">' in html and heading in html and reuse in html
    assert '<ul lang="sv"><li><a href="https://www.linkoping.se/innovationsveckan/digitala-medarbetare.pdf">Bilder: Digitala medarbetare i hemtjänsten (PDF)' in html
    assert "kravspecifikation" in html and "&lt;p&gt;" not in html  # the sanitised HTML, as HTML
    assert UMEA in html and f'href="/organiser/build-on/{reused}"' in html
    assert {"sv": "73\xa0%", "da": "73\xa0%", "en": "73%"}[language] in html


def test_the_solutions_page_filters_as_the_api_and_answers_304(client, reused):
    api = client.get("/api/v1/solutions?has_material=true&organisation_kind=municipality").get_json()["items"]
    page = client.get("/solutions?has_material=true&organisation_kind=municipality&lang=en")
    assert [item["title"] for item in api] == [VISIT]
    assert VISIT in page.text and "Spredningsguiden i praksis" not in page.text
    assert client.get("/solutions?has_material=true&organisation_kind=municipality&lang=en", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    assert client.get("/solutions?edition=innovationsveckan-2019&lang=en").text.count('class="card solution"') >= 10


def test_a_refused_filter_is_a_400_with_the_message_at_its_field(client, reused):
    page = client.get("/solutions?format=juggling&organisation_kind=guild&lang=en")

    assert page.status_code == 400
    assert 'href="#filter-format"' in page.text and 'href="#filter-organisation_kind"' in page.text
    assert "Choose a kind of organisation from the list." in page.text


def test_both_public_entries_show_the_link(client, runtime, reused):
    umea = activity_id(runtime, UMEA)

    earlier = client.get(f"/activities/{reused}?lang=en").get_data(as_text=True)
    later = client.get(f"/activities/{umea}?lang=en").get_data(as_text=True)

    # Each title marked with its activity's language, on an English page.
    assert re.search(rf'<ul id="reused-by"><li><a href="/activities/{umea}" lang="sv">{UMEA}</a> \(Umeå kommun\)', earlier)
    assert re.search(rf'<ul id="reuses"><li><a href="/activities/{reused}" lang="sv">{VISIT}</a> \(Linköpings kommun\)', later)
    solutions = client.get("/solutions?q=hemtjänsten&lang=en").text
    assert f'<a href="/activities/{umea}" lang="sv">{UMEA}</a>' in solutions


def test_an_organiser_builds_on_a_solution_from_its_card(client, runtime, week, reused):
    sign_in(client, ORGANISER)
    choices = client.get(f"/organiser/build-on/{reused}?lang=en")
    assert choices.status_code == 200 and choices.headers["Cache-Control"] == "no-store"
    new = f"/organiser/activities/new?edition={week}&amp;build_on={reused}"
    assert new in choices.text

    form_page = client.get(f"/organiser/activities/new?edition={week}&build_on={reused}&lang=en")
    assert re.search(rf'<input type="checkbox" id="reuses" name="reuses" value="{reused}" checked> <label for="reuses">{VISIT}', form_page.text)
    saved = client.post(
        f"/organiser/activities/new?edition={week}&lang=en",
        data={**draft_form(runtime, week, title="Digitala medarbetare, nu i Linköping igen"), "reuses": [str(reused)], "csrf_token": csrf_token(form_page)},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    new_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    with runtime.database.sessions() as session:
        assert session.get(Activity, new_id).reuses == [reused]

    unticked = post_edit(client, new_id, draft_form(runtime, week, title="Digitala medarbetare, nu i Linköping igen"))
    assert unticked.status_code == 303
    with runtime.database.sessions() as session:
        assert session.get(Activity, new_id).reuses == []


def test_signed_out_visitors_are_asked_to_sign_in_before_building_on_a_solution(client, reused):
    response = client.get(f"/organiser/build-on/{reused}")

    assert response.status_code == 303 and "/login" in response.headers["Location"]


def test_an_organiser_copies_an_activity_forward_from_its_screen(client, runtime, week, reused):
    sign_in(client, ORGANISER)
    page = client.get(f"/organiser/activities/{reused}?lang=en")
    assert "Copy it into a later week" in page.text and f'<option value="{week}">' in page.text

    copied = client.post(f"/organiser/activities/{reused}/copy?lang=en", data={"edition": week, "csrf_token": csrf_token(page)})

    assert copied.status_code == 303
    copy_id = int(copied.headers["Location"].rsplit("/", 1)[1])
    with runtime.database.sessions() as session:
        copy = session.get(Activity, copy_id)
        assert (copy.edition.slug, copy.status, copy.reuses, copy.title) == (week, ActivityStatus.DRAFT, [reused], VISIT)
    assert "Copied into" in client.get(f"/organiser/activities/{copy_id}?lang=en").text
    refused = client.post(f"/organiser/activities/{reused}/copy?lang=en", data={"edition": EDITION_SLUG, "csrf_token": csrf_token(page)})
    assert refused.status_code == 303 and "Choose a later week to copy it into." in client.get(refused.headers["Location"] + "?lang=en").text


def test_coordinators_see_the_reuse_share_beside_the_barometer_and_feature_a_solution(client, runtime, week, reused):
    numbers = client.get(f"/api/v1/editions/{week}/statistics").get_json()["reuse"]
    assert numbers["activities_reusing"] >= 1 and 0 < numbers["share"] <= 1
    sign_in(client, COORDINATOR)

    page = client.get(f"/coordinator/editions/{week}/statistics?lang=en").get_data(as_text=True)

    assert f'<dd id="reusing-count">{numbers["activities_reusing"]}</dd>' in page
    assert f'<dd id="reuse-share">{round(numbers["share"] * 100)}%</dd>' in page and "<dd>73%</dd>" in page
    review = client.get(f"/coordinator/activities/{reused}?lang=en")
    featured = client.post(f"/coordinator/activities/{reused}/feature-solution?lang=en", data={"featured": "1", "csrf_token": csrf_token(review)})
    assert featured.status_code == 303
    run_jobs(runtime)
    assert [item["id"] for item in client.get("/api/v1/solutions?featured=true").get_json()["items"]] == [reused]
    assert "Featured solutions" in client.get("/solutions?lang=en").text


def test_the_review_names_what_an_activity_builds_on_and_links_to_it_in_one_query(client, runtime, week, reused, link_server):
    guide = activity_id(runtime, "Spredningsguiden i praksis", EDITION_SLUG)
    (building,) = submit_webcasts(client, runtime, week, link_server, ["Vi bygger vidare på hemtjänsten"])
    sign_in(client, COORDINATOR)

    def review(*builds_on: int) -> tuple[str, int]:
        submit_edit(client, runtime, building, reuses=list(builds_on))
        with statements(runtime) as sent:
            page = client.get(f"/coordinator/activities/{building}?lang=en")
        assert page.status_code == 200
        return page.text.split('<tr id="field-reuses">')[1].split("</tr>")[0], len(sent)

    one, queries_for_one = review(reused)
    both, queries_for_two = review(reused, guide)

    assert f'<a href="/activities/{reused}">{VISIT} (Linköpings kommun, Innovation Week 2019)</a>' in one
    assert f'<a href="/activities/{guide}">Spredningsguiden i praksis (Københavns Kommune, Innovation Week 2019)</a>' in both
    assert queries_for_two == queries_for_one  # one query names them all


def test_the_barometers_share_is_written_in_each_pages_own_language(client, week):
    """Not in the language of whichever page the server rendered first."""
    sign_in(client, COORDINATOR)
    for language, share in (("en", "73%"), ("sv", "73\xa0%"), ("da", "73\xa0%"), ("en", "73%")):
        assert f"<dd>{share}</dd>" in client.get(f"/coordinator/editions/{week}/statistics?lang={language}").text
        assert share in client.get(f"/solutions?lang={language}").text.split('class="lead"')[1].split("</p>")[0]


def test_an_entry_names_its_materials_language_and_has_no_empty_about_section(client, runtime, week, reused, link_server):
    earlier = client.get(f"/activities/{reused}?lang=da").text
    assert '<ul lang="sv"><li><a href="https://www.linkoping.se/innovationsveckan/digitala-medarbetare.pdf">' in earlier
    assert "Om aktiviteten" in earlier
    (plain,) = submit_webcasts(client, runtime, week, link_server, ["Utan beskrivning"])
    submit_edit(client, runtime, plain, description="")
    approved = client.post(f"/api/v1/activities/{plain}/review", json={"decision": "approve"}, headers=api_headers(client, COORDINATOR))
    assert approved.status_code == 200, approved.get_json()
    run_jobs(runtime)

    page = client.get(f"/activities/{plain}?lang=da")

    assert page.status_code == 200 and "Utan beskrivning" in page.text and "Om aktiviteten" not in page.text
