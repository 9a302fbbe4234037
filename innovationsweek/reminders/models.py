from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from innovationsweek.db import Base, Timestamped, enum_column, utcnow


class ReminderKind(enum.StrEnum):
    PARTICIPANT = "participant"
    DRAFT_DEADLINE = "draft_deadline"
    CHANGES_REQUESTED = "changes_requested"
    PRE_EVENT = "pre_event"
    POST_EVENT = "post_event"
    COORDINATOR_DIGEST = "coordinator_digest"


ORGANISER_KINDS = frozenset(
    {ReminderKind.DRAFT_DEADLINE, ReminderKind.CHANGES_REQUESTED, ReminderKind.PRE_EVENT, ReminderKind.POST_EVENT}
)


class Reminder(Timestamped, Base):
    """One reminder to send at ``due_at``: to a participant (``registration_id``), to the
    organisers of an activity (``activity_id``; the host's members when it is sent), or to a
    coordinator (``user_id``).

    ``subject`` names what the reminder is about, e.g. ``participant:r42:1d`` (registration 42,
    one day before); it is unique, so planning twice never makes two. Recipients' addresses are
    read when the reminder is sent, never copied here: an erased registration leaves nothing
    behind, and a new member of the host organisation is reminded too. A reminder ends sent
    (``sent_at``: its emails are in the outbox, in the same transaction) or cancelled
    (``cancelled_at``, with the reason), never both.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        sa.CheckConstraint("sent_at IS NULL OR cancelled_at IS NULL", name="sent_or_cancelled"),
        sa.CheckConstraint("(kind = 'participant') = (registration_id IS NOT NULL)", name="participant_has_registration"),
        sa.CheckConstraint("(kind = 'coordinator_digest') = (user_id IS NOT NULL)", name="digest_has_coordinator"),
        sa.CheckConstraint("(kind = 'coordinator_digest') = (activity_id IS NULL)", name="activity_unless_digest"),
        # What the sending job reads every minute: reminders still to send, by due time.
        sa.Index(
            "ix_reminders_due",
            "due_at",
            postgresql_where=sa.text("sent_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL AND cancelled_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    subject: Mapped[str] = mapped_column(sa.String(120), unique=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Why it was not sent: "unplanned" (the activity changed so that it no longer applies),
    # "expired", "registration_cancelled", "nothing_waiting", ...
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(40))


class ReminderPlan(Base):
    """Which version of an activity (and of its edition's settings) its reminders were last
    planned from: the periodic planner replans an activity when either has changed since."""

    __tablename__ = "reminder_plans"

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    activity_version: Mapped[int]
    # A digest of the edition's time zone, submission deadline and reminder settings.
    edition_key: Mapped[str] = mapped_column(sa.String(64))
    planned_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
