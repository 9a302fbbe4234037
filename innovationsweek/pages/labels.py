"""Words for the programme's codes (formats, attendance modes, audiences), an activity's fields and
the automated checks' findings, in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from innovationsweek.activities.models import AttendanceMode, Audience, Finding, Format, Severity
from innovationsweek.editions.models import Edition
from innovationsweek.moderation.checks import told
from innovationsweek.pages.i18n import localised_skeleton

FORMATS = {
    Format.LECTURE: _l("Lecture"),
    Format.STUDY_VISIT: _l("Study visit"),
    Format.WORKSHOP: _l("Workshop"),
    Format.EXHIBITION: _l("Exhibition"),
    Format.DIALOGUE_MEETING: _l("Dialogue meeting"),
    Format.WEBCAST: _l("Webcast"),
    Format.OTHER: _l("Other format"),
}
ATTENDANCE_MODES = {
    AttendanceMode.IN_PERSON: _l("On site"),
    AttendanceMode.ONLINE: _l("Online"),
    AttendanceMode.HYBRID: _l("On site and online"),
}
AUDIENCES = {
    Audience.POLITICIANS: _l("Politicians"),
    Audience.EMPLOYEES: _l("Employees in the public sector"),
    Audience.MANAGERS: _l("Managers"),
    Audience.CITIZENS: _l("Citizens"),
    Audience.COMPANIES: _l("Companies"),
    Audience.ACADEMIA: _l("Academia"),
    Audience.CIVIL_SOCIETY: _l("Civil society"),
}

# The Innovation Barometer's share of public-sector innovations that reuse someone else's solution,
# shown beside the programme's own share. A variable, not a literal in the templates: Jinja folds a
# filter on a literal at compile time, so the first page's language would format it for everyone.
BAROMETER_SHARE = 0.73

SEVERITIES = {Severity.BLOCK: _l("Blocking"), Severity.WARN: _l("Warning"), Severity.INFO: _l("Note")}
# What the automated checks found, by the finding's code; the finding's own message adds detail.
FINDINGS = {
    "outside_edition_week": _l("Outside the week"),
    "missing_online_url": _l("No link to join"),
    "missing_venue": _l("No complete venue"),
    "missing_summary": _l("No summary"),
    "missing_languages": _l("No language given"),
    "likely_duplicate": _l("Likely duplicate"),
    "spam_signals": _l("Possible spam"),
    "unsafe_html_removed": _l("Unsafe HTML removed"),
    "check_failed": _l("The checks could not run"),
    "link_unreachable": _l("A link does not work"),
}
FIELDS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "description": _l("Description"),
    "format": _l("Format"),
    "attendance_mode": _l("Attendance"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "venue": _l("Venue"),
    "online_url": _l("Link to join"),
    "languages": _l("Languages"),
    "audiences": _l("Audiences"),
    "themes": _l("Themes"),
    "topics": _l("Topics"),
    "contact": _l("Contact"),
    "registration": _l("Registration"),
    "photo_notice": _l("Photo notice"),
    "co_organiser_ids": _l("Co-organisers"),
    "related_activity_ids": _l("Related activities"),
    "reuses": _l("Builds on"),
}


def language_name(code: str, in_language: str | None = None) -> str:
    """``sv`` as the page's language (or ``in_language``) calls it (CLDR, through Babel):
    "svenska", "Swedish"."""
    try:
        return Locale.parse(code).get_language_name(in_language or get_locale()) or code
    except ValueError:
        return code


def in_language(names: dict[str, str] | None, language: str) -> str:
    """A text the edition gives per language: in ``language``, else its first."""
    names = names or {}
    return names.get(language) or next(iter(names.values()), "")


def finding_name(code: str) -> str:
    return str(FINDINGS["link_unreachable"] if code.startswith("link_") else FINDINGS.get(code, code))


@dataclass(frozen=True)
class FindingDetail:
    text: str
    lang: str | None  # "en" when shown as the checks wrote it, in English


def finding_detail(finding: Finding, edition: Edition | None) -> FindingDetail:
    """A finding's detail in the page's language where it can be: the week's bounds written as the
    page writes times, else the checks' sentence told in the language with its values (see
    :func:`checks.told`), else as the checks wrote it, in English."""
    if finding.code == "outside_edition_week" and edition is not None:
        first, last = (f"{localised_skeleton(moment, 'yMMMd')} {localised_skeleton(moment, 'Hm')}" for moment in (edition.starts_at, edition.ends_at))
        return FindingDetail(_("It must take place during the week: %(first)s – %(last)s.", first=first, last=last), None)
    said = told(finding.message, str(get_locale()))
    return FindingDetail(said, None if said != finding.message else "en")
