"""A partner's webhook endpoints, the deliveries recorded for them, and every attempt made."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.db import Base, Timestamped, enum_column, utcnow


class WebhookEvent(enum.StrEnum):
    PUBLISHED = "activity.published"
    UPDATED = "activity.updated"
    CANCELLED = "activity.cancelled"
    DELETED = "activity.deleted"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # an attempt is due at next_attempt_at
    SUCCEEDED = "succeeded"  # the endpoint answered 2xx
    FAILED = "failed"  # given up: schedule used up, endpoint disabled or gone (410)


class WebhookEndpoint(Timestamped, Base):
    """A partner's URL and the events it wants. The secret signs every delivery; it is shown
    to the partner once and kept in the clear, because signing needs it (unlike API keys,
    which only have to be recognised). After a rotation the secret it replaced signs too,
    until ``previous_secret_expires_at``, so that the partner can switch without a gap."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        sa.CheckConstraint("(disabled_at IS NULL) = (disabled_reason IS NULL)", name="disabled_with_reason"),
        sa.CheckConstraint(
            "(previous_secret IS NULL) = (previous_secret_expires_at IS NULL)", name="previous_secret_expires"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    # A few WebhookEvent values; endpoints are few, so announce filters them in Python.
    events: Mapped[list[str]] = mapped_column(sa.JSON)
    secret: Mapped[str] = mapped_column(sa.String(80))
    previous_secret: Mapped[str | None] = mapped_column(sa.String(80))
    previous_secret_expires_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self, at: datetime) -> list[str]:
        """The secrets a delivery made ``at`` is signed with: the current one, and the one it
        replaced while that is still accepted."""
        if self.previous_secret is None or self.previous_secret_expires_at is None or self.previous_secret_expires_at <= at:
            return [self.secret]
        return [self.secret, self.previous_secret]

    @property
    def previous_secret_valid_until(self) -> datetime | None:
        """Until when deliveries are signed with the replaced secret too (``None``: only the current one)."""
        return self.previous_secret_expires_at if len(self.signing_secrets(utcnow())) > 1 else None


class WebhookDelivery(Base):
    """One event for one endpoint: the exact body every attempt sends, its ``webhook-id``
    (the same on every attempt, so a partner can drop repeats), and where the schedule stands.

    The next attempt's time lives here and in the outbox (``run_after``), not only in Redis."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_log", "endpoint_id", "id"),
        # What the purge of the log after DELIVERY_LOG_KEPT reads.
        sa.Index("ix_webhook_deliveries_created_at", "created_at"),
        # What the sweep for attempts that never ran reads; finished deliveries stay out of it.
        sa.Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        ),
        sa.CheckConstraint("scheduled_attempts >= 0 AND scheduled_attempts <= attempts", name="attempts_counted"),
        sa.CheckConstraint("(status = 'pending') = (next_attempt_at IS NOT NULL)", name="pending_has_next_attempt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)  # webhook-id
    event: Mapped[WebhookEvent] = mapped_column(enum_column(WebhookEvent))
    # No foreign key: the log outlives an activity that is deleted.
    activity_id: Mapped[int]
    change_number: Mapped[int] = mapped_column(sa.BigInteger)
    # The JSON body exactly as signed and sent, the same bytes on every attempt.
    payload: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus), default=DeliveryStatus.PENDING)
    # Every attempt made; and those on the automatic schedule (a partner's redelivery of a
    # finished delivery is not one), which say where the schedule stands.
    attempts: Mapped[int] = mapped_column(default=0)
    scheduled_attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    # The pending attempt is a partner's redelivery of a finished delivery: one attempt only,
    # no automatic retries after it (and no disabling of the endpoint if it fails).
    redelivery: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.number", cascade="all, delete-orphan", passive_deletes=True
    )


class WebhookAttempt(Base):
    """One POST to the endpoint (or the refusal to make it), for the partner's delivery log."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (sa.UniqueConstraint("delivery_id", "number", name="uq_webhook_attempts_delivery_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"))
    number: Mapped[int]
    manual: Mapped[bool] = mapped_column(default=False)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_ms: Mapped[int]
    status_code: Mapped[int | None]
    succeeded: Mapped[bool]
    # outbound.Failure value, or "http_status" for an answer that was not 2xx.
    failure: Mapped[str | None] = mapped_column(sa.String(40))
    error: Mapped[str | None] = mapped_column(sa.Text)
    # The start of the endpoint's answer, for the partner's debugging.
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    # When the attempt after this one was scheduled for, if any.
    retry_at: Mapped[datetime | None]
