from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.accounts.models import User
from innovationsweek.db import Base, Timestamped, enum_column, utcnow


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"
    STATE_AGENCY = "state_agency"
    COMPANY = "company"
    ACADEMIA = "academia"
    CIVIL_SOCIETY = "civil_society"
    NATIONAL_COORDINATOR = "national_coordinator"
    OTHER = "other"


class MemberRole(enum.StrEnum):
    OWNER = "owner"  # edits the organisation and manages its members
    MEMBER = "member"  # works on the organisation's activities


class Organisation(Timestamped, Base):
    """A host of activities: a municipality, region, agency, company, university, association."""

    __tablename__ = "organisations"
    __table_args__ = (
        # One organisation of a name per country among those not deleted: a deleted one keeps
        # its name (its published activities still show it) but frees it for a new organisation.
        sa.Index(
            "uq_organisations_country_name",
            "country",
            "name",
            unique=True,
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        ),
        sa.CheckConstraint("length(country) = 2 AND country = upper(country)", name="country_iso_alpha2"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    country: Mapped[str] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(100))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    # A deleted organisation leaves the lists but stays the host of its published activities.
    deleted_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", passive_deletes=True
    )


class Membership(Base):
    __tablename__ = "memberships"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
