"""The decision mails, written from plain values: one language, the findings' fixed sentences
translated, a finding naming a link kept as found."""

from __future__ import annotations

import pytest

from innovationsweek.moderation import messages

NO_LINK = "Webcasts and online activities need the link to join."
BROKEN_LINK = "https://example.org/live: HTTP 404"


def checks_blocked(language: str, write: messages.MailWriter = messages.activity_decided) -> messages.Mail:
    decision = messages.Decision(
        decision="changes_requested", title="Öppet hus", edition="Testveckan", activity_id=7, number=2,
        comment=None, blocking=[NO_LINK, BROKEN_LINK],
    )
    return write(decision, language)


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("sv", "Ändringar behövs: Öppet hus", ["Att rätta:", "- Webbsändningar och digitala aktiviteter behöver länken för att delta.", "Aktivitet 7, version 2."]),
        ("da", "Ændringer nødvendige: Öppet hus", ["Skal rettes:", "- Webcasts og onlineaktiviteter skal have linket til at deltage.", "Aktivitet 7, version 2."]),
        ("en", "Changes needed: Öppet hus", ["To fix:", f"- {NO_LINK}", "Activity 7, version 2."]),
    ],
)
def test_what_the_checks_found_is_told_in_the_organisations_language(language: str, subject: str, words: list[str]) -> None:
    mail = checks_blocked(language)

    assert mail.subject == subject
    for expected in words:
        assert expected in mail.text, expected
    assert f"- {BROKEN_LINK}" in mail.text  # names a link: as found


def test_a_report_decision_names_the_report() -> None:
    mail = checks_blocked("da", messages.report_decided)

    assert mail.subject == "Rapporten skal rettes: Öppet hus"
    assert "Rapport om aktivitet 7, version 2." in mail.text
    assert NO_LINK not in mail.text
