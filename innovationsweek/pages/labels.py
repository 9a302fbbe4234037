"""Words for the programme's codes (formats, attendance modes, audiences), in the page's language."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from innovationsweek.activities.models import AttendanceMode, Audience, Format

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


def language_name(code: str) -> str:
    """``sv`` as the page's language calls it (CLDR, through Babel): "svenska", "Swedish"."""
    try:
        return Locale.parse(code).get_language_name(get_locale()) or code
    except ValueError:
        return code


def in_language(names: dict[str, str] | None, language: str) -> str:
    """A text the edition gives per language: in ``language``, else its first."""
    names = names or {}
    return names.get(language) or next(iter(names.values()), "")
