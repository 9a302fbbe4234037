from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.db import Base, Timestamped, utcnow
from innovationsweek.translations import LANGUAGES

# The language a person chose (sv, da, en), for the mails to them; NULL when they chose none.
_LANGUAGE_KNOWN = f"language IN ({', '.join(repr(code) for code in LANGUAGES)})"


class User(Timestamped, Base):
    """A person with a login: organiser, coordinator or admin (roles come from memberships,
    coordinator assignments and ``is_admin``)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint(_LANGUAGE_KNOWN, name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # The language of the mails to this person; when NULL, that of their organisation or edition.
    language: Mapped[str | None] = mapped_column(sa.String(2))

    tokens: Mapped[list[AccessToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class AccessToken(Base):
    """A Bearer token. Only its SHA-256 is stored: a database leak yields no usable tokens."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class SignUp(Base):
    """A sign-up whose address is not confirmed yet: no account, and nobody can sign in with it.
    The mailed link confirms it into a :class:`User`. A newer sign-up for the address replaces it,
    so the older link then confirms nothing. Only the link token's SHA-256 is stored."""

    __tablename__ = "sign_ups"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint(_LANGUAGE_KNOWN, name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    language: Mapped[str | None] = mapped_column(sa.String(2))  # signed up in; the account's
