from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from innovationsweek.accounts.models import User
from innovationsweek.db import Base, Timestamped, enum_column, utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.organisations.models import Organisation


class Format(enum.StrEnum):
    LECTURE = "lecture"
    STUDY_VISIT = "study_visit"
    WORKSHOP = "workshop"
    EXHIBITION = "exhibition"
    DIALOGUE_MEETING = "dialogue_meeting"
    WEBCAST = "webcast"
    OTHER = "other"


class AttendanceMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Audience(enum.StrEnum):
    POLITICIANS = "politicians"
    EMPLOYEES = "employees"
    MANAGERS = "managers"
    CITIZENS = "citizens"
    COMPANIES = "companies"
    ACADEMIA = "academia"
    CIVIL_SOCIETY = "civil_society"


class RegistrationMode(enum.StrEnum):
    NONE = "none"
    EXTERNAL = "external"  # participants register on the organiser's own site
    INTERNAL = "internal"  # participants register here, with capacity and waitlist


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # automated checks are running
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"


class RevisionState(enum.StrEnum):
    CHECKING = "checking"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # edited or withdrawn before a decision


class Severity(enum.StrEnum):
    BLOCK = "block"  # sends the activity back to the organiser
    WARN = "warn"  # a coordinator should look
    INFO = "info"


VENUE_PARTS = ("name", "address", "municipality", "region", "latitude", "longitude")
CONTACT_PARTS = ("name", "email", "phone")

class CoOrganiserStatus(enum.StrEnum):
    PENDING = "pending"  # named by the host, not yet answered by the organisation's owners
    ACCEPTED = "accepted"  # shown in the programme (once approved) and given access
    DECLINED = "declined"


# Related activities, e.g. the parallel COI workshops in Copenhagen and Aalborg. Stored once per
# pair (lower id first) and read in both directions.
related_activities = sa.Table(
    "related_activities",
    Base.metadata,
    sa.Column("activity_id", sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("related_id", sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, index=True),
    sa.CheckConstraint("activity_id < related_id", name="ordered_pair"),
)


class Activity(Timestamped, Base):
    """An activity or webcast in an edition. Its columns are the organiser's working copy;
    each submit freezes them into a :class:`Revision`, and the public only ever sees the last
    approved revision."""

    __tablename__ = "activities"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("registration_capacity IS NULL OR registration_capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "venue_latitude IS NULL OR (venue_latitude BETWEEN -90 AND 90)", name="latitude_range"
        ),
        sa.CheckConstraint(
            "venue_longitude IS NULL OR (venue_longitude BETWEEN -180 AND 180)", name="longitude_range"
        ),
        sa.Index("ix_activities_edition_status", "edition_id", "status"),
        sa.Index("ix_activities_organisation_starts", "organisation_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    status: Mapped[ActivityStatus] = mapped_column(enum_column(ActivityStatus), default=ActivityStatus.DRAFT)
    # Bumped by SQLAlchemy on every UPDATE: the ETag, and the guard against lost updates.
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(600), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised HTML
    description_was_sanitised: Mapped[bool] = mapped_column(default=False)
    format: Mapped[Format] = mapped_column(enum_column(Format))
    attendance_mode: Mapped[AttendanceMode] = mapped_column(enum_column(AttendanceMode))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    venue_name: Mapped[str | None] = mapped_column(sa.String(200))
    venue_address: Mapped[str | None] = mapped_column(sa.String(300))
    venue_municipality: Mapped[str | None] = mapped_column(sa.String(100))
    venue_region: Mapped[str | None] = mapped_column(sa.String(100))
    venue_latitude: Mapped[float | None]
    venue_longitude: Mapped[float | None]
    online_url: Mapped[str | None] = mapped_column(sa.String(2000))
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    audiences: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    themes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    topics: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email_public: Mapped[bool] = mapped_column(default=False)
    registration_mode: Mapped[RegistrationMode] = mapped_column(
        enum_column(RegistrationMode), default=RegistrationMode.NONE
    )
    registration_capacity: Mapped[int | None]
    registration_url: Mapped[str | None] = mapped_column(sa.String(2000))
    photo_notice: Mapped[str | None] = mapped_column(sa.String(1000))
    cancellation_reason: Mapped[str | None] = mapped_column(sa.String(2000))  # public, with the status
    featured: Mapped[bool] = mapped_column(default=False)  # picked out by the coordinators
    # Picked out by the coordinators among the solutions of past weeks (live, like ``featured``).
    featured_solution: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Ids of earlier published activities (any edition) this one builds on: part of the working
    # copy, frozen into each revision and so moderated like the rest.
    reuses: Mapped[list[int]] = mapped_column(sa.JSON, default=list, server_default="[]")
    registration_closed: Mapped[bool] = mapped_column(default=False)  # closed early by the organiser

    approved_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("activity_revisions.id", use_alter=True, ondelete="SET NULL")
    )

    edition: Mapped[Edition] = relationship()
    organisation: Mapped[Organisation] = relationship()
    # Every organisation the host named, with its answer; only accepted ones count anywhere.
    co_organisers: Mapped[list[CoOrganiser]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", passive_deletes=True, order_by="CoOrganiser.organisation_id"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="activity",
        foreign_keys="Revision.activity_id",
        order_by="Revision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    approved_revision: Mapped[Revision | None] = relationship(foreign_keys=[approved_revision_id], post_update=True)
    # Written through the related_activities table (one row per pair), read both ways.
    _related_after: Mapped[list[Activity]] = relationship(
        secondary=related_activities,
        primaryjoin=lambda: Activity.id == related_activities.c.activity_id,
        secondaryjoin=lambda: Activity.id == related_activities.c.related_id,
        viewonly=True,
    )
    _related_before: Mapped[list[Activity]] = relationship(
        secondary=related_activities,
        primaryjoin=lambda: Activity.id == related_activities.c.related_id,
        secondaryjoin=lambda: Activity.id == related_activities.c.activity_id,
        viewonly=True,
    )

    @property
    def latest_revision(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def venue(self) -> dict[str, Any] | None:
        venue = {name: getattr(self, f"venue_{name}") for name in VENUE_PARTS}
        return venue if any(value is not None for value in venue.values()) else None

    @property
    def contact(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, f"contact_{name}") for name in CONTACT_PARTS},
            "email_public": self.contact_email_public,
        }

    @property
    def registration(self) -> dict[str, Any]:
        return {"mode": self.registration_mode, "capacity": self.registration_capacity, "url": self.registration_url}

    @property
    def related_activity_ids(self) -> list[int]:
        return sorted(other.id for other in (*self._related_before, *self._related_after))

    @property
    def co_organiser_ids(self) -> list[int]:
        """Every organisation named as co-organiser, whatever its answer: what a revision keeps."""
        return [link.organisation_id for link in self.co_organisers]


class CoOrganiser(Base):
    """An organisation the host named as co-organiser, and whether its owners agreed. The
    answer belongs to the organisation, not to a version of the activity, so it lives here and
    not in a revision."""

    __tablename__ = "activity_co_organisers"

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[CoOrganiserStatus] = mapped_column(enum_column(CoOrganiserStatus), default=CoOrganiserStatus.PENDING)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]

    activity: Mapped[Activity] = relationship(back_populates="co_organisers")
    organisation: Mapped[Organisation] = relationship()


class ModeratedVersion:
    """What moderation records of every submitted version it decides on: an activity's
    revisions and the revisions of a report's material alike."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    state: Mapped[RevisionState] = mapped_column(enum_column(RevisionState), default=RevisionState.CHECKING)
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)

    @declared_attr
    def decided_by(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=f"{cls.__name__}.decided_by_id")


class Revision(ModeratedVersion, Base):
    """A submitted version of an activity, frozen as ``content``; moderation decides on it."""

    __tablename__ = "activity_revisions"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "number", name="uq_activity_revisions_activity_number"),
        sa.Index("ix_activity_revisions_state_submitted", "state", "submitted_at"),
    )

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"))

    activity: Mapped[Activity] = relationship(back_populates="revisions", foreign_keys=[activity_id])
    findings: Mapped[list[Finding]] = relationship(
        back_populates="revision", cascade="all, delete-orphan", passive_deletes=True, order_by="Finding.id"
    )


class Finding(Base):
    """What the automated checks found in a revision of an activity or of a report's material,
    with a stable code for filters."""

    __tablename__ = "findings"
    __table_args__ = (
        sa.Index("ix_findings_code", "code"),
        sa.CheckConstraint("(revision_id IS NULL) <> (report_revision_id IS NULL)", name="of_one_revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activity_revisions.id", ondelete="CASCADE"), index=True)
    report_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("report_revisions.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(64))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    message: Mapped[str] = mapped_column(sa.Text)
    field: Mapped[str | None] = mapped_column(sa.String(64))

    revision: Mapped[Revision | None] = relationship(back_populates="findings")
