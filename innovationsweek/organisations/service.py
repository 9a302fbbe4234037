"""Organisations and their members. Whoever creates an organisation becomes its owner.

A deleted organisation leaves the lists and answers 404, but its row stays: it is still the host
of the activities it had in the programme, which keep its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.accounts.models import User
from innovationsweek.accounts.service import get_user_by_email
from innovationsweek.activities.lifecycle import Event
from innovationsweek.activities.models import Activity, ActivityStatus
from innovationsweek.activities.service import activities_showing, schedule_publication, transition
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.errors import Conflict, Forbidden, NotFound, non_blank
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind

EDITABLE_FIELDS = frozenset({"name", "kind", "country", "region", "website"})


def create_organisation(session: Session, actor: Actor, fields: Mapping[str, Any]) -> Organisation:
    user = actor.require_user()
    organisation = Organisation(**_checked(fields))
    _ensure_name_free(session, organisation.country, organisation.name)
    organisation.memberships.append(Membership(user=user, role=MemberRole.OWNER))
    session.add(organisation)
    session.flush()
    audit.record(session, actor, "organisation_created", edition_id=None, organisation_id=organisation.id, name=organisation.name)
    return organisation


def list_organisations(
    session: Session,
    actor: Actor,
    *,
    kind: OrganisationKind | None = None,
    country: str | None = None,
    q: str | None = None,
    mine: bool = False,
) -> list[Organisation]:
    user = actor.require_user()
    query = sa.select(Organisation).where(Organisation.deleted_at.is_(None)).order_by(Organisation.name, Organisation.id)
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    if country:
        query = query.where(Organisation.country == country.upper())
    if q:
        query = query.where(Organisation.name.ilike(f"%{_escape_like(q)}%", escape="\\"))
    if mine:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(session.scalars(query))


def get_organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    actor.require_user()
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.deleted_at is not None:
        raise NotFound(_l("No organisation %(id)s.", id=organisation_id))
    return organisation


def update_organisation(
    session: Session, actor: Actor, organisation_id: int, changes: Mapping[str, Any]
) -> Organisation:
    organisation = get_organisation(session, actor, organisation_id)
    require_owner(actor, organisation)
    changes = _checked(changes)
    new_country, new_name = changes.get("country", organisation.country), changes.get("name", organisation.name)
    if (new_country, new_name) != (organisation.country, organisation.name):
        _ensure_name_free(session, new_country, new_name)
    before = audit.snapshot(organisation, changes)
    for name, value in changes.items():
        setattr(organisation, name, value)
    changed = audit.changes(before, organisation)
    if changed:
        audit.record(session, actor, "organisation_changed", edition_id=None, organisation_id=organisation.id, changes=changed)
        for activity in activities_showing(session, organisation.id):  # the programme shows all of these
            schedule_publication(session, activity)
    session.flush()
    return organisation


# Work in progress that nobody could carry on once the organisation is gone.
WITHDRAWN_WITH_THE_ORGANISATION = (
    ActivityStatus.DRAFT,
    ActivityStatus.SUBMITTED,
    ActivityStatus.IN_REVIEW,
    ActivityStatus.CHANGES_REQUESTED,
)


def delete_organisation(session: Session, actor: Actor, organisation_id: int) -> None:
    """Delete an organisation (its owners, or an administrator): it leaves the lists, its members
    leave it, and its activities in the works are withdrawn. Its published and cancelled activities
    stay in the programme as they are, still showing it as their host."""
    organisation = get_organisation(session, actor, organisation_id)
    require_owner(actor, organisation)
    in_the_works = session.scalars(
        sa.select(Activity)
        .where(Activity.organisation_id == organisation.id, Activity.status.in_(WITHDRAWN_WITH_THE_ORGANISATION))
        .order_by(Activity.id)
    )
    for activity in in_the_works:
        transition(session, actor, activity, Event.WITHDRAW, reason="organisation_deleted")
    organisation.memberships.clear()
    organisation.deleted_at = utcnow()
    audit.record(session, actor, "organisation_deleted", edition_id=None, organisation_id=organisation.id)
    session.flush()


def list_members(session: Session, actor: Actor, organisation_id: int) -> list[Membership]:
    organisation = get_organisation(session, actor, organisation_id)
    if not (actor.is_admin or role_of(actor, organisation) is not None):
        raise Forbidden(_l("Only members of the organisation may see its members."))
    return sorted(organisation.memberships, key=lambda m: (m.role != MemberRole.OWNER, m.user.name))


def add_member(
    session: Session, actor: Actor, organisation_id: int, *, email: str, role: MemberRole
) -> Membership:
    organisation = get_organisation(session, actor, organisation_id)
    require_owner(actor, organisation)
    user = get_user_by_email(session, email)
    membership = session.get(Membership, (organisation.id, user.id))
    if membership is None:
        membership = Membership(organisation=organisation, user=user, role=role)
        session.add(membership)
        audit.record(session, actor, "member_added", edition_id=None, organisation_id=organisation.id, user_id=user.id, role=role.value)
    elif membership.role != role:
        _keep_an_owner(organisation, membership, new_role=role)
        before = audit.snapshot(membership, ["role"])
        membership.role = role
        audit.record(
            session,
            actor,
            "member_role_changed",
            edition_id=None,
            organisation_id=organisation.id,
            user_id=user.id,
            changes=audit.changes(before, membership),
        )
    session.flush()
    return membership


def remove_member(session: Session, actor: Actor, organisation_id: int, user_id: int) -> None:
    organisation = get_organisation(session, actor, organisation_id)
    # Members may leave on their own; owners may remove anyone. Checked first, so that others
    # cannot tell members from non-members by the answer.
    if actor.user is None or actor.user.id != user_id:
        require_owner(actor, organisation)
    membership = session.get(Membership, (organisation.id, user_id))
    if membership is None:
        raise NotFound(_l("User %(user)s is not a member of this organisation.", user=user_id))
    _keep_an_owner(organisation, membership, new_role=None)
    session.delete(membership)
    audit.record(
        session, actor, "member_removed", edition_id=None, organisation_id=organisation.id, user_id=user_id, role=membership.role.value
    )
    session.flush()


def names_of(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Organisations' names by id (public: the programme shows them on every activity)."""
    wanted = set(ids)
    if not wanted:
        return {}
    found = session.execute(sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))
    return {organisation_id: name for organisation_id, name in found}


def memberships_of(session: Session, user: User) -> list[Membership]:
    query = sa.select(Membership).join(Organisation).where(Membership.user_id == user.id).order_by(Organisation.name)
    return list(session.scalars(query))


def role_of(actor: Actor, organisation: Organisation) -> MemberRole | None:
    if actor.user is None:
        return None
    for membership in organisation.memberships:
        if membership.user_id == actor.user.id:
            return membership.role
    return None


def require_owner(actor: Actor, organisation: Organisation) -> None:
    if actor.is_admin or role_of(actor, organisation) == MemberRole.OWNER:
        return
    raise Forbidden(_l("Only the organisation's owners may do this."))


def _keep_an_owner(organisation: Organisation, membership: Membership, new_role: MemberRole | None) -> None:
    owners = [m for m in organisation.memberships if m.role == MemberRole.OWNER]
    if owners == [membership] and new_role != MemberRole.OWNER:
        raise Conflict(_l("An organisation must keep at least one owner; add another owner first."))


def _ensure_name_free(session: Session, country: str, name: str) -> None:
    exists = session.scalar(
        sa.select(sa.literal(True)).where(Organisation.country == country, Organisation.name == name, Organisation.deleted_at.is_(None))
    )
    if exists:
        raise Conflict(_l("An organisation named “%(name)s” already exists in %(country)s.", name=name, country=country), field="name")


def _checked(fields: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not organisation fields: {sorted(unknown)}")
    checked = dict(fields)
    if "country" in checked:
        checked["country"] = checked["country"].upper()
    if "name" in checked:
        checked["name"] = non_blank(checked["name"], "name")
    return checked


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
