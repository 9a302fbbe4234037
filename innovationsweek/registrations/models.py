from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.activities.models import Activity
from innovationsweek.db import Base, enum_column, utcnow
from innovationsweek.editions.models import LANGUAGES


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(Base):
    """A participant's registration for an activity, with the consent they gave.

    Registering is an active consent to the processing of the fields below (and, by choice, to
    photos and film): the notice's text and version and the time are kept with it. The secret
    cancel token goes to the participant's email only; its SHA-256 is stored.
    """

    __tablename__ = "registrations"
    __table_args__ = (
        # One seat per person and activity: a second registration answers with the first.
        sa.Index(
            "uq_registrations_active_email",
            "activity_id",
            "email",
            unique=True,
            postgresql_where=sa.text("status <> 'cancelled'"),
            sqlite_where=sa.text("status <> 'cancelled'"),
        ),
        sa.Index("ix_registrations_activity_status", "activity_id", "status", "id"),
        sa.Index("ix_registrations_email", "email"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("(erased_at IS NULL) = (email IS NOT NULL)", name="email_until_erased"),
        sa.CheckConstraint(f"language IN ({', '.join(repr(code) for code in LANGUAGES)})", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"))
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    # The personal data; emptied (NULL) on erasure or when the retention period ends, leaving
    # the row as an anonymous count.
    name: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    workplace: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    erased_at: Mapped[datetime | None]
    photo_consent: Mapped[bool]
    # The language the participant registered in: the consent text is in it, and so is every
    # email they get about this registration.
    language: Mapped[str] = mapped_column(sa.String(2))
    consent_text: Mapped[str] = mapped_column(sa.Text)
    consent_version: Mapped[str] = mapped_column(sa.String(40))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancel_token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]  # moved from the waitlist to a seat
    cancelled_at: Mapped[datetime | None]

    activity: Mapped[Activity] = relationship()


class PersonalDataAccess(Base):
    """Every read of participants' personal data by staff: who, when, which activity, how."""

    __tablename__ = "personal_data_access_log"
    __table_args__ = (
        sa.Index("ix_personal_data_access_log_activity_at", "activity_id", "at"),
        sa.Index("ix_personal_data_access_log_edition_id", "edition_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # The activity's edition, kept should the activity go: its coordinators read the entry.
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(sa.String(200))
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(sa.String(32))  # list, export, data_request, erasure
    records: Mapped[int] = mapped_column(default=0)
