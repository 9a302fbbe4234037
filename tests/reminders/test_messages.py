"""The coordinators' digest and the organisers' reminders, in each language with the plural each
number takes ("1 dag", "2 dagar"): written from plain values, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from innovationsweek.reminders import messages

NOW = datetime(2026, 10, 27, 7, 0, tzinfo=timezone.utc)
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def digest(language: str, *, waiting: int, days: int, reports_waiting: int = 0) -> messages.Message:
    return messages.coordinator_digest(
        language,
        edition="Testveckan",
        waiting=waiting,
        oldest_title="Öppet hus",
        oldest_submitted_at=NOW - timedelta(days=days, hours=1),
        now=NOW,
        by_finding={},
        without_findings=waiting,
        checking=0,
        reports_waiting=reports_waiting,
        zone=STOCKHOLM,
    )


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("sv", ["1 aktivitet väntar på beslut", "(för 1 dag sedan)", "1 rapport väntar"], ["2 aktiviteter väntar", "(för 2 dagar sedan)", "3 rapporter väntar"]),
        ("da", ["1 aktivitet venter på en afgørelse", "(for 1 dag siden)", "1 rapport venter"], ["2 aktiviteter venter", "(for 2 dage siden)", "3 rapporter venter"]),
        ("en", ["1 activity waits for a decision", "(1 day ago)", "1 report waits"], ["2 activities wait", "(2 days ago)", "3 reports wait"]),
    ],
)
def test_the_digest_counts_in_the_plural_each_number_takes(language: str, one: list[str], many: list[str]) -> None:
    single = digest(language, waiting=1, days=1, reports_waiting=1)
    several = digest(language, waiting=2, days=2, reports_waiting=3)

    for words in one:
        assert words in single.text, words
    for words in many:
        assert words in several.text, words
    assert "dagar" not in single.text and " dage " not in single.text


def test_the_digest_is_in_one_language_only() -> None:
    danish = digest("da", waiting=2, days=3)

    assert danish.subject == "Gennemgangskøen: 2 venter (Testveckan)"
    assert "Ældst: »Öppet hus«, indsendt" in danish.text
    for other in ("väntar", "waiting", "Äldst", "oldest", "/ "):
        assert other not in f"{danish.subject}\n{danish.text}", other


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ["Er aktivitet ”Öppet hus” är ett utkast", "Sista dag att skicka in är", "CET"]),
        ("da", ["Jeres aktivitet »Öppet hus« er en kladde", "Sidste frist for at indsende er", "CET"]),
        ("en", ["Your activity “Öppet hus” is a draft", "The last day to submit it is", "CET"]),
    ],
)
def test_the_draft_deadline_is_written_in_the_organisations_language(language: str, words: list[str]) -> None:
    mail = messages.draft_deadline(language, title="Öppet hus", activity_id=7, deadline=NOW, edition="Testveckan", zone=STOCKHOLM)

    for expected in words:
        assert expected in mail.text, expected
    assert "POST /api/v1/activities/7/submit" in mail.text
