"""The bench's programme: many published activities written in bulk into a scratch database.

Rows are shaped as the publish job would leave them (``programme.service.render``): the `data`
the API serves, the filter columns beside it, the tags, and the edition's counter. Titles and
summaries are sentences from real Swedish and Danish texts (``BENCH_SEEDS``), so that text
search meets real words; organisations, places, formats, languages, themes and audiences vary.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from innovationsweek.activities.models import Audience, AttendanceMode, Format
from innovationsweek.organisations.models import OrganisationKind
from innovationsweek.programme.formats import event_text
from innovationsweek.programme.models import EntryState, ProgrammeEntry

SLUG = "bench-week"
# The address the benched app is served at: the publish job renders each entry's calendar
# event for it, and so does the loader.
PUBLIC_URL = "http://bench.invalid"
SEEDS = Path(os.environ.get("BENCH_SEEDS", "/work/shared/seeds"))
START = datetime(2030, 9, 30, 6, tzinfo=timezone.utc)
THEMES = ["spread", "involve", "digital", "climate", "health", "welfare", "democracy", "procurement"]
# (region, its municipalities, country)
PLACES = [
    ("Skåne", ["Malmö", "Lund", "Helsingborg", "Kristianstad"], "SE"),
    ("Stockholm", ["Stockholm", "Solna", "Södertälje", "Nacka"], "SE"),
    ("Västra Götaland", ["Göteborg", "Borås", "Trollhättan", "Skövde"], "SE"),
    ("Östergötland", ["Linköping", "Norrköping", "Motala"], "SE"),
    ("Västerbotten", ["Umeå", "Skellefteå", "Lycksele"], "SE"),
    ("Jämtland", ["Östersund", "Åre"], "SE"),
    ("Hovedstaden", ["København", "Frederiksberg", "Hillerød"], "DK"),
    ("Midtjylland", ["Aarhus", "Randers", "Silkeborg"], "DK"),
    ("Nordjylland", ["Aalborg", "Hjørring"], "DK"),
]
LANGUAGES = [["sv"], ["sv"], ["sv", "en"], ["da"], ["da", "en"], ["en"]]
# Fewer entries render faster in this process than processes start.
PARALLEL_FROM = 5000
FALLBACK_SENTENCES = ["Workshop om innovation i offentlig sektor", "Dialogmøde om velfærdsteknologi og borgere"]


@dataclass(frozen=True)
class Loaded:
    """What the loader made: the edition, how many entries, and some ids and words to ask for."""

    edition_id: int
    count: int
    activity_ids: list[int]
    words: list[str]


def sentences(folder: Path = SEEDS) -> list[str]:
    """Lines of the seed texts fit for a title or a summary (markup and very short lines dropped)."""
    found: list[str] = []
    for file in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        for line in file.read_text(encoding="utf-8", errors="ignore").splitlines():
            text = re.sub(r"[#*_>\[\]()`|]+", " ", line)
            text = " ".join(text.split())
            if 25 <= len(text) <= 400 and sum(c.isalpha() for c in text) > len(text) * 0.6:
                found.append(text)
    return found or FALLBACK_SENTENCES


def search_words(texts: list[str], rng: random.Random) -> list[str]:
    """Every real word of the titles (long enough to be meaningful) to search for, shuffled."""
    words = sorted({w.lower() for t in texts for w in re.findall(r"\w{6,}", t) if not w.isdigit()})
    return rng.sample(words, len(words))


def load(engine: sa.Engine, count: int, *, seed: int = 2019) -> Loaded:
    """Write ``count`` published activities of one open edition; returns what was made."""
    rng = random.Random(seed)
    texts = sentences()
    published_at = datetime.now(timezone.utc)
    with engine.begin() as db:
        edition = _edition(db)
        organisations = _organisations(db, rng, max(20, count // 25))
        activities = list(_activities(rng, texts, organisations, count))
        db.execute(sa.text(ACTIVITY_SQL), [a.activity_row(edition) for a in activities])
        db.execute(sa.text(ENTRY_SQL), entry_rows(activities, edition, published_at))
        db.execute(sa.text(TAG_SQL), [tag for a in activities for tag in a.tag_rows()])
        db.execute(
            sa.text("INSERT INTO programme_counters (edition_id, last_change_number, last_changed_at, announced_change_number) VALUES (:e, :n, now(), :n)"),
            {"e": edition, "n": count},
        )
        db.execute(sa.text("SELECT setval('activities_id_seq', :n)"), {"n": count})
    # As autovacuum does soon after a load (it vacuums after inserts too): statistics for the
    # planner, and the visibility map that lets a count read an index without the rows.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
        db.execute(sa.text("VACUUM ANALYZE"))
    titles = [a.title for a in activities[:2000]]
    return Loaded(edition, count, [a.id for a in activities], search_words(titles, rng))


def entry_rows(activities: list[Activity], edition: int, published_at: datetime) -> list[dict[str, object]]:
    """The programme entries' rows, rendered on every core: each entry's calendar event takes
    icalendar about a millisecond, two minutes of a 100,000 load on one core. The processes are
    spawned, not forked, so that none shares this process's database connection."""
    if len(activities) < PARALLEL_FROM:
        return [a.entry_row(edition, published_at) for a in activities]
    with multiprocessing.get_context("spawn").Pool() as pool:
        return pool.map(functools.partial(_entry_row, edition=edition, published_at=published_at), activities, chunksize=1000)


def _entry_row(activity: Activity, *, edition: int, published_at: datetime) -> dict[str, object]:
    return activity.entry_row(edition, published_at)


def _edition(db: sa.Connection) -> int:
    themes = json.dumps([{"key": key, "label": {"sv": key.capitalize()}} for key in THEMES])
    return db.execute(
        sa.text(
            "INSERT INTO editions (slug, name, theme, timezone, starts_at, ends_at, submissions_open_at, "
            "submissions_close_at, programme_open, retention_days, themes, privacy_notice, privacy_notice_version, "
            "created_at, updated_at) VALUES (:slug, '{\"sv\": \"Bänkveckan\"}', '{\"sv\": \"Sprida\"}', "
            "'Europe/Stockholm', :s, :e, :s0, :s1, true, 180, CAST(:themes AS json), '{}', '1', now(), now()) RETURNING id"
        ),
        {"slug": SLUG, "s": START, "e": START + timedelta(days=4, hours=12), "s0": START - timedelta(days=200),
         "s1": START - timedelta(days=10), "themes": themes},
    ).scalar_one()


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    kind: str
    country: str
    region: str
    municipalities: list[str]

    def public(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "country": self.country, "region": self.region, "website": None}


def _organisations(db: sa.Connection, rng: random.Random, count: int) -> list[Organisation]:
    kinds = [k.value for k in OrganisationKind if k != OrganisationKind.NATIONAL_COORDINATOR]
    made = []
    for number in range(count):
        region, municipalities, country = rng.choice(PLACES)
        kind = rng.choice(kinds)
        home = rng.choice(municipalities)
        # Numbered: names are unique per country.
        name = {"municipality": f"{home} kommun {number}", "region": f"Region {region} {number}"}.get(kind, f"{home} {kind.replace('_', ' ')} {number}")
        made.append((name, kind, country, region, municipalities))
    organisations = []
    for name, kind, country, region, municipalities in made:
        organisation_id = db.execute(
            sa.text(
                "INSERT INTO organisations (name, kind, country, region, created_at, updated_at) "
                "VALUES (:name, :kind, :country, :region, now(), now()) RETURNING id"
            ),
            {"name": name, "kind": kind, "country": country, "region": region},
        ).scalar_one()
        organisations.append(Organisation(organisation_id, name, kind, country, region, municipalities))
    return organisations


@dataclass(frozen=True)
class Activity:
    id: int
    title: str
    summary: str
    format: str
    attendance_mode: str
    starts_at: datetime
    organisation: Organisation
    municipality: str
    languages: list[str]
    audiences: list[str]
    themes: list[str]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(hours=2)

    def data(self) -> dict[str, object]:
        """The public face, as ``programme.service.render`` and the numbering leave it."""
        venue = None if self.attendance_mode == "online" else {
            "name": f"{self.municipality} stadshus", "street": "Storgatan 1", "municipality": self.municipality, "region": self.organisation.region,
        }
        return {
            "id": self.id, "edition": SLUG, "status": "published", "cancellation_reason": None,
            "title": self.title, "summary": self.summary, "description": f"<p>{self.summary}</p>",
            "format": self.format, "attendance_mode": self.attendance_mode,
            "starts_at": self.starts_at.isoformat(), "ends_at": self.ends_at.isoformat(), "timezone": "Europe/Stockholm",
            "venue": venue, "online_url": None if self.attendance_mode == "in_person" else f"https://meet.example.org/{self.id}",
            "languages": self.languages, "audiences": self.audiences, "themes": self.themes, "topics": [],
            "organiser": self.organisation.public(), "co_organisers": [], "contact": None,
            "registration": {"mode": "none", "url": None, "capacity": None}, "photo_notice": None,
            "related_activity_ids": [], "featured": False, "revision": 1, "material": [],
            "change_number": self.id, "sequence": 1, "modified": START.isoformat(),
        }

    def activity_row(self, edition: int) -> dict[str, object]:
        return {
            "id": self.id, "edition": edition, "org": self.organisation.id, "title": self.title, "summary": self.summary,
            "description": f"<p>{self.summary}</p>", "format": self.format, "mode": self.attendance_mode, "starts": self.starts_at, "ends": self.ends_at,
            "languages": json.dumps(self.languages), "audiences": json.dumps(self.audiences), "themes": json.dumps(self.themes),
        }

    def entry_row(self, edition: int, published_at: datetime) -> dict[str, object]:
        text = " ".join((self.title, self.summary, self.organisation.name, self.municipality)).lower()
        data = self.data()
        # As the publish job keeps it: the entry's calendar event.
        entry = ProgrammeEntry(state=EntryState.UPDATED, sequence=1, modified_at=published_at, published_at=published_at, cancelled=False, data=data)
        return {
            "id": self.id, "edition": edition, "data": json.dumps(data, ensure_ascii=False), "starts": self.starts_at,
            "ends": self.ends_at, "format": self.format, "mode": self.attendance_mode, "region": self.organisation.region,
            "municipality": self.municipality, "kind": self.organisation.kind, "text": text, "at": published_at,
            "event": event_text(entry, base_url=PUBLIC_URL), "base": PUBLIC_URL,
        }

    def tag_rows(self) -> Iterator[dict[str, object]]:
        for kind, values in (("language", self.languages), ("audience", self.audiences), ("theme", self.themes)):
            for value in sorted(set(values)):
                yield {"id": self.id, "kind": kind, "value": value}


def _activities(rng: random.Random, texts: list[str], organisations: list[Organisation], count: int) -> Iterator[Activity]:
    formats = [f.value for f in Format]
    modes = [m.value for m in AttendanceMode]
    audiences = [a.value for a in Audience]
    for number in range(1, count + 1):
        organisation = rng.choice(organisations)
        title = rng.choice(texts)[:120].rstrip()
        yield Activity(
            id=number,
            title=title,
            summary=rng.choice(texts)[:300],
            format=rng.choice(formats),
            attendance_mode=rng.choice(modes),
            starts_at=START + timedelta(days=rng.randrange(5), hours=rng.randrange(10), minutes=rng.choice([0, 15, 30, 45])),
            organisation=organisation,
            municipality=rng.choice(organisation.municipalities),
            languages=rng.choice(LANGUAGES),
            audiences=rng.sample(audiences, rng.randint(1, 3)),
            themes=rng.sample(THEMES, rng.randint(1, 2)),
        )


ACTIVITY_SQL = (
    "INSERT INTO activities (id, edition_id, organisation_id, status, version, title, summary, description, "
    "description_was_sanitised, format, attendance_mode, starts_at, ends_at, languages, audiences, themes, "
    "topics, contact_email_public, registration_mode, featured, registration_closed, created_at, updated_at) "
    "VALUES (:id, :edition, :org, 'published', 1, :title, :summary, :description, false, :format, :mode, :starts, "
    ":ends, CAST(:languages AS json), CAST(:audiences AS json), CAST(:themes AS json), '[]', false, 'none', false, false, now(), now())"
)
ENTRY_SQL = (
    "INSERT INTO programme_entries (activity_id, edition_id, change_number, state, sequence, modified_at, "
    "published_at, data, starts_at, ends_at, cancelled, featured, format, attendance_mode, region, "
    "municipality, organisation_kind, search_text, calendar_event, calendar_base_url) VALUES (:id, :edition, :id, "
    "'updated', 1, :at, :at, CAST(:data AS json), :starts, :ends, false, false, :format, :mode, :region, "
    ":municipality, :kind, :text, :event, :base)"
)
TAG_SQL = "INSERT INTO programme_tags (activity_id, kind, value) VALUES (:id, :kind, :value)"
