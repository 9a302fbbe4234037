"""The bench's loader makes what the API serves as the programme, so `make bench` can never be
measuring 404s or empty pages; and its README step replaces only the marked section."""

import re
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from bench.jobs import JobBench, receiver
from bench.load import SLUG, load
from bench.run import API, update_readme, varied_filters, varied_searches
from innovationsweek.runtime import Runtime
from tests.conftest import run_jobs

COUNT = 40


def test_loaded_activities_are_the_published_programme(runtime: Runtime, client: FlaskClient) -> None:
    loaded = load(runtime.database.engine, COUNT)

    page = client.get(f"{API}/programme?limit=100")
    assert page.status_code == 200
    assert page.json["total"] == COUNT
    assert sorted(item["id"] for item in page.json["items"]) == loaded.activity_ids
    one = client.get(f"/api/v1/programme/activities/{loaded.activity_ids[7]}")
    assert one.status_code == 200 and one.json["edition"] == SLUG and one.json["status"] == "published"
    assert client.get(f"{API}/statistics").json["activities"] == COUNT
    assert len(client.get(f"{API}/feed?afterChangeNumber=0").json["items"]) == COUNT
    assert client.get(f"{API}/programme.ics").status_code == 200


def test_loaded_text_and_filters_find_activities(runtime: Runtime, client: FlaskClient) -> None:
    loaded = load(runtime.database.engine, COUNT)

    found = client.get(f"{API}/programme", query_string={"q": loaded.words[0]})
    assert found.status_code == 200 and found.json["total"] >= 1
    # Swedish and Danish words from the seeds, not numbered placeholders.
    assert any(c in "".join(loaded.words) for c in "åäöæø")
    organisations = {item["organiser"]["id"] for item in client.get(f"{API}/programme?limit=100").json["items"]}
    assert len(organisations) > 5
    for path in [*varied_filters()[:30], *varied_searches(loaded.words)[:30]]:
        assert client.get(path).status_code == 200, path


def test_the_varied_cases_never_repeat_a_query_within_a_run() -> None:
    """'A different search/filter each request': no two requests of a run (a few thousand) may
    share filters, or the count (kept per filters) or the answer would come from memory."""
    for paths in (varied_filters(), varied_searches([f"word{n}" for n in range(500)])):
        without_page_size = [re.sub(r"&limit=\d+", "", path) for path in paths]
        assert len(set(without_page_size)) == len(paths) >= 5000


def test_readme_section_is_replaced_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- bench:start -->\nold table\n<!-- bench:end -->\nafter\n")

    update_readme(readme, "| new |")

    assert readme.read_text() == "before\n<!-- bench:start -->\n| new |\n<!-- bench:end -->\nafter\n"


def test_job_bench_hands_over_work_that_the_jobs_finish(runtime: Runtime, app: object) -> None:
    """What the job throughput counts is real work done: drafts without links pass the checks
    into review, approving publishes them, and each announcement reaches the partner."""
    load(runtime.database.engine, COUNT)
    bench = JobBench(runtime, 3)
    drafts = bench.make_drafts()

    with runtime.database.unit_of_work() as session:
        bench.submit(session, drafts)
    run_jobs(runtime)
    with runtime.database.unit_of_work() as session:
        bench.approve(session, drafts)  # refuses unless every check passed the draft
    run_jobs(runtime)
    with receiver() as (url, received):
        bench.subscribe(url)
        with runtime.database.unit_of_work() as session:
            bench.announce(session, drafts)  # refuses unless every draft is in the programme
        run_jobs(runtime)
        bench.verify(drafts, received)

    with runtime.database.engine.connect() as db:
        codes = list(db.scalars(sa.text("SELECT code FROM findings")))
    assert not [code for code in codes if code.startswith("link_")]
    assert len(received) == 3 and all(b'"type":"activity.updated"' in body for body in received)
