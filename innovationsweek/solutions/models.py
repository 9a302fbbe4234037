from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from innovationsweek.db import Base, utcnow


class ReuseLink(Base):
    """That the public entry of ``activity_id`` says it builds on ``reused_id``: what the
    programme shows, kept by the publish job from the approved revision's ``reuses``. Read in
    the other direction it is the earlier entry's ``reused_by``. (The organiser's working copy
    keeps its own list on the activity; only what is approved and published is here.)"""

    __tablename__ = "reuse_links"
    __table_args__ = (sa.CheckConstraint("activity_id <> reused_id", name="not_itself"),)

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True)
    reused_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, index=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
