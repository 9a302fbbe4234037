"""The coordinators' statistics: the API's numbers, as bar charts drawn in SVG and as tables,
under the names the pages give formats and kinds of organisation; refused to organisers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tests.pages.test_coordinator import COORDINATOR, ORGANISER, week  # noqa: F401 (a fixture)
from tests.pages.test_sign_in import sign_in

SVG = "{http://www.w3.org/2000/svg}"


def rows(html: str, chart: str) -> dict[str, int]:
    """The table under ``chart``: its values and numbers as the page shows them."""
    section = re.search(rf'<section class="chart" aria-labelledby="chart-{chart}">(.*?)</section>', html, re.S).group(1)
    return {label: int(number) for label, number in re.findall(r'<th scope="row">([^<]*)</th><td>(\d+)</td>', section)}


def svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", html, re.S)]


def test_the_numbers_are_the_apis_under_the_pages_names(client, week):
    numbers = client.get(f"/api/v1/editions/{week}/statistics").get_json()
    sign_in(client, COORDINATOR)
    page = client.get(f"/coordinator/editions/{week}/statistics?lang=en")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert numbers["activities"] > 0
    assert f'<dd id="activities-count">{numbers["activities"]}</dd>' in html
    assert rows(html, "region") == numbers["by_region"]
    assert sum(rows(html, "day").values()) == numbers["activities"] == sum(numbers["by_day"].values())
    assert sum(rows(html, "format").values()) == sum(numbers["by_format"].values())
    if "webcast" in numbers["by_format"]:
        assert rows(html, "format")["Webcast"] == numbers["by_format"]["webcast"]
    if "municipality" in numbers["by_organisation_kind"]:
        assert rows(html, "organisation-kind")["Municipality"] == numbers["by_organisation_kind"]["municipality"]
    assert "municipality<" not in html and ">webcast<" not in html  # codes never show


def test_each_chart_is_well_formed_svg_with_a_title_and_a_bar_per_value(client, week):
    sign_in(client, COORDINATOR)
    html = client.get(f"/coordinator/editions/{week}/statistics?lang=sv").get_data(as_text=True)
    charts = svgs(html)
    assert len(charts) == 5
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.find(f"{SVG}title").text
        numbers = [int(text.text) for text in chart.iter(f"{SVG}text") if text.get("class") == "chart__number"]
        assert len(chart.findall(f".//{SVG}rect")) == len(numbers) > 0
    assert "Per region" in html or "Efter region" in html


def test_each_table_heads_its_first_column_with_what_the_rows_are(client, week):
    sign_in(client, COORDINATOR)
    html = client.get(f"/coordinator/editions/{week}/statistics?lang=sv").get_data(as_text=True)

    headings = re.findall(r'<thead><tr><th scope="col">([^<]*)</th><th scope="col">Aktiviteter</th>', html)

    assert headings == ["Dag", "Region", "Form", "Tema", "Slags organisation"]  # not "Värde" above days and regions


def test_an_organiser_may_not_see_the_statistics(client, week):
    sign_in(client, ORGANISER)
    assert client.get(f"/coordinator/editions/{week}/statistics").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, week):
    assert client.get(f"/coordinator/editions/{week}/statistics").status_code in (302, 303)


def test_the_coordinators_home_links_the_statistics(client, week):
    sign_in(client, COORDINATOR)
    assert f"/coordinator/editions/{week}/statistics" in client.get("/coordinator/").get_data(as_text=True)
