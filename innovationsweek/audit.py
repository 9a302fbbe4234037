"""The audit log: who did what, when, to which edition, activity or organisation. Written in
the same transaction as the change it describes (:func:`record`); read through
:mod:`innovationsweek.logs`. It names people only as actors: a change's ``detail`` gives the
fields that changed with their values before and after, and never personal data (accounts
appear by id).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from innovationsweek.db import Base, utcnow

if TYPE_CHECKING:  # any domain writes the audit log, so it imports none at run time
    from innovationsweek.accounts.models import User
    from innovationsweek.actors import Actor


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_edition_at", "edition_id", "at"),
        sa.Index("ix_audit_entries_organisation_id", "organisation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    activity_id: Mapped[int | None] = mapped_column(sa.ForeignKey("activities.id", ondelete="SET NULL"), index=True)
    # Organisations have no edition: their entries (members, changes, deletion) name them here.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
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
    organisation_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    user = actor.user if actor is not None else None
    partner = actor.partner if actor is not None else None
    entry = AuditEntry(
        edition_id=edition_id,
        activity_id=activity_id,
        organisation_id=organisation_id,
        actor_id=user.id if user else None,
        actor_label=user.name if user else f"partner {partner.name}" if partner else SYSTEM,
        action=action,
        detail=detail,
    )
    session.add(entry)
    return entry


def snapshot(obj: object, fields: Iterable[str]) -> dict[str, Any]:
    """``obj``'s values of ``fields`` as JSON, to compare with :func:`changes` after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changes(before: Mapping[str, Any], obj: object) -> dict[str, dict[str, Any]]:
    """``{"field": {"before": ..., "after": ...}}`` for each field of ``before`` that ``obj`` now
    has another value of (empty when nothing changed)."""
    after = snapshot(obj, before)
    return {name: {"before": before[name], "after": after[name]} for name in before if before[name] != after[name]}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
