"""Accounts: registering, signing in with Bearer tokens, revoking them, deleting accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from innovationsweek.accounts.models import AccessToken, User
from innovationsweek.actors import Actor
from innovationsweek.credentials import USER_TOKEN_PREFIX, new_secret, secret_hash
from innovationsweek.db import utcnow
from innovationsweek.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, non_blank
from innovationsweek.organisations.models import MemberRole, Membership

MIN_PASSWORD_LENGTH = 10
# Argon2id with OWASP's first recommendation (m=19 MiB, t=2, p=1) rather than argon2-cffi's
# default (RFC 9106's second one: 64 MiB, t=3, p=4). OWASP rates the two as equally strong; ours
# holds a third of the memory per sign-in and one thread, so that a web process on a small machine
# can hash several at once without swapping, and a burst of sign-ins (limited per address and
# account, see api/limits.py) cannot exhaust the memory. Hashes made with other parameters are
# re-hashed with these at the next sign-in (check_needs_rehash).
PASSWORD_HASHING = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}
_hasher = PasswordHasher(**PASSWORD_HASHING)
# Verified when the email is unknown, so that a wrong email takes as long as a wrong password.
_UNKNOWN_USER_HASH = _hasher.hash("unknown-user-timing-equaliser")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def register(session: Session, *, email: str, password: str, name: str, is_admin: bool = False) -> User:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    name = non_blank(name, "name")
    if find_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", field="email")
    user = User(
        email=normalise_email(email), name=name, password_hash=_hasher.hash(password), is_admin=is_admin
    )
    session.add(user)
    session.flush()
    return user


def issue_token(session: Session, *, email: str, password: str, lifetime: timedelta) -> IssuedToken:
    user = find_user_by_email(session, email)
    if not _password_matches(user, password):
        raise NotAuthenticated("The email or the password is wrong.")
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    raw = new_secret(USER_TOKEN_PREFIX)
    token = AccessToken(user=user, token_hash=secret_hash(raw), expires_at=utcnow() + lifetime)
    session.add(token)
    session.flush()
    return IssuedToken(token=raw, expires_at=token.expires_at)


def _password_matches(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _UNKNOWN_USER_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate_token(session: Session, raw: str) -> Actor:
    token = session.scalar(sa.select(AccessToken).where(AccessToken.token_hash == secret_hash(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        raise NotAuthenticated("The token is unknown, expired or revoked.")
    return Actor(user=token.user)


def revoke_token(session: Session, raw: str) -> None:
    token = session.scalar(sa.select(AccessToken).where(AccessToken.token_hash == secret_hash(raw)))
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    session.flush()


def list_users(session: Session, actor: Actor, *, email: str | None = None) -> list[User]:
    actor.require_admin()
    query = sa.select(User).order_by(User.id)
    if email:
        query = query.where(User.email == normalise_email(email))
    return list(session.scalars(query))


def get_user_by_email(session: Session, email: str) -> User:
    user = find_user_by_email(session, email)
    if user is None:
        raise NotFound(f"No account with the email {normalise_email(email)}.", field="email")
    return user


def purge_expired_tokens(session: Session, *, older_than: timedelta) -> int:
    """Delete tokens that expired or were revoked more than ``older_than`` ago."""
    cutoff = utcnow() - older_than
    result = session.execute(
        sa.delete(AccessToken).where(
            sa.or_(AccessToken.expires_at < cutoff, AccessToken.revoked_at < cutoff)
        )
    )
    return result.rowcount


def delete_own_account(session: Session, actor: Actor, *, password: str) -> None:
    """The signed-in person deletes their account, giving their password again (a stolen token
    alone must not be enough). See :func:`delete_account`."""
    user = actor.require_user()
    if not _password_matches(user, password):
        raise Forbidden("The password is wrong.", field="password")
    _delete(session, actor, user)


def delete_account(session: Session, actor: Actor, user_id: int) -> None:
    """An administrator deletes an account. Its tokens, memberships and coordinator assignments
    go; what the person did stays: their activities (without a creator), the programme, and the
    audit entries, which keep their name. Refused while the account is the last owner of an
    organisation that has other members, who would be left without anyone to manage it."""
    actor.require_admin()
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No account {user_id}.")
    _delete(session, actor, user)


def _delete(session: Session, actor: Actor, user: User) -> None:
    from innovationsweek import audit  # audit -> editions -> this module

    memberships = list(session.scalars(sa.select(Membership).where(Membership.user_id == user.id)))
    stranded = [m.organisation for m in memberships if _last_owner_of_others(m)]
    if stranded:
        names = ", ".join(f"{o.name} ({o.id})" for o in stranded)
        first = stranded[0].id
        raise Conflict(
            f"The account is the last owner of {names}, which has other members. Make one of them an owner first "
            f'(POST /api/v1/organisations/{first}/members with their email and "role": "owner"), or delete the '
            "organisation; then delete the account.",
            organisations=[{"id": o.id, "name": o.name} for o in stranded],
        )
    for membership in memberships:
        membership.organisation.memberships.remove(membership)
    audit.record(session, actor, "account_deleted", edition_id=None, user_id=user.id)
    session.flush()  # the entry is written while its actor exists; deleting sets its actor_id NULL
    session.delete(user)
    session.flush()


def _last_owner_of_others(membership: Membership) -> bool:
    others = [m for m in membership.organisation.memberships if m.user_id != membership.user_id]
    return membership.role == MemberRole.OWNER and bool(others) and all(m.role != MemberRole.OWNER for m in others)
