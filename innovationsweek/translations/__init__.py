"""The message catalogues of every text people read: the pages, the mails to participants and
the API's error details, in Swedish, Danish and English (``<language>/LC_MESSAGES/messages.po``,
compiled to ``.mo`` at install by ``make catalogues``).

The pages translate through Flask-Babel, which reads this folder. Code that runs outside a
request (a service writing a mail, a job) takes the catalogue of the language it needs from
:func:`translations`: a mail goes out in its reader's language, whatever the request's was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

DIRECTORY = Path(__file__).parent
# The languages of the catalogues, and so of every page, mail and edition; Swedish first (the
# language nobody chose falls back to).
LANGUAGES = ("sv", "da", "en")


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language`` (``sv``, ``da``, ``en``); the English source texts when it
    has none."""
    return Translations.load(str(DIRECTORY), [language], domain="messages")


def N_(message: str) -> str:  # noqa: N802 (the name Babel extracts by default)
    """Marks a text written where no language is known yet (stored, or rendered once for every
    reader) for the catalogue; whoever shows it translates it with :func:`translations`."""
    return message


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def values_pattern(message: str, *, value: str = ".+", values: Mapping[str, str] | None = None) -> re.Pattern[str]:
    """A regular expression that reads back the values a text made from ``message`` (``%(name)s``
    placeholders) carries, each as a named group: ``value`` matches one, or ``values[name]``."""
    parts = PLACEHOLDER.split(message)  # text, name, text, name, ..., text
    return re.compile(
        "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>{(values or {}).get(part, value)})" for index, part in enumerate(parts)
        ),
        re.DOTALL,
    )
