"""The edition's reminder settings through the edition resource: read in force, changed in part,
refused with the reason."""

from __future__ import annotations

import pytest

from innovationsweek.reminders.settings import DEFAULTS
from tests.conftest import problem_of
from tests.reminders.conftest import week  # noqa: F401 (fixture)

EDITION = "/api/v1/editions/test-week"


def test_an_edition_reads_with_the_default_reminder_settings(client, week):
    assert client.get(EDITION).get_json()["reminder_settings"] == DEFAULTS


def test_a_coordinator_changes_some_settings_and_keeps_the_rest(client, week):
    change = {"participant": {"hour": 8, "days_before": [3, 1]}, "coordinator_digest": {"enabled": False}}
    response = client.patch(EDITION, json={"reminder_settings": change}, headers=week.coordinator)
    assert response.status_code == 200, response.get_json()

    settings = client.get(EDITION).get_json()["reminder_settings"]
    assert settings["participant"] == {"enabled": True, "days_before": [3, 1], "hour": 8}
    assert settings["coordinator_digest"] == {"enabled": False, "hour": 8}
    assert settings["pre_event"] == DEFAULTS["pre_event"]
    again = client.patch(EDITION, json={"reminder_settings": {"participant": {"enabled": False}}}, headers=week.coordinator)
    assert again.get_json()["reminder_settings"]["participant"] == {"enabled": False, "days_before": [3, 1], "hour": 8}


def test_organisers_may_not_change_the_reminder_settings(client, week):
    response = client.patch(EDITION, json={"reminder_settings": {"participant": {"hour": 8}}}, headers=week.organiser)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"participant": {"hour": 24}}, "/reminder_settings/participant/hour"),
        ({"participant": {"hour": -1}}, "/reminder_settings/participant/hour"),
        ({"participant": {"days_before": [1, 1]}}, "/reminder_settings/participant/days_before"),
        ({"participant": {"days_before": []}}, "/reminder_settings/participant/days_before"),
        ({"participant": {"days_before": [1, 2, 3, 4, 5, 6]}}, "/reminder_settings/participant/days_before"),
        ({"draft_deadline": {"days_before": [0]}}, "/reminder_settings/draft_deadline/days_before/0"),
        ({"post_event": {"days_after": [31]}}, "/reminder_settings/post_event/days_after/0"),
        ({"pre_event": {"days_after": [1]}}, "/reminder_settings/pre_event/days_after"),
        ({"pre_event": {"enabled": "sometimes"}}, "/reminder_settings/pre_event/enabled"),
        ({"newsletter": {"enabled": True}}, "/reminder_settings/newsletter"),
        ({"coordinator_digest": {"hour": "eight"}}, "/reminder_settings/coordinator_digest/hour"),
    ],
)
def test_bad_reminder_settings_are_refused_naming_the_field(client, week, change, pointer):
    response = client.patch(EDITION, json={"reminder_settings": change}, headers=week.coordinator)
    assert response.status_code == 422, response.get_json()
    assert pointer in [error["pointer"] for error in problem_of(response)["errors"]]
    assert client.get(EDITION).get_json()["reminder_settings"] == DEFAULTS
