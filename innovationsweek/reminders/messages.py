"""The texts of the reminders to organisers and coordinators (Swedish, as the week is run, with
the essentials in English); participants' reminders are in :mod:`innovationsweek.registrations.messages`.

Plain functions of plain values: times are shown in the edition's time zone, with its
abbreviation (CET or CEST), so a reminder is right on either side of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from innovationsweek.registrations.messages import IN_PERSON_MODES, ONLINE_MODES, Mail

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


# One shape for every mail; the participants' reminder is written with their other mails.
Message = Mail


def local(moment: datetime, zone: ZoneInfo) -> str:
    """``tisdag 2026-10-27 kl. 10:00 CET``"""
    moment = moment.astimezone(zone)
    return f"{WEEKDAYS[moment.weekday()]} {moment:%Y-%m-%d} kl. {moment:%H:%M} {moment.tzname()}"


def when(starts_at: datetime, ends_at: datetime, zone: ZoneInfo) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() == end.date():
        return f"{WEEKDAYS[start.weekday()]} {start:%Y-%m-%d} kl. {start:%H:%M}–{end:%H:%M} {start.tzname()}"
    return f"{local(start, zone)} – {local(end, zone)}"


def where(content: Mapping[str, Any]) -> list[str]:
    """The join link for webcasts and online activities, the address for those on site (both
    for hybrid ones)."""
    lines = []
    online_url = content.get("online_url")
    if online_url and (content.get("format") == "webcast" or content.get("attendance_mode") in ONLINE_MODES):
        lines.append(f"Länk / join link: {online_url}")
    venue = content.get("venue") or {}
    if content.get("attendance_mode") in IN_PERSON_MODES and venue:
        parts = [venue.get(name) for name in ("name", "address", "municipality")]
        lines.append("Plats / address: " + ", ".join(part for part in parts if part))
    return lines


def _times(content: Mapping[str, Any], zone: ZoneInfo) -> str:
    return when(datetime.fromisoformat(content["starts_at"]), datetime.fromisoformat(content["ends_at"]), zone)


def draft_deadline(*, title: str, activity_id: int, deadline: datetime, edition: str, zone: ZoneInfo) -> Message:
    lines = [
        f"Er aktivitet \u201d{title}\u201d är ett utkast som inte har skickats in till {edition}.",
        f"Sista dag att skicka in är {local(deadline, zone)}.",
        "",
        f"Your draft has not been submitted; the deadline is {local(deadline, zone)}.",
        f"Submit it with POST /api/v1/activities/{activity_id}/submit.",
    ]
    return Message(f"Skicka in före {deadline.astimezone(zone):%Y-%m-%d}: {title}", "\n".join(lines))


def changes_requested(
    *, title: str, activity_id: int, asked_at: datetime, comment: str | None, findings: list[str], zone: ZoneInfo
) -> Message:
    lines = [
        f"Ändringar i \u201d{title}\u201d efterfrågades {local(asked_at, zone)} och väntar fortfarande.",
        "Changes were requested and are still waiting; edit the activity and submit it again.",
        "",
    ]
    if comment:
        lines += ["Kommentar / comment:", comment, ""]
    if findings:
        lines += ["Att rätta / to fix:", *[f"- {message}" for message in findings], ""]
    lines.append(f"Aktivitet {activity_id}.")
    return Message(f"Väntar på era ändringar: {title}", "\n".join(lines))


def pre_event(
    *, content: Mapping[str, Any], activity_id: int, seats: str | None, zone: ZoneInfo
) -> Message:
    lines = [
        f"Snart dags för \u201d{content['title']}\u201d. Stämmer allt i programmet?",
        "Your activity is coming up: please check that the programme shows it right.",
        "",
        f"När / when: {_times(content, zone)}",
        *where(content),
    ]
    if seats:
        lines.append(f"Anmälda / registered: {seats}")
    lines += ["", f"Ändra aktiviteten vid behov (aktivitet {activity_id}); ändringar granskas innan de visas."]
    return Message(f"Kontrollera inför {content['title']}", "\n".join(lines))


def post_event(*, title: str, activity_id: int) -> Message:
    lines = [
        f"Tack för \u201d{title}\u201d!",
        "",
        "Berätta hur många som deltog, på plats och på distans, och länka till bilder och",
        "inspelningar: de visas sedan med aktiviteten i programmet, så att fler kan ta del av dem.",
        "",
        "Please report attendance and link your slides and recordings; the links then appear",
        "with the activity in the public programme.",
        f"PUT /api/v1/activities/{activity_id}/report",
    ]
    return Message(f"Rapportera efter {title}", "\n".join(lines))


def coordinator_digest(
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
    lines = [f"Granskningskön för {edition}: {waiting} väntar på beslut / waiting for a decision."]
    if reports_waiting:
        lines.append(f"Rapporters material / report material: {reports_waiting} väntar / waiting.")
    if oldest_submitted_at is not None:
        days = (now - oldest_submitted_at).days
        lines.append(f"Äldst / oldest: \u201d{oldest_title}\u201d, inskickad {local(oldest_submitted_at, zone)} ({days} dagar).")
    if by_finding:
        lines += ["", "Per fynd / by finding:", *[f"- {code}: {count}" for code, count in sorted(by_finding.items())]]
    lines.append(f"Utan fynd / without findings: {without_findings}")
    if checking:
        lines.append(f"Kontrolleras just nu / being checked: {checking}")
    return Message(f"Granskningskön: {waiting + reports_waiting} väntar ({edition})", "\n".join(lines))
