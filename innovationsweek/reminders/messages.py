"""The texts of the reminders to organisers and coordinators, in one language each: the
organisers' is their organisation's, the coordinators' the edition's own (accounts keep no
language of their own). Written as the participants' mails are, whose reminder is in
:mod:`innovationsweek.registrations.messages`: the English lines are the catalogue's message ids.

Plain functions of plain values: times are shown in the edition's time zone, deadlines with its
abbreviation (CET or CEST), so a reminder is right on either side of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from innovationsweek.moderation.messages import explained
from innovationsweek.registrations.messages import ActivityFacts, Mail, facts, moment
from innovationsweek.translations import translations

# One shape for every mail; the participants' reminder is written with their other mails.
Message = Mail


def local(instant: datetime, zone: ZoneInfo, language: str) -> str:
    """``tisdag 27 oktober 2026 kl. 10:00 CET``, in ``language``."""
    at = instant.astimezone(zone)
    return f"{moment(at, language)} {at.tzname()}"


def draft_deadline(language: str, *, title: str, activity_id: int, deadline: datetime, edition: str, zone: ZoneInfo) -> Message:
    _ = translations(language).gettext
    values = {"title": title, "edition": edition}
    lines = [
        _("Your activity “%(title)s” is a draft that has not been submitted to %(edition)s.") % values,
        _("The last day to submit it is %(deadline)s.") % {"deadline": local(deadline, zone, language)},
        "",
        _("Submit it with %(request)s.") % {"request": f"POST /api/v1/activities/{activity_id}/submit"},
    ]
    day = format_date(deadline.astimezone(zone), "long", locale=language)
    return Message(_("Submit by %(day)s: %(title)s") % {**values, "day": day}, "\n".join(lines))


def changes_requested(
    language: str, *, title: str, activity_id: int, asked_at: datetime, comment: str | None, findings: list[str], zone: ZoneInfo
) -> Message:
    _ = translations(language).gettext
    values = {"title": title, "when": local(asked_at, zone, language)}
    lines = [
        _("Changes to “%(title)s” were requested %(when)s and are still waiting: edit the activity and submit it again.") % values,
        "",
    ]
    lines += explained(comment, findings, language)
    lines.append(_("Activity %(id)d.") % {"id": activity_id})
    return Message(_("Waiting for your changes: %(title)s") % values, "\n".join(lines))


@dataclass(frozen=True)
class Seats:
    """An activity's registrations here: seats taken of its capacity, and its waitlist."""

    taken: int
    capacity: int
    waitlisted: int


def pre_event(
    language: str, *, content: Mapping[str, Any], activity_id: int, organiser: str, seats: Seats | None, zone: ZoneInfo
) -> Message:
    """What the programme says about the coming activity, as its participants are told it."""
    _ = translations(language).gettext
    values = {"title": content["title"]}
    lines = [
        _("“%(title)s” is coming up soon. Does the programme show everything right?") % values,
        "",
        *facts(ActivityFacts.of(content, zone=zone, organiser=organiser), language),
    ]
    if seats:
        lines.append(_seats(seats, language))
    lines += ["", _("Change the activity if needed (activity %(id)d); changes are reviewed before they are shown.") % {"id": activity_id}]
    return Message(_("Check before %(title)s") % values, "\n".join(lines))


def _seats(seats: Seats, language: str) -> str:
    ngettext = translations(language).ngettext
    taken = ngettext(
        "Registered: %(num)d of %(capacity)d seat", "Registered: %(num)d of %(capacity)d seats", seats.capacity
    ) % {"num": seats.taken, "capacity": seats.capacity}
    if not seats.waitlisted:
        return taken
    waiting = ngettext("%(num)d person on the waitlist", "%(num)d people on the waitlist", seats.waitlisted) % {"num": seats.waitlisted}
    return f"{taken}, {waiting}"


def post_event(language: str, *, title: str, activity_id: int) -> Message:
    _ = translations(language).gettext
    values = {"title": title}
    lines = [
        _("Thank you for “%(title)s”!") % values,
        "",
        _("Tell us how many took part, on site and remotely, and link to slides and recordings: they are then shown "
          "with the activity in the programme, so that more people can make use of them."),
        f"PUT /api/v1/activities/{activity_id}/report",
    ]
    return Message(_("Report after %(title)s") % values, "\n".join(lines))


def coordinator_digest(
    language: str,
    *,
    edition: str,
    waiting: int,
    oldest_title: str | None,
    oldest_submitted_at: datetime | None,
    now: datetime,
    by_finding: Mapping[str, int],
    without_findings: int,
    checking: int,
    reports_waiting: int,
    zone: ZoneInfo,
) -> Message:
    translation = translations(language)
    _, ngettext = translation.gettext, translation.ngettext
    values = {"edition": edition}
    lines = [
        ngettext(
            "Review queue of %(edition)s: %(num)d activity waits for a decision.",
            "Review queue of %(edition)s: %(num)d activities wait for a decision.",
            waiting,
        ) % {**values, "num": waiting}
    ]
    if reports_waiting:
        lines.append(
            ngettext(
                "Report material: %(num)d report waits for a decision.", "Report material: %(num)d reports wait for a decision.", reports_waiting
            ) % {"num": reports_waiting}
        )
    if oldest_submitted_at is not None:
        days = (now - oldest_submitted_at).days
        lines.append(
            _("Oldest: “%(title)s”, submitted %(when)s (%(days)s).")
            % {
                "title": oldest_title,
                "when": local(oldest_submitted_at, zone, language),
                "days": ngettext("%(num)d day ago", "%(num)d days ago", days) % {"num": days},
            }
        )
    if by_finding:
        lines += ["", _("By finding:"), *[f"- {code}: {count}" for code, count in sorted(by_finding.items())]]
    lines.append(_("Without findings: %(num)d") % {"num": without_findings})
    if checking:
        lines.append(_("Being checked right now: %(num)d") % {"num": checking})
    total = waiting + reports_waiting
    return Message(_("Review queue: %(num)d waiting (%(edition)s)") % {**values, "num": total}, "\n".join(lines))
