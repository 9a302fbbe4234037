"""Every message people read (pages, mails to participants, API error details) is translated
into Swedish, Danish and English: the messages are extracted from the sources as they are now,
with the project's own babel.cfg, so a new string without a translation fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from innovationsweek.editions.models import LANGUAGES
from innovationsweek.translations import DIRECTORY

ROOT = Path(__file__).parents[1]


def source_messages() -> set[str]:
    # As `make messages` extracts them: Babel's default keywords, and the lazy ones babel.cfg names.
    with (ROOT / "babel.cfg").open() as config:
        methods, options = parse_mapping_cfg(config)
    found = extract_from_dir(str(ROOT), methods, options)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with (DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    # A plural message is named by its singular, and translated when every form is.
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id and not message.fuzzy and (message.string if isinstance(message.string, str) else all(message.string))
    }

    missing = sorted(source_messages() - translated)

    assert source_messages(), "the extractor finds the messages"
    assert missing == [], f"untranslated in {language}.po (make messages, then translate): {missing}"


PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    # A translation that drops or renames a placeholder fails when formatted, or hides a value.
    with (DIRECTORY / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    differing = [
        (message.id, translation)
        for message in catalogue
        if message.id
        for source, translation in _pairs(message.id, message.string)
        if translation and sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation))
    ]
    assert differing == []


def _pairs(source: str | tuple[str, ...], translation: str | tuple[str, ...]) -> list[tuple[str, str]]:
    """Each form of a translation with the message form it renders: a plural's first form the
    singular, every later form the plural."""
    if isinstance(source, str):
        return [(source, str(translation))]
    singular, plural = source[0], source[1]
    return [(singular if index == 0 else plural, form) for index, form in enumerate(translation)]
