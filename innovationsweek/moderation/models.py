from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.db import Base, utcnow
from innovationsweek.organisations.models import Organisation

if TYPE_CHECKING:
    from innovationsweek.accounts.models import User
    from innovationsweek.editions.models import Edition

trusted_organisations = sa.Table(
    "trusted_organisations",
    Base.metadata,
    sa.Column("edition_id", sa.ForeignKey("moderation_settings.edition_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class ModerationSettings(Base):
    """How an edition's coordinators moderate: the fast lane for trusted organisations, and the
    preset reasons they pick from when deciding."""

    __tablename__ = "moderation_settings"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    # Approve submissions from trusted organisations at once when the checks find nothing.
    fast_lane: Mapped[bool] = mapped_column(default=False)
    # [{"key": "outside_week", "text": {"sv": "...", "en": "..."}}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    trusted: Mapped[list[Organisation]] = relationship(secondary=trusted_organisations, order_by="Organisation.name")

    @property
    def trusted_organisation_ids(self) -> list[int]:
        return sorted(organisation.id for organisation in self.trusted)


class BulkDecision(Base):
    """One decision over many activities, too many to make while the coordinator waits: recorded
    here and made by a job, each activity's outcome written in the transaction of its decision
    (so a second run of the job skips what the first one did)."""

    __tablename__ = "bulk_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    activity_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    # {"<activity id>": {"status": "published"} or {"error": "NotFound", "detail": ..., "extra": {...}}}
    outcomes: Mapped[dict[str, dict[str, Any]]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    edition: Mapped[Edition] = relationship()
    user: Mapped[User] = relationship()

    @property
    def total(self) -> int:
        return len(self.activity_ids)

    @property
    def done(self) -> int:
        return len(self.outcomes)
