"""Accounts: registering, signing in with Bearer tokens, revoking them."""

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
from innovationsweek.errors import Conflict, Invalid, NotAuthenticated, NotFound, non_blank

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
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
