"""Every message the pages show is translated into Swedish, Danish and English: the messages
are extracted from the sources as they are now, so a new string without a translation fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from innovationsweek.editions.models import LANGUAGES
from innovationsweek.pages.i18n import TRANSLATIONS

ROOT = Path(__file__).parents[2]
METHODS = [("innovationsweek/pages/**.py", "python"), ("innovationsweek/pages/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    translated = {message.id for message in catalogue if message.id and message.string and not message.fuzzy}

    missing = sorted(source_messages() - translated)

    assert source_messages(), "the extractor finds the pages' messages"
    assert missing == [], f"untranslated in {language}.po (pybabel extract/update, then translate): {missing}"
