"""A week open for submissions, an organisation with two members, and a coordinator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from innovationsweek.accounts.service import get_user_by_email
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind


@dataclass
class Week:
    slug: str
    starts_at: datetime
    ends_at: datetime
    organisation_id: int
    other_organisation_id: int
    organiser: dict[str, str]
    colleague: dict[str, str]
    outsider: dict[str, str]
    coordinator: dict[str, str]
    link_server: str

    def at(self, day: int, hour: int) -> str:
        """A time on day ``day`` (0 = the first) of the week, ``hour`` counted as if the week
        started at 08:00."""
        return (self.starts_at + timedelta(days=day, hours=hour - 8)).isoformat()

    def webcast(self, **overrides: Any) -> dict[str, Any]:
        body = {
            "organisation_id": self.organisation_id,
            "title": "Webbsändning: Så sprider vi välfärdsteknik",
            "summary": "Tre kommuner berättar hur en lösning gick från en till många.",
            "description": "<p>Välkommen!</p>",
            "format": "webcast",
            "attendance_mode": "online",
            "starts_at": self.at(1, 10),
            "ends_at": self.at(1, 11),
            "online_url": f"{self.link_server}/ok/live",
            "languages": ["sv"],
            "audiences": ["employees", "politicians"],
            "themes": ["spread"],
        }
        return body | overrides

    def study_visit(self, **overrides: Any) -> dict[str, Any]:
        body = self.webcast(
            title="Studiebesök: Digitala medarbetare i hemtjänsten",
            format="study_visit",
            attendance_mode="in_person",
            online_url=None,
            venue={"name": "Stadshuset", "address": "Stora Torget 1", "municipality": "Linköping", "region": "Östergötland"},
        )
        return body | overrides


@pytest.fixture
def week(runtime, people, link_server) -> Week:
    for email, admin in (
        ("olga@linkoping.se", False),
        ("kim@linkoping.se", False),
        ("ulf@umea.se", False),
        ("marianne@skl.se", False),
    ):
        people.create(email, admin=admin)
    starts = datetime.now(timezone.utc).replace(hour=6, minute=0, second=0, microsecond=0) + timedelta(days=60)
    with runtime.database.unit_of_work() as session:
        users = {email: get_user_by_email(session, email) for email in ("olga@linkoping.se", "kim@linkoping.se", "ulf@umea.se", "marianne@skl.se")}
        edition = Edition(
            slug="test-week",
            name={"sv": "Testveckan"},
            theme={"sv": "Att sprida och involvera"},
            timezone="Europe/Stockholm",
            starts_at=starts,
            ends_at=starts + timedelta(days=4, hours=8),
            submissions_open_at=starts - timedelta(days=90),
            submissions_close_at=starts - timedelta(days=10),
            programme_open=True,
            themes=[{"key": "spread", "label": {"sv": "Sprida"}}, {"key": "involve", "label": {"sv": "Involvera"}}],
        )
        edition.coordinators.append(EditionCoordinator(user=users["marianne@skl.se"]))
        linkoping = Organisation(name="Linköpings kommun", kind=OrganisationKind.MUNICIPALITY, country="SE", region="Östergötland")
        linkoping.memberships += [
            Membership(user=users["olga@linkoping.se"], role=MemberRole.OWNER),
            Membership(user=users["kim@linkoping.se"], role=MemberRole.MEMBER),
        ]
        umea = Organisation(name="Umeå kommun", kind=OrganisationKind.MUNICIPALITY, country="SE", region="Västerbotten")
        umea.memberships.append(Membership(user=users["ulf@umea.se"], role=MemberRole.OWNER))
        session.add_all([edition, linkoping, umea])
        session.flush()
        ids = (linkoping.id, umea.id)
    return Week(
        slug="test-week",
        starts_at=starts,
        ends_at=starts + timedelta(days=4, hours=8),
        organisation_id=ids[0],
        other_organisation_id=ids[1],
        organiser=people.headers("olga@linkoping.se"),
        colleague=people.headers("kim@linkoping.se"),
        outsider=people.headers("ulf@umea.se"),
        coordinator=people.headers("marianne@skl.se"),
        link_server=link_server,
    )
