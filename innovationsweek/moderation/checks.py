"""The automated checks a submitted revision (of an activity, or of a report's material) goes
through, as plain functions of its content.

Each finding has a stable ``code`` (coordinators filter the queue by it) and a severity:
``block`` sends the activity back to the organiser, ``warn`` asks a coordinator to look,
``info`` is for the record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from innovationsweek import outbound
from innovationsweek.activities.models import AttendanceMode, Format, Severity
from innovationsweek.editions.models import Edition
from innovationsweek.translations import N_, translations, values_pattern


SIMILAR_TITLE_RATIO = 0.85
MAX_LINKS_IN_DESCRIPTION = 8
SPAM_WORDS = ("casino", "viagra", "crypto giveaway", "bitcoin", "forex", "lottery", "porn", "betting", "loan offer")
# Link failures a coordinator must see, but that often mend themselves (a stream page created
# the day before); an address we refuse to contact is a block.
BLOCKING_LINK_FAILURES = {outbound.Failure.REFUSED_PRIVATE_ADDRESS, outbound.Failure.REFUSED_URL}


_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
_MARKUP = re.compile(r"</?[a-zA-Z!]")


# Every sentence of a finding is stored as written, in English (with its values filled in), and
# :func:`told` translates it for the organisers and coordinators.
# The checks' fixed sentences.
NEEDS_ONLINE_URL = N_("Webcasts and online activities need the link to join.")
NEEDS_VENUE = N_("In-person activities need a venue: name, address and municipality.")
WANTS_SUMMARY = N_("A short summary helps people choose.")
WANTS_LANGUAGES = N_("Say in which language(s) it is held.")
_FIXED = (NEEDS_ONLINE_URL, NEEDS_VENUE, WANTS_SUMMARY, WANTS_LANGUAGES)
# The sentences that name what was found (a date, a link, a title). A finding stores the English
# sentence with its values filled in, as it always has (the API's ``message``); :func:`told` reads
# the values back out of it and fills them into the sentence in another language.
OUTSIDE_WEEK = N_("The activity must take place during the week (%(starts)s - %(ends)s).")
LINK_FAILED = N_("%(url)s: %(problem)s")
LIKELY_DUPLICATE = N_("Looks like activity %(id)s (%(title)s): similar title at an overlapping time.")
POSSIBLE_SPAM = N_("Possible spam: %(signals)s.")
CHECKS_NOT_RUN = N_("The automated checks could not run: %(reason)s")
HTML_REMOVED = N_("Some HTML in the %(field)s (such as scripts, styles or frames) was removed before saving.")
SPAM_WORD = N_("mentions %(word)s")
MANY_LINKS = N_("more than %(count)s links")
TITLE_IN_CAPITALS = N_("a title in capitals")
REPEATED_CHARACTERS = N_("repeated characters")
# What a link check said (innovationsweek.outbound's details), where it is one of these.
LINK_PROBLEMS = (
    N_("the server answered %(status)s"),
    N_("redirect %(status)s without a Location"),
    N_("more than %(count)s redirects"),
    N_("the server did not answer in time"),
    N_("no complete answer within %(seconds)s s"),
)
# The fields whose HTML is sanitised, as HTML_REMOVED names them.
SANITISED_FIELDS = (N_("description"), N_("how to reuse"))
_SPAM_SIGNALS = (SPAM_WORD, MANY_LINKS, TITLE_IN_CAPITALS, REPEATED_CHARACTERS)
_SIGNAL_SEPARATOR = ", "
# A link has no spaces: "Possible spam: ..." is not a link and its problem.
_VALUE_PATTERNS = {"url": r"\S+"}


_TOLD = {
    template: values_pattern(template, value=".+?", values=_VALUE_PATTERNS)
    for template in (
        OUTSIDE_WEEK, LIKELY_DUPLICATE, POSSIBLE_SPAM, CHECKS_NOT_RUN, HTML_REMOVED, *_SPAM_SIGNALS, *LINK_PROBLEMS, LINK_FAILED
    )
}
# The values that are themselves sentences of the checks, told in the language too.
_TOLD_VALUES = {
    LINK_FAILED: {"problem": LINK_PROBLEMS},
    HTML_REMOVED: {"field": SANITISED_FIELDS},
    POSSIBLE_SPAM: {"signals": _SPAM_SIGNALS},
}


def told(message: str, language: str) -> str:
    """A finding's stored ``message`` in ``language``: its fixed sentence translated, or a
    sentence with values written again around them; as stored when it is neither (one from
    before a sentence changed, or a link check's rarer details)."""
    return _told(message, translations(language).gettext, (*_TOLD, *_FIXED))


def _told(message: str, gettext: Callable[[str], str], templates: Iterable[str]) -> str:
    for template in templates:
        if template not in _TOLD:
            if message == template:
                return gettext(template)
            continue
        found = _TOLD[template].fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        for name, sentences in _TOLD_VALUES.get(template, {}).items():
            parts = values[name].split(_SIGNAL_SEPARATOR) if template == POSSIBLE_SPAM else [values[name]]
            values[name] = _SIGNAL_SEPARATOR.join(_told(part, gettext, sentences) for part in parts)
        return gettext(template) % values
    return message


@dataclass(frozen=True)
class FindingDraft:
    code: str
    severity: Severity
    message: str
    field: str | None = None


@dataclass(frozen=True)
class OtherActivity:
    """An activity of the same organisation in the same edition, for the duplicate check."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime


def check_dates(content: dict[str, Any], edition: Edition) -> list[FindingDraft]:
    starts, ends = _time(content["starts_at"]), _time(content["ends_at"])
    if starts < edition.starts_at or ends > edition.ends_at:
        return [
            FindingDraft(
                "outside_edition_week",
                Severity.BLOCK,
                OUTSIDE_WEEK % {"starts": edition.starts_at.isoformat(), "ends": edition.ends_at.isoformat()},
                "starts_at" if starts < edition.starts_at else "ends_at",
            )
        ]
    return []


def check_required_fields(content: dict[str, Any]) -> list[FindingDraft]:
    findings = []
    mode = AttendanceMode(content["attendance_mode"])
    online = Format(content["format"]) == Format.WEBCAST or mode in (AttendanceMode.ONLINE, AttendanceMode.HYBRID)
    if online and not content.get("online_url"):
        findings.append(
            FindingDraft("missing_online_url", Severity.BLOCK, NEEDS_ONLINE_URL, "online_url")
        )
    venue = content.get("venue") or {}
    if mode in (AttendanceMode.IN_PERSON, AttendanceMode.HYBRID) and not all(
        venue.get(part) for part in ("name", "address", "municipality")
    ):
        findings.append(
            FindingDraft("missing_venue", Severity.BLOCK, NEEDS_VENUE, "venue")
        )
    if not content.get("summary"):
        findings.append(FindingDraft("missing_summary", Severity.WARN, WANTS_SUMMARY, "summary"))
    if not content.get("languages"):
        findings.append(FindingDraft("missing_languages", Severity.WARN, WANTS_LANGUAGES, "languages"))
    return findings


def check_links(links: Iterable[tuple[str, str]], results: Mapping[str, outbound.LinkCheck]) -> list[FindingDraft]:
    """Findings for the links (field, URL) that did not work; ``results`` holds every URL's check."""
    findings = []
    for field, url in links:
        result = results[url]
        if result.reachable:
            continue
        assert result.failure is not None
        severity = Severity.BLOCK if result.failure in BLOCKING_LINK_FAILURES else Severity.WARN
        findings.append(FindingDraft(f"link_{result.failure.value}", severity, LINK_FAILED % {"url": url, "problem": result.detail}, field))
    return findings


def check_duplicates(content: dict[str, Any], others: Iterable[OtherActivity]) -> list[FindingDraft]:
    title = _normalised(content["title"])
    starts, ends = _time(content["starts_at"]), _time(content["ends_at"])
    return [
        FindingDraft(
            "likely_duplicate",
            Severity.WARN,
            LIKELY_DUPLICATE % {"id": other.id, "title": repr(other.title)},
            "title",
        )
        for other in others
        if other.starts_at < ends
        and starts < other.ends_at
        and SequenceMatcher(None, title, _normalised(other.title)).ratio() >= SIMILAR_TITLE_RATIO
    ]


def check_spam(content: dict[str, Any]) -> list[FindingDraft]:
    return spam_signals(titles=[content["title"]], prose=[content.get("summary") or "", content.get("description") or ""])


def check_report_spam(content: dict[str, Any]) -> list[FindingDraft]:
    """A report's material: the link titles read like titles, the addresses are searched for
    spam words too (``casino.example``), and the how-to-reuse text is prose."""
    links = content.get("links") or []
    return spam_signals(
        titles=[link["title"] for link in links],
        prose=[content.get("how_to_reuse") or ""],
        addresses=[link["url"] for link in links],
    )


def spam_signals(*, titles: Sequence[str], prose: Sequence[str], addresses: Sequence[str] = ()) -> list[FindingDraft]:
    text = " ".join([*titles, *prose]).lower()
    searched = " ".join([text, *addresses]).lower()
    signals = [SPAM_WORD % {"word": repr(word)} for word in SPAM_WORDS if word in searched]
    if sum(len(_URL.findall(part)) for part in prose) > MAX_LINKS_IN_DESCRIPTION:
        signals.append(MANY_LINKS % {"count": MAX_LINKS_IN_DESCRIPTION})
    if any(_in_capitals(title) for title in titles):
        signals.append(TITLE_IN_CAPITALS)
    if re.search(r"(.)\1{6,}", text) or any(re.search(r"[!?]{3,}", title) for title in titles):
        signals.append(REPEATED_CHARACTERS)
    if not signals:
        return []
    return [FindingDraft("spam_signals", Severity.WARN, POSSIBLE_SPAM % {"signals": _SIGNAL_SEPARATOR.join(signals)}, None)]


def unreviewed_text_problems(text: str) -> list[LazyString]:
    """What keeps ``text`` from going public without a coordinator seeing it first (a
    cancellation's reason, shown at once): links, markup, spam signals. Empty when nothing does."""
    problems = []
    if _URL.search(text) or re.search(r"\bwww\.", text, re.IGNORECASE):
        problems.append(_l("links"))
    if _MARKUP.search(text):
        problems.append(_l("HTML"))
    if spam_signals(titles=[text], prose=[text]):
        problems.append(_l("what looks like spam"))
    return problems


def _in_capitals(title: str) -> bool:
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 12 and all(c.isupper() for c in letters)


def check_html(content: dict[str, Any], field: str = "description") -> list[FindingDraft]:
    """Whether the HTML of ``field`` lost something when it was sanitised on save."""
    if content.get(f"{field}_was_sanitised"):
        return [
            FindingDraft(
                "unsafe_html_removed",
                Severity.INFO,
                HTML_REMOVED % {"field": field.replace("_", " ")},
                field,
            )
        ]
    return []


def links_of(content: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of every link of an activity that the checks try."""
    links = []
    if content.get("online_url"):
        links.append(("online_url", content["online_url"]))
    registration = content.get("registration") or {}
    if registration.get("url"):
        links.append(("registration.url", registration["url"]))
    return links


def report_links_of(content: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, URL) of every link in a report's material."""
    return [(f"links.{index}.url", link["url"]) for index, link in enumerate(content.get("links") or [])]


def _normalised(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", title.lower()).split())


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)
