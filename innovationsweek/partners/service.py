"""Partners and their read-only API keys."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek.accounts.service import normalise_email
from innovationsweek.actors import Actor
from innovationsweek.credentials import PARTNER_KEY_PREFIX, new_secret, secret_hash
from innovationsweek.db import utcnow
from innovationsweek.errors import NotAuthenticated, NotFound, non_blank
from innovationsweek.partners.models import Partner


@dataclass(frozen=True)
class NewPartner:
    partner: Partner
    api_key: str


def create_partner(session: Session, actor: Actor, *, name: str, contact_email: str) -> NewPartner:
    actor.require_admin()
    api_key = new_secret(PARTNER_KEY_PREFIX)
    partner = Partner(
        name=non_blank(name, "name"),
        contact_email=normalise_email(contact_email),
        key_hash=secret_hash(api_key),
        key_hint=api_key[: len(PARTNER_KEY_PREFIX) + 4],
    )
    session.add(partner)
    session.flush()
    return NewPartner(partner=partner, api_key=api_key)


def list_partners(session: Session, actor: Actor) -> list[Partner]:
    actor.require_admin()
    return list(session.scalars(sa.select(Partner).order_by(Partner.id)))


def revoke_partner(session: Session, actor: Actor, partner_id: int) -> None:
    actor.require_admin()
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(_l("No partner %(id)s.", id=partner_id))
    if partner.revoked_at is None:
        partner.revoked_at = utcnow()
    session.flush()


def authenticate_partner(session: Session, api_key: str) -> Actor:
    partner = session.scalar(sa.select(Partner).where(Partner.key_hash == secret_hash(api_key)))
    if partner is None or partner.revoked_at is not None:
        raise NotAuthenticated(_l("The API key is unknown or revoked."))
    return Actor(partner=partner)
