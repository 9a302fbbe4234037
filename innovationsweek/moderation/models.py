from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.db import Base
from innovationsweek.organisations.models import Organisation

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
