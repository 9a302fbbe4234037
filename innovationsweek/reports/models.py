from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.activities.models import ModeratedVersion
from innovationsweek.db import Base, utcnow

if TYPE_CHECKING:
    from innovationsweek.activities.models import Activity, Finding


class ActivityReport(Base):
    """What the organisers report once the activity has taken place. The attendance figures
    are for the organisers and coordinators. The material (links and the how-to-reuse text) is
    the organisers' working copy: each change to it is frozen into a :class:`ReportRevision`
    that is checked and reviewed like an activity's revision, and the public programme shows
    only the approved one."""

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
    how_to_reuse: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # sanitised HTML
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_revision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("report_revisions.id", use_alter=True, ondelete="SET NULL")
    )

    activity: Mapped[Activity] = relationship()
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report",
        foreign_keys="ReportRevision.activity_id",
        order_by="ReportRevision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    approved_revision: Mapped[ReportRevision | None] = relationship(foreign_keys=[approved_revision_id], post_update=True)

    @property
    def latest_revision(self) -> ReportRevision | None:
        return self.revisions[-1] if self.revisions else None


class ReportRevision(ModeratedVersion, Base):
    """A submitted version of a report's public material, frozen as ``content``
    (``{"links": [...], "how_to_reuse": "...", "how_to_reuse_was_sanitised": false}``); it moves
    through the same states as an activity's revision."""

    __tablename__ = "report_revisions"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "number", name="uq_report_revisions_activity_number"),
        sa.Index("ix_report_revisions_state_submitted", "state", "submitted_at"),
    )

    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activity_reports.activity_id", ondelete="CASCADE"))

    report: Mapped[ActivityReport] = relationship(back_populates="revisions", foreign_keys=[activity_id])
    # One way only: a finding need not know it is a report's, and activities' models must not
    # import the reports' (which build on them).
    findings: Mapped[list[Finding]] = relationship(cascade="all, delete-orphan", passive_deletes=True, order_by="Finding.id")

    @property
    def activity(self) -> Activity:
        return self.report.activity
