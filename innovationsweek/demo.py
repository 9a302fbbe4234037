"""Demo data from the source documents: Innovationsveckan 2019 and its organisers.

Loaded by ``make run`` into an empty database, or with ``innovationsweek demo load``. The demo
accounts exist only where this was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek.accounts import service as accounts
from innovationsweek.accounts.models import User
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind

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
    return [DemoAccount(email, password, role) for email, _, role in DEMO_ACCOUNTS]


def _edition() -> Edition:
    return Edition(
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
