"""A bulk decision over more activities than a request decides while the coordinator waits is
made by a job: the coordinator is sent to its status page, which shows how far it has come and
then each outcome; each activity is decided once, however often the job runs."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from innovationsweek.activities.models import ActivityStatus
from innovationsweek.audit import AuditEntry
from innovationsweek.jobs.moderation import decide_in_bulk
from innovationsweek.moderation import bulk
from tests.conftest import run_jobs
from tests.pages.test_coordinator import COORDINATOR, ORGANISER, api_headers, emails_sent, status_of, submit_webcasts, week  # noqa: F401
from tests.pages.test_sign_in import csrf_token, sign_in

REASON = "Aktiviteten hör inte till veckans tema."


@pytest.fixture
def few_while_waiting(app):
    """Two are decided while the coordinator waits; three go to the job."""
    app.config["BULK_DECISIONS_WHILE_WAITING"] = 2
    yield
    app.config.pop("BULK_DECISIONS_WHILE_WAITING")


def reject_in_bulk(client, week: str, ids: list[int]):
    queue = client.get(f"/coordinator/editions/{week}/queue")
    return client.post(
        f"/coordinator/editions/{week}/decisions",
        data={"csrf_token": csrf_token(queue), "activity_ids": ids, "decision": "reject", "reason": "off_theme"},
    )


def rejections(runtime, ids: list[int]) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.activity_id.in_(ids), AuditEntry.action.contains("reject"))
        )


def test_a_large_bulk_decision_runs_as_a_job_whose_page_shows_its_progress(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    mails_before = emails_sent(runtime)

    started = reject_in_bulk(client, week, ids)
    assert started.status_code == 303
    status_url = started.headers["Location"]
    assert re.search(r"/coordinator/jobs/\d+$", status_url)
    waiting = client.get(status_url + "?lang=sv")
    assert waiting.status_code == 200 and waiting.headers["Cache-Control"] == "no-store"
    assert "Beslutar: 0 av 3 klara." in waiting.text
    assert '<progress id="progress" max="3" value="0">' in waiting.text
    assert all(status_of(runtime, i)[0] == ActivityStatus.IN_REVIEW for i in ids)  # nothing decided in the request

    run_jobs(runtime)
    done = client.get(status_url + "?lang=sv")
    assert "3 av 3 beslutade." in done.text and "<progress" not in done.text
    for activity_id in ids:
        assert status_of(runtime, activity_id) == (ActivityStatus.REJECTED, REASON)
    assert emails_sent(runtime) > mails_before


def test_the_status_page_polls_with_its_own_script_only_while_the_job_runs(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    status_url = reject_in_bulk(client, week, ids).headers["Location"]
    script = '<script src="/assets/poll.js" defer></script>'

    running = client.get(status_url).text
    assert script in running and '<div id="job" data-poll>' in running
    assert 'http-equiv="refresh"' not in running  # a reload would lose a screen reader's place
    with client.get("/assets/poll.js") as served:
        assert served.status_code == 200 and served.mimetype in ("text/javascript", "application/javascript")
        assert "http" not in served.text  # nothing from another host

    run_jobs(runtime)
    done = client.get(status_url).text
    assert script not in done and "data-poll>" not in done and 'id="job-summary" role="status"' in done


def test_the_job_resumes_where_it_stopped_and_decides_nothing_twice(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    bulk_id = int(reject_in_bulk(client, week, ids).headers["Location"].rsplit("/", 1)[1])
    with runtime.database.unit_of_work() as session:  # a first run stopped after one
        bulk.decide_next(session, bulk_id, ids[0])
    assert "Deciding: 1 of 3 done." in client.get(f"/coordinator/jobs/{bulk_id}?lang=en").text

    assert decide_in_bulk(bulk_id) == 2
    mails = emails_sent(runtime)
    assert decide_in_bulk(bulk_id) == 0  # a second run finds everything decided
    assert emails_sent(runtime) == mails
    assert rejections(runtime, ids) == 3  # each once
    assert "3 of 3 decided." in client.get(f"/coordinator/jobs/{bulk_id}?lang=en").text


def test_a_small_bulk_decision_is_made_at_once(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två"])
    sign_in(client, COORDINATOR)
    queue = client.get(f"/coordinator/editions/{week}/queue")
    response = client.post(
        f"/coordinator/editions/{week}/decisions?lang=en",
        data={"csrf_token": csrf_token(queue), "activity_ids": ids, "decision": "reject", "reason": "off_theme"},
    )
    assert response.status_code == 200 and "2 of 2 decided." in response.text
    assert all(status_of(runtime, i)[0] == ActivityStatus.REJECTED for i in ids)


def test_only_the_weeks_coordinators_see_a_bulk_decision(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    status_url = reject_in_bulk(client, week, ids).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/coordinator/"))})
    sign_in(client, ORGANISER)
    assert client.get(status_url).status_code == 403
    assert client.get("/coordinator/jobs/999999").status_code == 404


def test_an_activity_the_job_may_no_longer_decide_is_shown_as_not_decided(client, runtime, week, link_server, few_while_waiting):
    ids = submit_webcasts(client, runtime, week, link_server, ["Ett", "Två", "Tre"])
    sign_in(client, COORDINATOR)
    status_url = reject_in_bulk(client, week, ids).headers["Location"]
    withdrawn = client.post(f"/api/v1/activities/{ids[1]}/withdraw", headers=api_headers(client, ORGANISER))
    assert withdrawn.status_code == 200

    run_jobs(runtime)  # the job keeps the refusal with the outcomes, however it is worded
    done = client.get(status_url + "?lang=sv")

    assert "Inte beslutad: den väntar inte längre på granskning" in done.text
    assert rejections(runtime, ids) == 2
