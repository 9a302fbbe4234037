"""The app's front memory of the last second's public answers: a repeated read or its 304 runs no
statement, every answer keeps its own headers, and nothing personal is ever repeated to someone
else."""

from __future__ import annotations

import re
import time

from innovationsweek.recent_answers import KEPT_SECONDS, REPEATABLE
from tests.activities.conftest import week  # noqa: F401 (fixture)
from tests.programme.test_cache import statements
from tests.programme.test_programme import PROGRAMME, published
from tests.pages.test_registration import form_page, visit  # noqa: F401 (fixture)


def test_a_read_repeated_within_the_second_runs_no_statement_even_in_another_parameter_order(client, runtime, week):
    published(client, runtime, week)
    first = client.get(f"{PROGRAMME}?format=webcast&language=sv")
    assert first.data  # read to its end, as a client does
    with statements(runtime) as sent:
        again = client.get(f"{PROGRAMME}?language=sv&format=webcast")
        revalidated = client.get(f"{PROGRAMME}?format=webcast&language=sv", headers={"If-None-Match": first.headers["ETag"]})
    assert sent == []
    assert again.status_code == 200 and again.data == first.data
    assert revalidated.status_code == 304 and revalidated.data == b""


def test_a_repeated_answer_carries_the_headers_of_the_first_and_never_the_internal_mark(client, runtime, week):
    published(client, runtime, week)
    first = client.get(PROGRAMME)
    assert first.data
    again = client.get(PROGRAMME)
    revalidated = client.get(PROGRAMME, headers={"If-None-Match": first.headers["ETag"]})
    for name in ("ETag", "Cache-Control", "Vary", "Access-Control-Allow-Origin", "X-Content-Type-Options"):
        assert again.headers[name] == first.headers[name] == revalidated.headers[name], name
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert again.headers["Content-Type"] == "application/json"
    assert all(REPEATABLE not in answer.headers for answer in (first, again, revalidated))
    assert "Content-Type" not in revalidated.headers and "Last-Modified" not in revalidated.headers


def test_partners_that_only_revalidate_are_answered_without_the_app(app, client, runtime, week, monkeypatch):
    published(client, runtime, week)
    etag = client.get(PROGRAMME).headers["ETag"]
    time.sleep(KEPT_SECONDS + 0.1)  # the full answer is forgotten; a revalidation comes first
    assert client.get(PROGRAMME, headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setitem(app.view_functions, "programme.programme_list", _not_to_be_called)
    again = client.get(PROGRAMME, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag


def _not_to_be_called(*_args, **_kwargs):
    raise AssertionError("the app was asked what its front should have answered")


def test_a_head_request_is_answered_with_the_headers_and_no_body(client, runtime, week):
    published(client, runtime, week)
    first = client.get(PROGRAMME)
    assert first.data
    with statements(runtime) as sent:
        head = client.head(PROGRAMME)
    assert sent == []
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == first.headers["ETag"]


def test_a_signed_in_caller_is_never_answered_from_the_memory(client, runtime, week):
    published(client, runtime, week)
    client.get(PROGRAMME)
    signed_in = client.get(PROGRAMME, headers=week.coordinator)
    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "no-store"


def test_each_language_of_a_page_is_kept_apart(client, demo_data):
    answers = {language: client.get("/editions/innovationsveckan-2019", headers={"Accept-Language": language}) for language in ("sv", "da", "sv", "da")}
    assert re.search(r'<html lang="da"', answers["da"].text)
    assert re.search(r'<html lang="sv"', answers["sv"].text)


def test_a_page_that_gave_a_visitor_their_own_token_is_not_repeated_to_the_next(app, runtime, demo_data, visit):
    first, second = app.test_client(), app.test_client()
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', form_page(visitor, visit).text).group(1) for visitor in (first, second)]
    assert tokens[0] != tokens[1]
