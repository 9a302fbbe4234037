"""The audit log: who did what to which activity, when. Written in the same transaction as the
change it describes; readable by the edition's coordinators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from innovationsweek.accounts.models import User
from innovationsweek.actors import Actor
from innovationsweek.db import Base, utcnow
from innovationsweek.editions.service import get_edition, require_coordinator
from innovationsweek.paging import Page, keyset_page


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index("ix_audit_entries_edition_at", "edition_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Who acted, kept when the account is deleted: a name, or "automated checks".
    actor_label: Mapped[str] = mapped_column(sa.String(200))
    action: Mapped[str] = mapped_column(sa.String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


SYSTEM = "automated checks"


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    *,
    edition_id: int | None,
    activity_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    user = actor.user if actor is not None else None
    partner = actor.partner if actor is not None else None
    entry = AuditEntry(
        edition_id=edition_id,
        activity_id=activity_id,
        actor_id=user.id if user else None,
        actor_label=user.name if user else f"partner {partner.name}" if partner else SYSTEM,
        action=action,
        detail=detail,
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session, actor: Actor, slug: str, *, activity_id: int | None = None, cursor: str | None = None, limit: int = 50
) -> Page[AuditEntry]:
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    query = sa.select(AuditEntry).where(AuditEntry.edition_id == edition.id)
    if activity_id is not None:
        query = query.where(AuditEntry.activity_id == activity_id)
    return keyset_page(session, query, order_by=(AuditEntry.id,), key=lambda e: (e.id,), cursor=cursor, limit=limit)
