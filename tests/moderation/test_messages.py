"""The decision mails, written from plain values: one language, the findings' fixed sentences
translated, a finding naming a link kept as found."""

from __future__ import annotations

import pytest

from innovationsweek.moderation import checks, messages

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


@pytest.mark.parametrize(
    ("stored", "swedish"),
    [
        ("The activity must take place during the week (2030-10-07T00:00:00+02:00 - 2030-10-12T00:00:00+02:00).",
         "Aktiviteten måste äga rum under veckan (2030-10-07T00:00:00+02:00 - 2030-10-12T00:00:00+02:00)."),
        ("https://example.org/live: the server answered 404", "https://example.org/live: servern svarade 404"),
        ("Looks like activity 12 ('Öppet hus: AI'): similar title at an overlapping time.",
         "Liknar aktivitet 12 ('Öppet hus: AI'): liknande titel vid en tid som överlappar."),
        ("Possible spam: mentions 'casino', more than 8 links, a title in capitals.",
         "Möjlig spam: nämner 'casino', fler än 8 länkar, en titel i versaler."),
        ("Some HTML in the how to reuse (such as scripts, styles or frames) was removed before saving.",
         "En del HTML i fältet så återanvänder du (till exempel skript, stilar eller ramar) togs bort när det sparades."),
        ("The automated checks could not run: timed out", "De automatiska kontrollerna kunde inte köras: timed out"),
        ("https://example.org/live: a reason the catalogue does not know", "https://example.org/live: a reason the catalogue does not know"),
        ("A sentence from before the checks changed.", "A sentence from before the checks changed."),
    ],
)
def test_a_finding_naming_a_date_a_link_or_a_title_is_told_in_swedish_with_its_values(stored: str, swedish: str) -> None:
    assert checks.told(stored, "sv") == swedish
    assert checks.told(stored, "en") == stored


def test_the_checks_store_the_sentences_told_reads_back() -> None:
    found = checks.spam_signals(titles=["CASINO NIGHT FOR EVERYONE"], prose=[""])
    [finding] = found

    assert checks.told(finding.message, "da") == "Muligvis spam: nævner 'casino', en titel med store bogstaver."
