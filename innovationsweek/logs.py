"""Reading the two logs, for those who answer for what they record.

- The audit log (:mod:`innovationsweek.audit`): an edition's entries (its activities, settings
  and coordinators) for that edition's coordinators; an organisation's entries (its details and
  members) for its owners; everything for administrators.
- The personal-data access log (:class:`PersonalDataAccess`): who read, exported or erased
  participants' data, per activity, for the edition's coordinators and administrators.

Both are cursor-paged in the order they were written, and filtered by activity, action and time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek.actors import Actor
from innovationsweek.audit import AuditEntry
from innovationsweek.editions.service import get_edition, require_coordinator
from innovationsweek.organisations.service import get_organisation, require_owner
from innovationsweek.paging import Page, keyset_page
from innovationsweek.registrations.models import PersonalDataAccess

Entry = TypeVar("Entry", AuditEntry, PersonalDataAccess)


@dataclass(frozen=True)
class LogFilters:
    activity_id: int | None = None
    action: str | None = None
    written_from: datetime | None = None  # at or after
    written_to: datetime | None = None  # before


def edition_audit_log(
    session: Session, actor: Actor, slug: str, filters: LogFilters, *, cursor: str | None = None, limit: int = 50
) -> Page[AuditEntry]:
    return _edition_log(session, actor, slug, AuditEntry, filters, cursor, limit)


def organisation_audit_log(
    session: Session, actor: Actor, organisation_id: int, filters: LogFilters, *, cursor: str | None = None, limit: int = 50
) -> Page[AuditEntry]:
    organisation = get_organisation(session, actor, organisation_id)
    require_owner(actor, organisation)
    return _page(session, AuditEntry, AuditEntry.organisation_id == organisation.id, filters, cursor, limit)


def audit_log(
    session: Session,
    actor: Actor,
    filters: LogFilters,
    *,
    organisation_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    """Every entry, also those of no edition or organisation (accounts deleted): administrators."""
    actor.require_admin()
    scope = sa.true() if organisation_id is None else AuditEntry.organisation_id == organisation_id
    return _page(session, AuditEntry, scope, filters, cursor, limit)


def edition_access_log(
    session: Session, actor: Actor, slug: str, filters: LogFilters, *, cursor: str | None = None, limit: int = 50
) -> Page[PersonalDataAccess]:
    return _edition_log(session, actor, slug, PersonalDataAccess, filters, cursor, limit)


def access_log(
    session: Session, actor: Actor, filters: LogFilters, *, cursor: str | None = None, limit: int = 50
) -> Page[PersonalDataAccess]:
    actor.require_admin()
    return _page(session, PersonalDataAccess, sa.true(), filters, cursor, limit)


def _edition_log(
    session: Session, actor: Actor, slug: str, model: type[Entry], filters: LogFilters, cursor: str | None, limit: int
) -> Page[Entry]:
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    return _page(session, model, model.edition_id == edition.id, filters, cursor, limit)


def _page(
    session: Session, model: type[Entry], scope: sa.ColumnElement[bool], filters: LogFilters, cursor: str | None, limit: int
) -> Page[Entry]:
    query: sa.Select[Any] = sa.select(model).where(scope)
    if filters.activity_id is not None:
        query = query.where(model.activity_id == filters.activity_id)
    if filters.action is not None:
        query = query.where(model.action == filters.action)
    if filters.written_from is not None:
        query = query.where(model.at >= filters.written_from)
    if filters.written_to is not None:
        query = query.where(model.at < filters.written_to)
    return keyset_page(session, query, order_by=(model.id,), key=lambda entry: (entry.id,), cursor=cursor, limit=limit)
