from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from innovationsweek.db import Base, utcnow


class ActivityReport(Base):
    """What the organisers report once the activity has taken place. The attendance figures
    are for the organisers and coordinators; the links are public, shown with the activity in
    the programme as material others can reuse."""

    __tablename__ = "activity_reports"
    __table_args__ = (
        sa.CheckConstraint("participants_in_person IS NULL OR participants_in_person >= 0", name="in_person_not_negative"),
        sa.CheckConstraint("participants_online IS NULL OR participants_online >= 0", name="online_not_negative"),
    )

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    participants_in_person: Mapped[int | None]
    participants_online: Mapped[int | None]  # who followed a webcast or joined online
    # [{"title": "Bilder (PDF)", "url": "https://..."}]: slides, recordings, documentation.
    links: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
