"""Demo data from the source documents: Innovationsveckan 2019 and its organisers.

Loaded by ``make run`` into an empty database, or with ``innovationsweek demo load``. The demo
accounts exist only where this was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek.accounts import service as accounts
from innovationsweek.accounts.models import User
from innovationsweek.activities.models import (
    VENUE_PARTS,
    Activity,
    ActivityStatus,
    AttendanceMode,
    Finding,
    Format,
    RegistrationMode,
    Revision,
    RevisionState,
    Severity,
    related_activities,
)
from innovationsweek.activities.service import content_of
from innovationsweek.actors import Actor
from innovationsweek.demo_activities import ACTIVITIES, BUILDS_ON_LINKOPING, DemoActivity
from innovationsweek.editions.models import Edition, EditionCoordinator, PrivacyNoticeVersion
from innovationsweek.moderation.models import ModerationSettings
from innovationsweek.programme import service as programme
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind
from innovationsweek.reports.models import ActivityReport, ReportRevision
from innovationsweek.solutions import copying

EDITION_SLUG = "innovationsveckan-2019"
STOCKHOLM = ZoneInfo("Europe/Stockholm")

DEMO_ACCOUNTS = (
    ("admin@example.org", "Alva Admin", "admin"),
    ("coordinator@example.org", "Marianne Löfgren", "coordinator"),
    ("organiser@example.org", "Oskar Organisatör", "organiser"),
)

# (name, kind, country, region, website)
ORGANISATIONS = (
    ("Vinnova", OrganisationKind.STATE_AGENCY, "SE", None, "https://www.vinnova.se"),
    ("Sveriges Kommuner och Landsting", OrganisationKind.NATIONAL_COORDINATOR, "SE", None, "https://skr.se"),
    ("Center for Offentlig Innovation", OrganisationKind.NATIONAL_COORDINATOR, "DK", None, "https://www.co-pi.dk"),
    ("Linköpings kommun", OrganisationKind.MUNICIPALITY, "SE", "Östergötland", "https://www.linkoping.se"),
    ("Umeå kommun", OrganisationKind.MUNICIPALITY, "SE", "Västerbotten", "https://www.umea.se"),
    ("Malmö stad", OrganisationKind.MUNICIPALITY, "SE", "Skåne", "https://malmo.se"),
    ("Göteborgs Stad", OrganisationKind.MUNICIPALITY, "SE", "Västra Götaland", "https://goteborg.se"),
    ("Region Skåne", OrganisationKind.REGION, "SE", "Skåne", "https://www.skane.se"),
    ("Region Västerbotten", OrganisationKind.REGION, "SE", "Västerbotten", "https://www.regionvasterbotten.se"),
    ("Skatteverket", OrganisationKind.STATE_AGENCY, "SE", None, "https://www.skatteverket.se"),
    ("Linköpings universitet", OrganisationKind.ACADEMIA, "SE", "Östergötland", "https://liu.se"),
    ("Coompanion Västerbotten", OrganisationKind.CIVIL_SOCIETY, "SE", "Västerbotten", None),
    ("Välfärdsteknik Norr AB", OrganisationKind.COMPANY, "SE", "Norrbotten", None),
    ("Københavns Kommune", OrganisationKind.MUNICIPALITY, "DK", "Hovedstaden", "https://www.kk.dk"),
    ("Aalborg Kommune", OrganisationKind.MUNICIPALITY, "DK", "Nordjylland", "https://www.aalborg.dk"),
    ("Kolding Kommune", OrganisationKind.MUNICIPALITY, "DK", "Syddanmark", "https://www.kolding.dk"),
    ("Region Syddanmark", OrganisationKind.REGION, "DK", "Syddanmark", "https://www.regionsyddanmark.dk"),
    ("Roskilde Universitet", OrganisationKind.ACADEMIA, "DK", "Sjælland", "https://ruc.dk"),
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str


def is_database_empty(session: Session) -> bool:
    return session.scalar(sa.select(sa.func.count()).select_from(User)) == 0 and not session.scalar(
        sa.select(sa.func.count()).select_from(Edition)
    )


def load_demo(session: Session, *, password: str) -> list[DemoAccount]:
    """Load the demo edition, organisations and accounts; a second load changes nothing."""
    if session.scalar(sa.select(Edition.id).where(Edition.slug == EDITION_SLUG)) is not None:
        return [DemoAccount(email, password, role) for email, _, role in DEMO_ACCOUNTS]
    users = {
        role: accounts.register(session, email=email, password=password, name=name, is_admin=role == "admin")
        for email, name, role in DEMO_ACCOUNTS
    }
    edition = _edition()
    edition.coordinators.append(EditionCoordinator(user=users["coordinator"], assigned_by_id=users["admin"].id))
    session.add(edition)
    organisations = {name: Organisation(name=name, kind=kind, country=country, region=region, website=website)
                     for name, kind, country, region, website in ORGANISATIONS}
    session.add_all(organisations.values())
    organisations["Linköpings kommun"].memberships.append(Membership(user=users["organiser"], role=MemberRole.OWNER))
    organisations["Sveriges Kommuner och Landsting"].memberships.append(
        Membership(user=users["coordinator"], role=MemberRole.OWNER)
    )
    session.flush()
    earlier = _seed_activities(session, edition, organisations, users)
    _seed_report(session, earlier[REUSED], users["organiser"], users["coordinator"])
    current = _current_edition()
    current.coordinators.append(EditionCoordinator(user=users["coordinator"], assigned_by_id=users["admin"].id))
    session.add(current)
    session.flush()
    session.add(ModerationSettings(edition_id=current.id, fast_lane=False, reasons=REVIEW_REASONS))
    session.flush()
    _seed_activities(session, current, organisations, users, CURRENT_ACTIVITIES, builds_on=earlier)
    organiser = Actor(user=users["organiser"])
    copying.copy_activity(session, organiser, earlier[COPIED].id, edition_slug=current.slug)
    return [DemoAccount(email, password, role) for email, _, role in DEMO_ACCOUNTS]


REVIEW_REASONS = [
    {"key": "outside_week", "text": {"sv": "Aktiviteten måste äga rum under veckan.", "en": "The activity must take place during the week."}},
    {"key": "more_detail", "text": {"sv": "Beskriv närmare vad deltagarna får ut av aktiviteten.", "en": "Say more about what participants get out of it."}},
    {"key": "off_theme", "text": {"sv": "Aktiviteten hör inte till veckans tema.", "en": "The activity does not fit the theme of the week."}},
]


# Next year's week: a few activities to register for and to review, in `make run`. The study
# visit has two seats, so a third registration shows the waitlist. Umeå builds on Linköping's
# 2019 study visit (with its material), and Linköping's 2019 dialogue on safety is copied forward
# as a draft: "steal with pride".
CURRENT_ACTIVITIES = (
    *(
        replace(spec, **changes)
        for spec in ACTIVITIES
        for key, changes in (
            ("linkoping-hemtjanst", {"registration": {"mode": "internal", "capacity": 2}}),
            ("skl-spread", {}),
            ("goteborg-ai", {}),
        )
        if spec.key == key
    ),
    BUILDS_ON_LINKOPING,
)
REUSED = "linkoping-hemtjanst"  # the 2019 solution with material that Umeå builds on
COPIED = "linkoping-trygghet"  # the 2019 activity Linköping copies into the new week
REUSED_MATERIAL = {
    "links": [
        {"title": "Bilder: Digitala medarbetare i hemtjänsten (PDF)", "url": "https://www.linkoping.se/innovationsveckan/digitala-medarbetare.pdf"},
        {"title": "Inspelning av studiebesöket", "url": "https://www.linkoping.se/innovationsveckan/digitala-medarbetare-film"},
    ],
    "how_to_reuse": (
        "<p>Börja med en process som tar mycket tid men sällan kräver bedömning, till exempel schemaändringar. "
        "Vår kravspecifikation och checklistan för riskbedömning finns i bilderna; ring oss gärna innan ni upphandlar.</p>"
    ),
    "how_to_reuse_was_sanitised": False,
}


def _seed_activities(
    session: Session,
    edition: Edition,
    organisations: dict[str, Organisation],
    users: dict[str, User],
    specs: tuple[DemoActivity, ...] = ACTIVITIES,
    *,
    builds_on: dict[str, Activity] | None = None,
) -> dict[str, Activity]:
    """An edition's programme with its history of revisions, published as the jobs would; by key.
    ``builds_on`` holds the earlier week's activities that specs name in ``reuses``."""
    by_key: dict[str, Activity] = {}
    for spec in specs:
        activity = demo_activity(edition, organisations[spec.host], spec)
        activity.reuses = [(builds_on or {})[key].id for key in spec.reuses]
        session.add(activity)
        session.flush()
        by_key[spec.key] = activity
    for spec in specs:
        for other in spec.related:
            low, high = sorted((by_key[spec.key].id, by_key[other].id))
            session.execute(sa.insert(related_activities).values(activity_id=low, related_id=high))
        session.expire(by_key[spec.key], ["_related_after", "_related_before"])
    for spec in specs:
        _seed_history(session, by_key[spec.key], spec, users["coordinator"])
    session.flush()
    for activity in by_key.values():
        programme.publish(session, activity.id)
    return by_key


def _seed_report(session: Session, activity: Activity, organiser: User, coordinator: User) -> None:
    """The report after the activity, its material approved: what others find on /solutions."""
    decided = activity.ends_at + timedelta(days=3)
    report = ActivityReport(
        activity=activity, participants_in_person=24, participants_online=0, links=REUSED_MATERIAL["links"],
        how_to_reuse=REUSED_MATERIAL["how_to_reuse"], submitted_by_id=organiser.id, submitted_at=activity.ends_at + timedelta(days=1),
    )
    revision = ReportRevision(
        report=report, number=1, state=RevisionState.APPROVED, content=REUSED_MATERIAL, submitted_by_id=organiser.id,
        submitted_at=activity.ends_at + timedelta(days=1), checked_at=activity.ends_at + timedelta(days=1),
        decided_at=decided, decided_by_id=coordinator.id,
    )
    session.add_all([report, revision])
    session.flush()
    report.approved_revision = revision
    session.flush()
    programme.publish(session, activity.id)


def demo_activity(edition: Edition, host: Organisation, spec: DemoActivity) -> Activity:
    """A demo activity as a draft of ``edition``, at the weekday and local time it had in 2019."""
    # The 2019 activities keep their weekday and local time in another edition's week.
    shift = edition.starts_at.astimezone(STOCKHOLM).date() - date(2019, 9, 30)

    def at(clock: str) -> datetime:
        hour, minute = map(int, clock.split(":"))
        day = date(2019, 9 if spec.day == 30 else 10, spec.day) + shift
        return datetime.combine(day, time(hour, minute), STOCKHOLM)

    venue = spec.venue or {}
    return Activity(
        edition=edition,
        organisation=host,
        status=ActivityStatus.DRAFT,
        title=spec.title,
        summary=spec.summary,
        description=spec.description or f"<p>{spec.summary}</p>",
        format=Format(spec.format),
        attendance_mode=AttendanceMode(spec.mode),
        starts_at=at(spec.start),
        ends_at=at(spec.end),
        **{f"venue_{part}": venue.get(part) for part in VENUE_PARTS},
        online_url=spec.online_url,
        languages=list(spec.languages),
        audiences=list(spec.audiences),
        themes=list(spec.themes),
        topics=list(spec.topics),
        contact_name=None,
        registration_mode=RegistrationMode(spec.registration["mode"]),
        registration_capacity=spec.registration.get("capacity"),
        registration_url=spec.registration.get("url"),
        photo_notice=spec.photo_notice,
    )


def _seed_history(session: Session, activity: Activity, spec: DemoActivity, coordinator: User) -> None:
    if spec.state == "draft":
        return
    state = {
        "in_review": RevisionState.IN_REVIEW,
        "changes_requested": RevisionState.CHANGES_REQUESTED,
        "rejected": RevisionState.REJECTED,
        "withdrawn": RevisionState.SUPERSEDED,
    }.get(spec.state, RevisionState.APPROVED)
    submitted = min(activity.starts_at - timedelta(days=30), datetime.now(STOCKHOLM) - timedelta(days=1))
    revision = Revision(activity=activity, number=1, state=state, content=content_of(activity), submitted_at=submitted, checked_at=submitted)
    if spec.finding:
        code, severity, message = spec.finding
        revision.findings.append(Finding(code=code, severity=Severity(severity), message=message))
    if state in (RevisionState.APPROVED, RevisionState.REJECTED, RevisionState.CHANGES_REQUESTED):
        revision.decided_at = submitted + timedelta(days=2)
        revision.decided_by_id = coordinator.id
        revision.decision_comment = spec.comment if spec.state != "cancelled" else None
    session.add(revision)
    if state == RevisionState.APPROVED:
        activity.approved_revision = revision
    activity.status = ActivityStatus(spec.state)
    if spec.state == "cancelled":
        activity.cancellation_reason = spec.comment
    session.flush()


def _current_edition() -> Edition:
    """Next year's week, open for submissions now, so the demo can be used end to end."""
    today = datetime.now(STOCKHOLM)
    year = today.year + 1 if today.month >= 8 else today.year
    first_monday = next(day for day in range(1, 8) if datetime(year, 10, day).weekday() == 0)
    starts = datetime(year, 10, first_monday, 8, 0, tzinfo=STOCKHOLM)
    return Edition(
        privacy_notice=PRIVACY_NOTICE,
        privacy_notice_version=f"{year}-1",
        notice_versions=[_kept_notice(f"{year}-1", since=today)],
        slug=f"innovationsveckan-{year}",
        name={"sv": f"Innovationsveckan {year}", "da": f"Innovationsugen {year}", "en": f"Innovation Week {year}"},
        theme={"sv": "Att sprida och involvera", "da": "At sprede og involvere", "en": "Spread and involve"},
        timezone="Europe/Stockholm",
        starts_at=starts,
        ends_at=starts + timedelta(days=4, hours=8),
        submissions_open_at=today.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1),
        submissions_close_at=starts - timedelta(days=14),
        programme_open=True,
        retention_days=180,
        themes=[
            {"key": "spread", "label": {"sv": "Sprida", "da": "Sprede", "en": "Spread"}},
            {"key": "involve", "label": {"sv": "Involvera", "da": "Involvere", "en": "Involve"}},
        ],
    )


PRIVACY_NOTICE = {
    "sv": (
        "Din anmälan är ett aktivt samtycke till att arrangören, Vinnova och Sveriges Kommuner och Landsting "
        "behandlar dina personuppgifter (namn, e-postadress, arbetsplats, befattning och telefonnummer) för att "
        "genomföra aktiviteten och skicka påminnelser. Ibland fotograferar eller filmar vi på våra aktiviteter; "
        "om du inte vill vara med på bilder eller filmer anger du det vid anmälan. Uppgifterna raderas 180 dagar "
        "efter aktiviteten. Du kan när som helst begära ut eller radera dina uppgifter."
    ),
    "da": (
        "Din tilmelding er et aktivt samtykke til, at arrangøren, Vinnova og Sveriges Kommuner och Landsting "
        "behandler dine personoplysninger (navn, e-mailadresse, arbejdsplads, stilling og telefonnummer) for at "
        "gennemføre aktiviteten og sende påmindelser. Vi fotograferer eller filmer nogle gange ved vores aktiviteter; "
        "hvis du ikke ønsker at være med på billeder eller film, oplyser du det ved tilmeldingen. Oplysningerne "
        "slettes 180 dage efter aktiviteten. Du kan til enhver tid få indsigt i dine oplysninger eller bede om at få "
        "dem slettet."
    ),
    "en": (
        "Registering is an active consent to the organiser, Vinnova and SKL processing your personal data (name, "
        "email, workplace, position and phone number) to run the activity and send reminders. We sometimes take "
        "photos or film; say so when you register if you do not want to appear. The data is deleted 180 days after "
        "the activity. You can ask for your data or its erasure at any time."
    ),
}


def _kept_notice(version: str, *, since: datetime) -> PrivacyNoticeVersion:
    """The notice in use, kept as its version (as the editions service keeps every one), so that
    the settings page and the API list it like any other."""
    return PrivacyNoticeVersion(version=version, texts=PRIVACY_NOTICE, published_at=since)


def _edition() -> Edition:
    return Edition(
        privacy_notice=PRIVACY_NOTICE,
        privacy_notice_version="2019-04",
        notice_versions=[_kept_notice("2019-04", since=datetime(2019, 4, 4, tzinfo=STOCKHOLM))],
        slug=EDITION_SLUG,
        name={"sv": "Innovationsveckan 2019", "da": "Innovationsugen 2019", "en": "Innovation Week 2019"},
        theme={"sv": "Att sprida och involvera", "da": "At sprede og involvere", "en": "Spread and involve"},
        timezone="Europe/Stockholm",
        starts_at=datetime(2019, 9, 30, 8, 0, tzinfo=STOCKHOLM),
        ends_at=datetime(2019, 10, 4, 16, 0, tzinfo=STOCKHOLM),
        submissions_open_at=datetime(2019, 4, 4, 0, 0, tzinfo=STOCKHOLM),
        submissions_close_at=datetime(2019, 9, 20, 23, 59, tzinfo=STOCKHOLM),
        programme_open=True,
        retention_days=180,
        themes=[
            {"key": "spread", "label": {"sv": "Sprida", "da": "Sprede", "en": "Spread"}},
            {"key": "involve", "label": {"sv": "Involvera", "da": "Involvere", "en": "Involve"}},
        ],
    )
