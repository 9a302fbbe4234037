"""The public programme in the formats partners and calendar clients read: iCalendar, Atom and
schema.org ``Event`` JSON-LD, rendered from programme entries (``ProgrammeEntry.data``).

Pure functions of their arguments: no Flask, no database, no clock. The same entries always
render to the same bytes, so ETags stay stable and calendar clients see an event change only
when its entry did (UID, DTSTAMP and SEQUENCE come from the entry, never from "now").

Personal data: only ``data["contact"]``, which ``render()`` fills only when the organiser chose
to publish it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from lxml import etree
from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from innovationsweek.editions.models import Edition
from innovationsweek.programme.models import ProgrammeEntry
from innovationsweek.translations import LANGUAGES, N_, translations

PRODID = "-//innovationsweek//programme//EN"
# How often subscribed calendars should fetch the programme again (RFC 7986 REFRESH-INTERVAL,
# and X-PUBLISHED-TTL for Outlook and older Apple clients).
REFRESH_INTERVAL = timedelta(hours=1)
# A feed or calendar has no reader's language: what it adds to an activity's own words (its title,
# the reason it was cancelled) is in the activity's language, the first it is held in.
CANCELLED_TITLE = N_("Cancelled: %(title)s")
CANCELLED_REASON = N_("Cancelled: %(reason)s")
REGISTRATION = N_("Registration: %(url)s")
NAME_LANGUAGES = ("sv", "en", "da")  # the edition's name: Swedish first

SCHEMA = "https://schema.org/"
ATTENDANCE_MODES = {
    "in_person": SCHEMA + "OfflineEventAttendanceMode",
    "online": SCHEMA + "OnlineEventAttendanceMode",
    "hybrid": SCHEMA + "MixedEventAttendanceMode",
}


# --- addresses --------------------------------------------------------------------------------


def activity_url(base_url: str, activity_id: int) -> str:
    """The public page (JSON) of an activity: also the Atom entry id and the JSON-LD ``@id``."""
    return f"{base_url.rstrip('/')}/api/v1/programme/activities/{activity_id}"


def programme_url(base_url: str, edition: Edition) -> str:
    return f"{base_url.rstrip('/')}/api/v1/editions/{edition.slug}/programme"


def calendar_uid(activity_id: int) -> str:
    """The iCalendar UID: the same for every render of the activity, whatever the base URL."""
    return f"activity-{activity_id}@innovationsweek"


# --- iCalendar --------------------------------------------------------------------------------

CALENDAR_END = b"END:VCALENDAR\r\n"
ATOM_END = b"</feed>"


def calendar(edition: Edition, entries: Iterable[ProgrammeEntry], *, base_url: str) -> bytes:
    """The programme as one iCalendar (RFC 5545) to subscribe to, events in the given order."""
    return b"".join(calendar_chunks(edition, (event_text(entry, base_url=base_url) for entry in entries)))


def calendar_chunks(edition: Edition, events: Iterable[str]) -> Iterator[bytes]:
    """:func:`calendar` event by event, the same bytes, from events rendered beforehand with
    :func:`event_text`: a whole programme is written out while its events are read, never held
    at once."""
    opening = _calendar(edition).to_ical()
    yield opening[: -len(CALENDAR_END)]
    for event in events:
        yield event.encode()
    yield CALENDAR_END


def event_text(entry: ProgrammeEntry, *, base_url: str) -> str:
    """The entry's iCalendar event, as the publish job keeps it with the entry."""
    return _event(entry, base_url=base_url).to_ical().decode()


def event_calendar(edition: Edition, entry: ProgrammeEntry, *, base_url: str) -> bytes:
    """One activity as an iCalendar of one event (the ``.ics`` of an activity's page)."""
    return calendar(edition, [entry], base_url=base_url)


def _calendar(edition: Edition) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _in_swedish(edition.name) or edition.slug)
    theme = _in_swedish(edition.theme)
    if theme:
        cal.add("x-wr-caldesc", theme)
    # Neither property is known to icalendar 6, and RFC 7986 requires VALUE=DURATION on
    # REFRESH-INTERVAL: encode both as durations and set the parameter by hand.
    cal.add("refresh-interval", icalendar.vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    return cal


def _event(entry: ProgrammeEntry, *, base_url: str) -> icalendar.Event:
    data = _data(entry)
    activity_id = data["id"]
    cancelled = _cancelled(entry, data)
    event = icalendar.Event()
    # Built with add() rather than Event.new() (icalendar 7 only); nothing here is invented by
    # the library, so UID and DTSTAMP are exactly what we pass.
    event.add("uid", calendar_uid(activity_id))
    event.add("dtstamp", _utc(entry.modified_at))
    event.add("last-modified", _utc(entry.modified_at))
    event.add("created", _utc(entry.published_at))
    event.add("sequence", entry.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("dtstart", _utc(_moment(data["starts_at"])))
    event.add("dtend", _utc(_moment(data["ends_at"])))
    event.add("summary", _in_its_language(data, CANCELLED_TITLE, title=data["title"]) if cancelled else data["title"])
    event.add("description", _calendar_description(data, cancelled))
    location = _venue_text(data["venue"]) or ("Online" if data["attendance_mode"] != "in_person" else "")
    if location:
        event.add("location", location)
    event.add("url", _calendar_url(data, base_url))
    geo = _coordinates(data["venue"])
    if geo is not None:
        event.add("geo", geo)
    organiser = data["organiser"]
    contact = data.get("contact")
    address = (
        f"mailto:{contact['email']}" if contact and contact.get("email")
        else organiser.get("website") or activity_url(base_url, activity_id)
    )
    event.add("organizer", icalendar.vCalAddress(address), parameters={"CN": organiser["name"]})
    categories = [data["format"], *data["themes"]]
    event.add("categories", categories)
    return event


def _calendar_url(data: Mapping[str, Any], base_url: str) -> str:
    """Where to go: the stream of an online activity or webcast, else the activity's page."""
    online = _online_url(data)
    if online and (data["attendance_mode"] == "online" or data["format"] == "webcast"):
        return online
    return activity_url(base_url, data["id"])


def _in_its_language(data: Mapping[str, Any], message: str, **values: str) -> str:
    """``message`` in the language the activity is held in first (else Swedish), as its title is."""
    spoken = [language for language in data.get("languages") or [] if language in LANGUAGES]
    return (translations(spoken[0] if spoken else LANGUAGES[0]).gettext(message) % values).strip()


def _calendar_description(data: Mapping[str, Any], cancelled: bool) -> str:
    parts = []
    if cancelled:
        parts.append(_in_its_language(data, CANCELLED_REASON, reason=(data.get("cancellation_reason") or "").strip()))
    parts.append(_description(data))
    if data["attendance_mode"] != "in_person" and data.get("online_url"):
        parts.append(f"Online: {data['online_url']}")
    registration = data.get("registration") or {}
    if registration.get("mode") == "external" and registration.get("url"):
        parts.append(_in_its_language(data, REGISTRATION, url=registration["url"]))
    return "\n\n".join(part.strip() for part in parts if part.strip())


# --- Atom -------------------------------------------------------------------------------------


def atom(edition: Edition, entries: Iterable[ProgrammeEntry], *, base_url: str, updated: datetime) -> bytes:
    """The programme as an Atom 1.0 feed (RFC 4287), one entry per activity in the given order.

    ``updated`` is the programme's last change (its cache version), never the time of the request.
    """
    return b"".join(atom_chunks(edition, entries, base_url=base_url, updated=updated))


def atom_chunks(edition: Edition, entries: Iterable[ProgrammeEntry], *, base_url: str, updated: datetime) -> Iterator[bytes]:
    """:func:`atom` entry by entry: the feed's head, each entry as it is read, the end."""
    head = _atom_head(edition, base_url=base_url, updated=updated).atom_str(pretty=True)
    yield head[: head.rindex(ATOM_END)]
    theme_labels = {theme["key"]: _in_swedish(theme.get("label") or {}) for theme in edition.themes or []}
    for entry in entries:
        yield etree.tostring(_atom_entry(entry, base_url=base_url, theme_labels=theme_labels).atom_entry(), pretty_print=True)
    yield ATOM_END + b"\n"


def _atom_head(edition: Edition, *, base_url: str, updated: datetime) -> FeedGenerator:
    name = _in_swedish(edition.name) or edition.slug
    programme = programme_url(base_url, edition)
    feed = FeedGenerator()
    feed.id(programme)
    feed.title(name)
    theme = _in_swedish(edition.theme)
    if theme:
        feed.subtitle(theme)
    feed.updated(_utc(updated))
    # Atom wants an author on the feed unless every entry has one; an empty programme has none.
    feed.author(name=name)
    feed.link(href=f"{programme}.atom", rel="self", type="application/atom+xml")
    feed.link(href=programme, rel="alternate", type="application/json")
    feed.link(href=f"{programme}.ics", rel="alternate", type="text/calendar")
    feed.generator("innovationsweek")
    return feed


def _atom_entry(entry: ProgrammeEntry, *, base_url: str, theme_labels: Mapping[str, str]) -> FeedEntry:
    data = _data(entry)
    page = activity_url(base_url, data["id"])
    cancelled = _cancelled(entry, data)
    item = FeedEntry()
    item.id(page)
    item.title(_in_its_language(data, CANCELLED_TITLE, title=data["title"]) if cancelled else data["title"])
    item.updated(_utc(entry.modified_at))
    item.published(_utc(entry.published_at))
    item.summary(_atom_summary(data, cancelled))
    if data.get("description"):
        item.content(data["description"], type="html")  # sanitised when it was saved
    links = [
        {"href": page, "rel": "alternate", "type": "application/json"},
        {"href": f"{page}.ics", "rel": "alternate", "type": "text/calendar"},
    ]
    online = data.get("online_url")
    if online and data["attendance_mode"] != "in_person":
        links.append({"href": online, "rel": "related", "title": "Online"})
    item.register_extension("innovationsweek_links", _EntryLinks, atom=True, rss=False)
    item.innovationsweek_links.links = item.link(links)
    organiser = data["organiser"]
    item.author(_without_none({"name": organiser["name"], "uri": organiser.get("website")}))
    for key in data["themes"]:
        item.category(_without_none({"term": key, "label": theme_labels.get(key)}))
    return item


class _EntryLinks(BaseEntryExtension):
    """Writes the attributes of an entry's links. feedgen 1.0.0 writes only their ``href``
    (lkiesow/python-feedgen#135, open), which leaves partners unable to tell the JSON from the
    calendar from the stream; the links come out in the order given, so they are matched by it."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: Any) -> Any:
        elements = [child for child in entry if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "link"]
        for element, link in zip(elements, self.links, strict=True):
            for name in ("rel", "type", "title", "hreflang", "length"):
                if link.get(name):
                    element.set(name, str(link[name]))
        return entry


def _atom_summary(data: Mapping[str, Any], cancelled: bool) -> str:
    zone = ZoneInfo(data["timezone"])
    starts = _moment(data["starts_at"]).astimezone(zone)
    ends = _moment(data["ends_at"]).astimezone(zone)
    until = ends.strftime("%H:%M") if ends.date() == starts.date() else ends.strftime("%Y-%m-%d %H:%M")
    where = _venue_text(data["venue"])
    if data["attendance_mode"] != "in_person":
        where = f"{where} + Online" if where else "Online"
    lines = []
    if cancelled:
        lines.append(_in_its_language(data, CANCELLED_REASON, reason=(data.get("cancellation_reason") or "").strip()))
    lines.append(f"{starts:%Y-%m-%d %H:%M}–{until} ({data['timezone']}), {where}")
    lines.append(data["summary"])
    return "\n\n".join(line.strip() for line in lines if line and line.strip())


# --- schema.org JSON-LD -----------------------------------------------------------------------


def json_ld(entry: ProgrammeEntry, *, base_url: str) -> dict[str, Any]:
    """The activity as a schema.org ``Event`` (JSON-LD). A cancelled activity keeps its dates and
    location and says ``EventCancelled``, as search engines and partner sites expect."""
    data = _data(entry)
    page = activity_url(base_url, data["id"])
    zone = ZoneInfo(data["timezone"])
    event: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": page,
        "identifier": str(data["id"]),
        "url": page,
        "name": data["title"],
        "description": _description(data),
        "startDate": _moment(data["starts_at"]).astimezone(zone).isoformat(),
        "endDate": _moment(data["ends_at"]).astimezone(zone).isoformat(),
        "eventStatus": SCHEMA + ("EventCancelled" if _cancelled(entry, data) else "EventScheduled"),
        "eventAttendanceMode": ATTENDANCE_MODES[data["attendance_mode"]],
        "location": _locations(data, page),
        "organizer": _organizers(data),
        "inLanguage": list(data["languages"]),
        "audience": [{"@type": "Audience", "audienceType": audience} for audience in data["audiences"]],
    }
    if data.get("topics"):
        event["keywords"] = ", ".join(data["topics"])
    registration = data.get("registration") or {}
    if registration.get("capacity"):
        event["maximumAttendeeCapacity"] = registration["capacity"]
    if registration.get("mode") == "external" and registration.get("url"):
        event["offers"] = {"@type": "Offer", "url": registration["url"]}
    contact = data.get("contact")
    if contact and contact.get("email"):
        event["organizer"][0]["contactPoint"] = _without_none(
            {"@type": "ContactPoint", "name": contact.get("name"), "email": contact["email"]}
        )
    return event


def _locations(data: Mapping[str, Any], page: str) -> dict[str, Any] | list[dict[str, Any]]:
    mode = data["attendance_mode"]
    venue = data.get("venue")
    places: list[dict[str, Any]] = []
    if mode != "online" and venue:
        places.append(_place(venue, data["organiser"].get("country")))
    if mode != "in_person":
        # A webcast without its link still happens online: point at its page rather than
        # leave the event without a location.
        places.append({"@type": "VirtualLocation", "url": _online_url(data) or page})
    if not places:  # in person, venue unknown: still a place, in the organiser's country
        places.append(_place({}, data["organiser"].get("country")))
    return places[0] if len(places) == 1 else places


def _place(venue: Mapping[str, Any], country: str | None) -> dict[str, Any]:
    address = _without_none(
        {
            "@type": "PostalAddress",
            "streetAddress": venue.get("address"),
            "addressLocality": venue.get("municipality"),
            "addressRegion": venue.get("region"),
            "addressCountry": country,
        }
    )
    place = _without_none({"@type": "Place", "name": venue.get("name"), "address": address})
    geo = _coordinates(venue)
    if geo is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": geo[0], "longitude": geo[1]}
    return place


def _organizers(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        _without_none({"@type": "Organization", "name": organisation["name"], "url": organisation.get("website")})
        for organisation in (data["organiser"], *(data.get("co_organisers") or ()))
    ]


# --- text -------------------------------------------------------------------------------------


def plain_text(html: str) -> str:
    """The text of (sanitised) HTML without tags: paragraphs and headings apart by a blank line,
    ``<br>`` and list items on lines of their own (items marked "- "), entities decoded."""
    parser = _TextExtractor()
    parser.feed(html or "")
    parser.close()
    return parser.text()


class _TextExtractor(HTMLParser):
    PARAGRAPHS = frozenset(
        "p div section article header footer aside nav main blockquote pre ul ol dl table figure "
        "figcaption h1 h2 h3 h4 h5 h6 hr address details summary".split()
    )
    LINES = frozenset("br li dt dd tr".split())
    HIDDEN = frozenset("script style template head title".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._pending = ""  # the break owed before the next text
        self._marker = ""  # "- " before a list item's first text
        self._hidden = 0
        self._just_broke = False  # the last thing seen was a <br>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        elif tag in self.PARAGRAPHS:
            self._break("\n\n")
        elif tag in self.LINES:
            self._break("\n")
            if tag == "li":
                self._marker = "- "
            elif tag == "br" and self._just_broke:
                self._break("\n\n")  # two <br> in a row look like a paragraph break
            self._just_broke = tag == "br"
            return
        self._just_broke = False

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.PARAGRAPHS:
            self._break("\n\n")
        elif tag in self.LINES:
            self._break("\n")

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        text = re.sub(r"\s+", " ", data)
        if not self._parts or self._pending or self._parts[-1].endswith("\n"):
            text = text.lstrip()
        if not text:
            return
        self._just_broke = False
        if self._pending and self._parts:
            self._parts.append(self._pending)
        self._pending = ""
        self._parts.append(self._marker + text)
        self._marker = ""

    def _break(self, kind: str) -> None:
        if len(kind) > len(self._pending):
            self._pending = kind

    def text(self) -> str:
        joined = "".join(self._parts)
        lines = [re.sub(r" {2,}", " ", line).strip() for line in joined.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _description(data: Mapping[str, Any]) -> str:
    """Summary and description as plain text, the description left out when it only repeats
    the summary (as it does when the organiser wrote no more)."""
    summary = (data.get("summary") or "").strip()
    body = plain_text(data.get("description") or "")
    if not body or body == summary:
        return summary
    return f"{summary}\n\n{body}" if summary else body


# --- small pieces -----------------------------------------------------------------------------


def _data(entry: ProgrammeEntry) -> dict[str, Any]:
    if entry.data is None:
        raise ValueError(f"programme entry {entry.activity_id} is deleted: it is in no public format")
    return entry.data


def _cancelled(entry: ProgrammeEntry, data: Mapping[str, Any]) -> bool:
    return bool(entry.cancelled) or data.get("status") == "cancelled"


def _moment(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _utc(moment: datetime) -> datetime:
    """In UTC (iCalendar then writes ``...Z`` and needs no VTIMEZONE). Naive values are read as
    UTC, as the database stores them."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _venue_text(venue: Mapping[str, Any] | None) -> str:
    if not venue:
        return ""
    parts: list[str] = []
    for key in ("name", "address", "municipality"):
        value = (venue.get(key) or "").strip()
        if value and value not in parts:
            parts.append(value)
    return ", ".join(parts)


def _coordinates(venue: Mapping[str, Any] | None) -> tuple[float, float] | None:
    if not venue or venue.get("latitude") is None or venue.get("longitude") is None:
        return None
    return float(venue["latitude"]), float(venue["longitude"])


def _online_url(data: Mapping[str, Any]) -> str | None:
    return data.get("online_url") or None


def _in_swedish(names: Mapping[str, str] | None) -> str:
    """A per-language text in Swedish, else English, else Danish, else any language it has."""
    names = names or {}
    for language in (*NAME_LANGUAGES, *sorted(names)):
        if names.get(language):
            return names[language]
    return ""


def _without_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None and value != ""}

