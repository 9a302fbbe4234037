"""The public formats of the programme (iCalendar, Atom, schema.org JSON-LD), rendered from
programme entries built in memory from the 2019 demo activities: no database needed.

Entries are made the way the publish job makes them: the approved revision's content goes
through ``programme.service.render``, so these tests break when the public JSON changes shape.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest

import innovationsweek.models  # noqa: F401  (every mapper, so models can be built in memory)
from innovationsweek import demo
from innovationsweek.activities.models import (
    Activity,
    ActivityStatus,
    AttendanceMode,
    Format,
    Revision,
)
from innovationsweek.activities.service import content_of
from innovationsweek.demo_activities import ACTIVITIES, DemoActivity
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Organisation
from innovationsweek.programme import formats
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.programme.service import render

UTC = timezone.utc
STOCKHOLM = ZoneInfo("Europe/Stockholm")
BASE = "https://programme.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SPECS = {spec.key: spec for spec in ACTIVITIES}
ORGANISATIONS = {row[0]: row for row in demo.ORGANISATIONS}
PUBLISHED = datetime(2019, 9, 5, 8, 30, tzinfo=UTC)


# --- factories --------------------------------------------------------------------------------


def edition() -> Edition:
    return Edition(
        id=1,
        slug="innovationsveckan-2019",
        name={"sv": "Innovationsveckan 2019", "da": "Innovationsugen 2019", "en": "Innovation Week 2019"},
        theme={"sv": "Att sprida och involvera", "da": "At sprede og involvere", "en": "Spread and involve"},
        timezone="Europe/Stockholm",
        starts_at=datetime(2019, 9, 30, 8, 0, tzinfo=STOCKHOLM),
        ends_at=datetime(2019, 10, 4, 16, 0, tzinfo=STOCKHOLM),
        programme_open=True,
        themes=[
            {"key": "spread", "label": {"sv": "Sprida", "da": "Sprede", "en": "Spread"}},
            {"key": "involve", "label": {"sv": "Involvera", "da": "Involvere", "en": "Involve"}},
        ],
    )


def entry(
    key: str,
    *,
    activity_id: int | None = None,
    sequence: int = 0,
    modified_at: datetime = PUBLISHED,
    cancelled_because: str | None = None,
    contact: dict[str, Any] | None = None,
    **changes: Any,
) -> ProgrammeEntry:
    """The programme entry of the demo activity ``key`` as the publish job stores it."""
    spec = replace(SPECS[key], **changes)
    activity_id = activity_id if activity_id is not None else list(SPECS).index(key) + 1
    activity = _activity(spec, activity_id)
    if cancelled_because is not None:
        activity.status = ActivityStatus.CANCELLED
        activity.cancellation_reason = cancelled_because
    for name, value in (contact or {}).items():
        setattr(activity, f"contact_{name}", value)
    activity.approved_revision = Revision(number=sequence + 1, content=content_of(activity))
    data = render(activity)
    return ProgrammeEntry(
        activity_id=activity_id,
        edition_id=1,
        change_number=activity_id * 10 + sequence,
        state=EntryState.UPDATED,
        sequence=sequence,
        modified_at=modified_at,
        published_at=PUBLISHED,
        data={**data, "change_number": activity_id * 10 + sequence, "sequence": sequence, "modified": modified_at.isoformat()},
        starts_at=datetime.fromisoformat(data["starts_at"]),
        ends_at=datetime.fromisoformat(data["ends_at"]),
        cancelled=data["status"] == "cancelled",
        format=Format(data["format"]),
        attendance_mode=AttendanceMode(data["attendance_mode"]),
    )


def _activity(spec: DemoActivity, activity_id: int) -> Activity:
    name, kind, country, region, website = ORGANISATIONS[spec.host]
    host = Organisation(id=list(ORGANISATIONS).index(name) + 1, name=name, kind=kind, country=country, region=region, website=website)
    activity = demo.demo_activity(edition(), host, spec)
    activity.id = activity_id
    activity.status = ActivityStatus(spec.state)
    activity.description_was_sanitised = False
    activity.contact_email_public = False
    activity.featured = False
    # As the database gives them back.
    activity.starts_at, activity.ends_at = activity.starts_at.astimezone(UTC), activity.ends_at.astimezone(UTC)
    return activity


def programme() -> list[ProgrammeEntry]:
    return [
        entry("opening"),
        entry("coi-copenhagen", sequence=2, modified_at=datetime(2019, 9, 20, 14, 5, tzinfo=UTC)),
        entry("coi-aalborg"),
        entry("skane-patient"),
        entry("linkoping-labb", cancelled_because=SPECS["linkoping-labb"].comment, sequence=1,
              modified_at=datetime(2019, 10, 2, 7, 45, tzinfo=UTC)),
    ]


def events(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def uid(key: str) -> str:
    return f"activity-{list(SPECS).index(key) + 1}@innovationsweek"


def page(key: str) -> str:
    return f"{BASE}/api/v1/programme/activities/{list(SPECS).index(key) + 1}"


# --- iCalendar --------------------------------------------------------------------------------


def test_calendar_has_one_event_per_entry_with_stable_uids_and_the_edition_name() -> None:
    ics = formats.calendar(edition(), programme(), base_url=BASE)

    parsed = icalendar.Calendar.from_ical(ics)
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert str(parsed["X-WR-CALNAME"]) == "Innovationsveckan 2019"
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [
        uid(key) for key in ("opening", "coi-copenhagen", "coi-aalborg", "skane-patient", "linkoping-labb")
    ]
    # Times in UTC: no VTIMEZONE to ship.
    assert parsed.walk("VTIMEZONE") == []


def test_calendar_asks_subscribers_to_refresh_hourly_with_a_typed_duration() -> None:
    ics = formats.calendar(edition(), programme(), base_url=BASE)

    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in ics
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in ics
    parsed = icalendar.Calendar.from_ical(ics)
    assert parsed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


def test_the_same_entries_render_byte_identical_twice() -> None:
    first, second = programme(), programme()

    assert formats.calendar(edition(), first, base_url=BASE) == formats.calendar(edition(), second, base_url=BASE)
    assert formats.event_calendar(edition(), first[1], base_url=BASE) == formats.event_calendar(edition(), second[1], base_url=BASE)
    updated = datetime(2019, 10, 2, 7, 45, tzinfo=UTC)
    assert formats.atom(edition(), first, base_url=BASE, updated=updated) == formats.atom(edition(), second, base_url=BASE, updated=updated)
    assert json.dumps(formats.json_ld(first[1], base_url=BASE)) == json.dumps(formats.json_ld(second[1], base_url=BASE))


def test_uid_stays_and_sequence_rises_when_an_activity_changes() -> None:
    before = events(formats.event_calendar(edition(), entry("coi-aalborg", sequence=0), base_url=BASE))
    changed = entry("coi-aalborg", sequence=1, start="14:00", modified_at=datetime(2019, 9, 25, 9, 0, tzinfo=UTC))
    after = events(formats.event_calendar(edition(), changed, base_url=BASE))

    assert list(before) == list(after) == [uid("coi-aalborg")]
    assert before[uid("coi-aalborg")]["SEQUENCE"] == 0
    assert after[uid("coi-aalborg")]["SEQUENCE"] == 1
    assert after[uid("coi-aalborg")].decoded("DTSTART") == datetime(2019, 10, 3, 14, 0, tzinfo=STOCKHOLM)


def test_uid_does_not_depend_on_the_base_url() -> None:
    one = events(formats.event_calendar(edition(), entry("opening"), base_url=BASE))
    other = events(formats.event_calendar(edition(), entry("opening"), base_url="http://localhost:8000/"))

    assert list(one) == list(other) == [uid("opening")]


def test_dtstamp_is_the_time_the_entry_last_changed_not_now() -> None:
    modified = datetime(2019, 9, 20, 14, 5, tzinfo=UTC)
    event = events(formats.event_calendar(edition(), entry("coi-copenhagen", modified_at=modified), base_url=BASE))[uid("coi-copenhagen")]

    assert event.decoded("DTSTAMP") == modified
    assert event.decoded("LAST-MODIFIED") == modified
    assert abs(datetime.now(UTC) - event.decoded("DTSTAMP")) > timedelta(days=365)


def test_coi_workshops_are_written_in_utc_equal_to_1300_1600_in_stockholm() -> None:
    ics = formats.calendar(edition(), [entry("coi-copenhagen"), entry("coi-aalborg")], base_url=BASE)

    assert ics.count(b"DTSTART:20191003T110000Z\r\n") == 2
    assert ics.count(b"DTEND:20191003T140000Z\r\n") == 2
    for event in events(ics).values():
        assert event.decoded("DTSTART") == datetime(2019, 10, 3, 13, 0, tzinfo=STOCKHOLM)
        assert event.decoded("DTEND") == datetime(2019, 10, 3, 16, 0, tzinfo=STOCKHOLM)
        assert event.decoded("DTSTART").tzinfo is not None


def test_cancelled_activity_stays_in_the_calendar_marked_cancelled() -> None:
    ics = formats.calendar(edition(), programme(), base_url=BASE)
    parsed = events(ics)

    cancelled = parsed[uid("linkoping-labb")]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] == 1
    assert str(cancelled["SUMMARY"]) == "Inställt: Öppet hus: Innovationslabbet"
    assert "Inställt på grund av sjukdom." in str(cancelled["DESCRIPTION"])
    assert cancelled.decoded("DTSTART") == datetime(2019, 10, 4, 13, 0, tzinfo=STOCKHOLM)
    assert str(cancelled["LOCATION"]) == "Innovationslabbet, Drottninggatan 45, Linköping"
    for key in ("opening", "coi-copenhagen", "coi-aalborg", "skane-patient"):
        assert str(parsed[uid(key)]["STATUS"]) == "CONFIRMED"


def test_a_cancelled_danish_activity_is_marked_cancelled_in_danish_only() -> None:
    cancelled = entry("coi-copenhagen", cancelled_because="Aflyst på grund af sygdom.", sequence=1)
    event = events(formats.event_calendar(edition(), cancelled, base_url=BASE))[uid("coi-copenhagen")]

    assert str(event["SUMMARY"]) == "Aflyst: Københavnerværkstedet: Politikerne som drivkraft i offentlig innovation"
    assert str(event["DESCRIPTION"]).startswith("Aflyst: Aflyst på grund af sygdom.")
    assert "Inställd" not in str(event["SUMMARY"]) + str(event["DESCRIPTION"])


def test_in_person_event_has_venue_geo_and_the_public_page() -> None:
    event = events(formats.event_calendar(edition(), entry("coi-copenhagen"), base_url=BASE))[uid("coi-copenhagen")]

    assert str(event["SUMMARY"]) == "Københavnerværkstedet: Politikerne som drivkraft i offentlig innovation"
    assert str(event["LOCATION"]) == "COI, Kronprinsessegade 28, København"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (55.6845, 12.5838)
    assert str(event["URL"]) == page("coi-copenhagen")
    assert [str(c) for c in event["CATEGORIES"].cats] == ["workshop", "involve"]


def test_webcast_is_online_and_links_to_the_stream() -> None:
    event = events(formats.event_calendar(edition(), entry("opening"), base_url=BASE))[uid("opening")]

    assert str(event["LOCATION"]) == "Online"
    assert str(event["URL"]) == "https://www.vinnova.se/innovationsveckan/invigning"
    assert "GEO" not in event
    assert [str(c) for c in event["CATEGORIES"].cats] == ["webcast", "spread", "involve"]


def test_hybrid_event_keeps_its_page_and_tells_the_stream_and_registration_in_the_description() -> None:
    event = events(formats.event_calendar(edition(), entry("skane-patient"), base_url=BASE))[uid("skane-patient")]

    assert str(event["URL"]) == page("skane-patient")
    assert str(event["LOCATION"]) == "Regionhuset, J A Hedlunds väg, Kristianstad"
    description = str(event["DESCRIPTION"])
    assert "Online: https://www.skane.se/innovationsveckan/patientens-vag" in description
    assert "Anmälan: https://www.skane.se/anmalan" in description


def test_description_is_summary_and_plain_text_without_tags() -> None:
    event = events(formats.event_calendar(edition(), entry("opening"), base_url=BASE))[uid("opening")]

    assert str(event["DESCRIPTION"]) == (
        "Vinnova och SKL öppnar veckan: varför offentlig sektor behöver sprida smarta lösningar och involvera fler."
        "\n\nVeckan är en nationell kraftsamling för att visa upp det driv och engagemang som finns inom offentlig sektor."
        "\n\nOnline: https://www.vinnova.se/innovationsveckan/invigning"
    )
    assert "<" not in str(event["DESCRIPTION"])


def test_organizer_is_named_without_personal_email_unless_the_contact_is_published() -> None:
    person = {"name": "Mette Jensen", "email": "mette.jensen@coi.dk", "phone": "+45 33 92 00 00"}
    hidden = formats.event_calendar(edition(), entry("coi-copenhagen", contact=person), base_url=BASE)
    event = events(hidden)[uid("coi-copenhagen")]

    assert event["ORGANIZER"].params["CN"] == "Center for Offentlig Innovation"
    assert str(event["ORGANIZER"]) == "https://www.co-pi.dk"
    for secret in (b"Mette", b"mette.jensen", b"+45 33"):
        assert secret not in hidden

    shown = formats.event_calendar(edition(), entry("coi-copenhagen", contact={**person, "email_public": True}), base_url=BASE)
    organizer = events(shown)[uid("coi-copenhagen")]["ORGANIZER"]
    assert organizer.params["CN"] == "Center for Offentlig Innovation"
    assert str(organizer) == "mailto:mette.jensen@coi.dk"
    assert b"+45 33" not in shown


def test_event_calendar_holds_exactly_the_one_activity() -> None:
    parsed = icalendar.Calendar.from_ical(formats.event_calendar(edition(), entry("coi-aalborg"), base_url=BASE))

    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [uid("coi-aalborg")]
    assert str(parsed["X-WR-CALNAME"]) == "Innovationsveckan 2019"


def test_calendar_lines_are_folded_to_75_octets_and_end_in_crlf() -> None:
    ics = formats.calendar(edition(), programme(), base_url=BASE)

    assert ics.endswith(b"END:VCALENDAR\r\n")
    lines = ics.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert not any(b"\n" in line for line in lines)


def test_deleted_entries_are_refused() -> None:
    deleted = ProgrammeEntry(activity_id=99, edition_id=1, change_number=5, state=EntryState.DELETED, sequence=3, data=None)

    with pytest.raises(ValueError, match="deleted"):
        formats.calendar(edition(), [deleted], base_url=BASE)


# --- Atom -------------------------------------------------------------------------------------


def test_atom_feed_is_the_programme_with_its_name_and_the_given_time() -> None:
    updated = datetime(2019, 10, 2, 7, 45, tzinfo=UTC)
    feed = ET.fromstring(formats.atom(edition(), programme(), base_url=BASE, updated=updated))

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == f"{BASE}/api/v1/editions/innovationsveckan-2019/programme"
    assert feed.findtext(f"{ATOM}title") == "Innovationsveckan 2019"
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "") == updated
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    links = {(link.get("rel"), link.get("type")): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links[("self", "application/atom+xml")] == f"{BASE}/api/v1/editions/innovationsveckan-2019/programme.atom"


def test_atom_has_one_entry_per_activity_with_stable_ids_and_entry_times() -> None:
    feed = ET.fromstring(formats.atom(edition(), programme(), base_url=BASE, updated=PUBLISHED))
    items = feed.findall(f"{ATOM}entry")

    assert [item.findtext(f"{ATOM}id") for item in items] == [
        page(key) for key in ("opening", "coi-copenhagen", "coi-aalborg", "skane-patient", "linkoping-labb")
    ]
    copenhagen = items[1]
    assert copenhagen.findtext(f"{ATOM}title") == "Københavnerværkstedet: Politikerne som drivkraft i offentlig innovation"
    assert datetime.fromisoformat(copenhagen.findtext(f"{ATOM}updated") or "") == datetime(2019, 9, 20, 14, 5, tzinfo=UTC)
    assert datetime.fromisoformat(copenhagen.findtext(f"{ATOM}published") or "") == PUBLISHED
    assert copenhagen.findtext(f"{ATOM}author/{ATOM}name") == "Center for Offentlig Innovation"
    assert [(c.get("term"), c.get("label")) for c in copenhagen.findall(f"{ATOM}category")] == [("involve", "Involvera")]
    summary = copenhagen.findtext(f"{ATOM}summary") or ""
    assert "2019-10-03 13:00–16:00 (Europe/Stockholm)" in summary
    assert "COI, Kronprinsessegade 28, København" in summary

    changed = entry("coi-copenhagen", sequence=3, title="Københavnerværkstedet (ny sal)", modified_at=datetime(2019, 9, 28, tzinfo=UTC))
    again = ET.fromstring(formats.atom(edition(), [changed], base_url=BASE, updated=PUBLISHED)).findall(f"{ATOM}entry")
    assert again[0].findtext(f"{ATOM}id") == page("coi-copenhagen")
    assert again[0].findtext(f"{ATOM}title") == "Københavnerværkstedet (ny sal)"


def test_atom_entries_link_to_the_public_json_and_the_online_url() -> None:
    feed = ET.fromstring(formats.atom(edition(), [entry("opening"), entry("coi-aalborg")], base_url=BASE, updated=PUBLISHED))
    opening, aalborg = feed.findall(f"{ATOM}entry")

    links = {(link.get("rel"), link.get("type")): link.get("href") for link in opening.findall(f"{ATOM}link")}
    assert links[("alternate", "application/json")] == page("opening")
    assert links[("related", None)] == "https://www.vinnova.se/innovationsveckan/invigning"
    assert [link.get("rel") for link in aalborg.findall(f"{ATOM}link")] == ["alternate", "alternate"]


def test_atom_titles_cancelled_activities_as_cancelled() -> None:
    feed = ET.fromstring(formats.atom(edition(), programme(), base_url=BASE, updated=PUBLISHED))
    titles = {item.findtext(f"{ATOM}id"): item.findtext(f"{ATOM}title") for item in feed.findall(f"{ATOM}entry")}

    assert titles[page("linkoping-labb")] == "Inställt: Öppet hus: Innovationslabbet"
    assert not titles[page("coi-aalborg")].startswith("Inställd")


def test_atom_of_an_empty_programme_is_still_a_valid_feed() -> None:
    feed = ET.fromstring(formats.atom(edition(), [], base_url=BASE, updated=PUBLISHED))

    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Innovationsveckan 2019"


# --- schema.org JSON-LD -----------------------------------------------------------------------


def test_json_ld_of_the_copenhagen_workshop_is_an_offline_event_at_a_place() -> None:
    event = formats.json_ld(entry("coi-copenhagen"), base_url=BASE)

    assert event["@context"] == "https://schema.org"
    assert event["@type"] == "Event"
    assert event["name"] == "Københavnerværkstedet: Politikerne som drivkraft i offentlig innovation"
    assert event["url"] == event["@id"] == page("coi-copenhagen")
    assert event["startDate"] == "2019-10-03T13:00:00+02:00"
    assert event["endDate"] == "2019-10-03T16:00:00+02:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"] == {
        "@type": "Place",
        "name": "COI",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Kronprinsessegade 28",
            "addressLocality": "København",
            "addressRegion": "Hovedstaden",
            "addressCountry": "DK",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 55.6845, "longitude": 12.5838},
    }
    assert event["organizer"] == [{"@type": "Organization", "name": "Center for Offentlig Innovation", "url": "https://www.co-pi.dk"}]
    assert event["inLanguage"] == ["da"]
    assert event["audience"] == [
        {"@type": "Audience", "audienceType": audience} for audience in ("politicians", "employees", "managers")
    ]
    assert event["maximumAttendeeCapacity"] == 30
    assert "offers" not in event  # registration is here, not on an external site
    assert "<" not in event["description"]
    json.dumps(event)


def test_json_ld_of_a_cancelled_activity_keeps_its_dates_and_place() -> None:
    event = formats.json_ld(entry("coi-aalborg", cancelled_because="Aflyst pga. sygdom."), base_url=BASE)

    assert event["eventStatus"] == "https://schema.org/EventCancelled"
    assert event["startDate"] == "2019-10-03T13:00:00+02:00"
    assert event["endDate"] == "2019-10-03T16:00:00+02:00"
    assert event["location"]["@type"] == "Place"
    assert event["location"]["address"]["addressLocality"] == "Aalborg"
    assert event["name"] == "Aalborgværkstedet: Politikernes rolle i velfærdsteknologiske satsninger"


def test_json_ld_of_a_webcast_is_online_at_a_virtual_location() -> None:
    event = formats.json_ld(entry("opening"), base_url=BASE)

    assert event["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert event["location"] == {"@type": "VirtualLocation", "url": "https://www.vinnova.se/innovationsveckan/invigning"}
    assert event["startDate"] == "2019-09-30T09:00:00+02:00"
    assert event["organizer"][0]["name"] == "Vinnova"
    assert event["inLanguage"] == ["sv"]


def test_json_ld_of_a_hybrid_workshop_has_both_places_and_the_external_registration() -> None:
    event = formats.json_ld(entry("skane-patient"), base_url=BASE)

    assert event["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, virtual = event["location"]
    assert place["@type"] == "Place"
    assert place["address"]["addressLocality"] == "Kristianstad"
    assert place["address"]["addressCountry"] == "SE"
    assert virtual == {"@type": "VirtualLocation", "url": "https://www.skane.se/innovationsveckan/patientens-vag"}
    assert event["offers"] == {"@type": "Offer", "url": "https://www.skane.se/anmalan"}


def test_json_ld_shows_no_personal_data_unless_the_contact_is_published() -> None:
    person = {"name": "Mette Jensen", "email": "mette.jensen@coi.dk", "phone": "+45 33 92 00 00"}
    hidden = json.dumps(formats.json_ld(entry("coi-copenhagen", contact=person), base_url=BASE), ensure_ascii=False)

    for secret in ("Mette", "mette.jensen", "+45 33"):
        assert secret not in hidden

    shown = formats.json_ld(entry("coi-copenhagen", contact={**person, "email_public": True}), base_url=BASE)
    assert shown["organizer"][0]["contactPoint"] == {"@type": "ContactPoint", "name": "Mette Jensen", "email": "mette.jensen@coi.dk"}
    assert "+45 33" not in json.dumps(shown, ensure_ascii=False)


# --- plain text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Veckan är en\n  nationell kraftsamling.</p><p>Andra &amp; sista stycket.</p>",
         "Veckan är en nationell kraftsamling.\n\nAndra & sista stycket."),
        ("<p>Rad ett<br>rad två</p>", "Rad ett\nrad två"),
        ("<h2>Program</h2><ul><li>13.00 Velkomst</li><li>14.00 <strong>Værksted</strong></li></ul><p>Slut</p>",
         "Program\n\n- 13.00 Velkomst\n- 14.00 Værksted\n\nSlut"),
        ("<script>alert(1)</script><p>Bara text</p>", "Bara text"),
        ("utan taggar", "utan taggar"),
        ("", ""),
    ],
)
def test_plain_text_strips_tags_and_keeps_paragraph_breaks(html: str, text: str) -> None:
    assert formats.plain_text(html) == text
