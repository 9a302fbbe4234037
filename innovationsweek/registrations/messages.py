"""What participants are told by email, in the language they registered in and only that.

One text per mail, written once: the English lines are the catalogue's message ids, translated
in ``innovationsweek/translations``. Dates and times are Babel's, in the edition's time zone and
the reader's words ("måndag 30 september 2019 kl. 10:00–11:00", "mandag den 30. september 2019
kl. 10.00–11.00"). Plain functions of plain values: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from innovationsweek.translations import translations

IN_PERSON_MODES = frozenset({"in_person", "hybrid"})
ONLINE_MODES = frozenset({"online", "hybrid"})


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str


@dataclass(frozen=True)
class ActivityFacts:
    """The facts of an activity a participant is told: as the public programme shows them."""

    title: str
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    organiser: str
    content: Mapping[str, Any]  # venue, attendance_mode, format, online_url, photo_notice

    @classmethod
    def of(cls, content: Mapping[str, Any], *, zone: ZoneInfo, organiser: str) -> ActivityFacts:
        """From a programme entry's data or an approved revision's content."""
        return cls(
            title=content["title"],
            starts_at=datetime.fromisoformat(content["starts_at"]),
            ends_at=datetime.fromisoformat(content["ends_at"]),
            zone=zone,
            organiser=organiser,
            content=content,
        )


def when(activity: ActivityFacts, language: str) -> str:
    """The activity's day and times in the edition's time zone, in ``language``."""
    return period(activity.starts_at, activity.ends_at, activity.zone, language)


def period(starts_at: datetime, ends_at: datetime, zone: ZoneInfo, language: str) -> str:
    """From ``starts_at`` to ``ends_at`` in ``zone``, in ``language``: the day once when both
    fall on it."""
    _ = translations(language).gettext
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() == end.date():
        return _("%(day)s at %(start)s–%(end)s") % {
            "day": format_date(start, "full", locale=language),
            "start": format_time(start, "short", locale=language),
            "end": format_time(end, "short", locale=language),
        }
    return f"{moment(start, language)} – {moment(end, language)}"


def moment(instant: datetime, language: str) -> str:
    """``måndag 30 september 2019 kl. 10:00``: ``instant`` is shown in its own time zone."""
    _ = translations(language).gettext
    return _("%(day)s at %(time)s") % {
        "day": format_date(instant, "full", locale=language),
        "time": format_time(instant, "short", locale=language),
    }


def where(activity: ActivityFacts, language: str) -> list[str]:
    """The address for those on site, the join link for those online (both for hybrid)."""
    _ = translations(language).gettext
    content = activity.content
    lines = []
    venue = content.get("venue") or {}
    parts = [str(venue[key]).strip() for key in ("name", "address", "municipality") if venue.get(key)]
    place = ", ".join(dict.fromkeys(part for part in parts if part))
    if place and content.get("attendance_mode") in IN_PERSON_MODES:
        lines.append(_("Where: %(place)s") % {"place": place})
    if content.get("attendance_mode") in ONLINE_MODES or content.get("format") == "webcast":
        link = content.get("online_url")
        lines.append(_("Online: %(link)s") % {"link": link} if link else _("Online"))
    return lines


def facts(activity: ActivityFacts, language: str) -> list[str]:
    _ = translations(language).gettext
    return [
        _("When: %(when)s") % {"when": when(activity, language)},
        *where(activity, language),
        _("Organiser: %(organiser)s") % {"organiser": activity.organiser},
    ]


def registered(activity: ActivityFacts, language: str, *, name: str, link: str, version: str, again: bool) -> Mail:
    """A seat: the confirmation, with the calendar file attached and the cancel link."""
    _ = translations(language).gettext
    values = {"title": activity.title}
    opening = (
        _("You are already registered for “%(title)s” and keep your seat.") if again else _("You are registered for “%(title)s”.")
    )
    lines = [
        opening % values,
        *facts(activity, language),
        "",
        _("The attached file adds the activity to your calendar."),
        "",
        _("Cannot come? Cancel, so that someone else gets the seat:"),
        link,
    ]
    subject = _("Already registered: %(title)s") if again else _("Registration confirmed: %(title)s")
    return Mail(subject % values, _letter(language, name, lines, version=version, again=again))


def waitlisted(activity: ActivityFacts, language: str, *, name: str, number: int, link: str, version: str, again: bool) -> Mail:
    """A place on the waitlist, its number and the cancel link."""
    _ = translations(language).gettext
    values = {"title": activity.title, "number": number}
    opening = (
        _("You are already on the waitlist for “%(title)s”, as number %(number)d, and will get an email if you get a seat.")
        if again
        else _("“%(title)s” is full. You are number %(number)d on the waitlist and will get an email if you get a seat.")
    )
    lines = [opening % values, *facts(activity, language), "", _("No longer interested? Cancel here:"), link]
    subject = _("Already registered: %(title)s") if again else _("Waitlist: %(title)s")
    return Mail(subject % values, _letter(language, name, lines, version=version, again=again))


def _letter(language: str, name: str, lines: list[str], *, version: str, again: bool) -> str:
    _ = translations(language).gettext
    if again:
        lines = [
            *lines,
            _("Someone (we hope you) registered this address again. The link above replaces the one in earlier emails, which no longer works."),
        ]
    return "\n".join(
        [
            greeting(language, name),
            "",
            *lines,
            "",
            _("The link is personal: do not share it."),
            _("Your data is processed as described in the privacy notice you accepted (version %(version)s).") % {"version": version},
        ]
    )


def promoted(activity: ActivityFacts, language: str, *, name: str) -> Mail:
    """A seat came free and is theirs now; the calendar file is attached."""
    _ = translations(language).gettext
    values = {"title": activity.title}
    lines = [
        greeting(language, name),
        "",
        _("A seat has become free: you are now registered for “%(title)s”.") % values,
        *facts(activity, language),
        "",
        _("The attached file adds the activity to your calendar. If you cannot come, cancel with the link in the "
          "email you got when you joined the waitlist, so that the next person gets the seat."),
    ]
    return Mail(_("You have a seat: %(title)s") % values, "\n".join(lines))


def activity_called_off(title: str, language: str, *, name: str, reason: str, withdrawn: bool) -> Mail:
    """The activity will not take place as registered for: cancelled (it stays in the programme,
    marked so) or ``withdrawn`` from the programme altogether."""
    _ = translations(language).gettext
    values = {"title": title}
    opening = (
        _("Unfortunately, “%(title)s” has been withdrawn from the programme and will not take place as announced.")
        if withdrawn
        else _("Unfortunately, “%(title)s” has been cancelled.")
    )
    lines = [
        greeting(language, name),
        "",
        opening % values,
        *([_("The organiser says: %(reason)s") % {"reason": reason}] if reason else []),
        _("There is nothing you need to do: your registration no longer applies."),
    ]
    subject = _("Withdrawn: %(title)s") if withdrawn else _("Cancelled: %(title)s")
    return Mail(subject % values, "\n".join(lines))


def reminder(activity: ActivityFacts, language: str, *, name: str | None, edition: str) -> Mail:
    """The reminder before the activity, to someone holding a seat."""
    _ = translations(language).gettext
    values = {"title": activity.title, "edition": edition}
    lines = [greeting(language, name), "", _("Welcome to “%(title)s”, part of %(edition)s.") % values, "", *facts(activity, language)]
    if activity.content.get("photo_notice"):
        lines += ["", activity.content["photo_notice"]]
    lines += ["", _("Cannot come? Cancel with the link in your confirmation, so that someone else gets your seat.")]
    subject = _("Reminder: %(title)s, %(when)s") % {**values, "when": moment(activity.starts_at.astimezone(activity.zone), language)}
    return Mail(subject, "\n".join(lines))


def greeting(language: str, name: str | None) -> str:
    _ = translations(language).gettext
    return _("Hi %(name)s,") % {"name": name} if name else _("Hi,")
