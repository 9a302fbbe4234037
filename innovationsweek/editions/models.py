from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from innovationsweek.accounts.models import User
from innovationsweek.db import Base, Timestamped, utcnow
from innovationsweek.translations import LANGUAGES



class Edition(Timestamped, Base):
    """One innovation week: its dates, theme, submission window and programme visibility."""

    __tablename__ = "editions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="week_ends_after_start"),
        sa.CheckConstraint("submissions_close_at > submissions_open_at", name="submissions_close_after_open"),
        sa.CheckConstraint("retention_days > 0", name="retention_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    # Per language ({"sv": ..., "en": ...}): the week is run in Swedish and Danish, partners
    # republish in English.
    name: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    theme: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    submissions_open_at: Mapped[datetime]
    submissions_close_at: Mapped[datetime]
    programme_open: Mapped[bool] = mapped_column(default=False)
    retention_days: Mapped[int] = mapped_column(default=180)
    # [{"key": "spread", "label": {"sv": "Sprida", "en": "Spread"}}, ...]
    themes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # What participants consent to when they register, per language, and its version: a new
    # text gets a new version, and each registration keeps the text and version it accepted.
    privacy_notice: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    privacy_notice_version: Mapped[str] = mapped_column(sa.String(40), default="1")
    # Which reminders go out and when (innovationsweek.reminders.settings); {} means the defaults.
    reminder_settings: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    coordinators: Mapped[list[EditionCoordinator]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", passive_deletes=True
    )
    notice_versions: Mapped[list[PrivacyNoticeVersion]] = relationship(
        back_populates="edition", cascade="all, delete-orphan", passive_deletes=True, order_by="PrivacyNoticeVersion.published_at.desc()"
    )


def edition_language(edition: Edition | None) -> str:
    """The edition's own language: the first it is named in (its ``name`` lists it first), else
    Swedish. What a page or a registration falls back to when nobody asked for a language."""
    names = edition.name if edition is not None else {}
    return next((language for language in names if language in LANGUAGES), LANGUAGES[0])


# An organisation's language, for mails to it: that of its country where the week has one.
COUNTRY_LANGUAGES = {"SE": "sv", "DK": "da"}


def organisation_language(country: str, edition: Edition) -> str:
    """The language to write to an organisation from ``country`` about ``edition``: its
    country's, else the edition's own (accounts keep no language of their own)."""
    return COUNTRY_LANGUAGES.get(country) or edition_language(edition)


def edition_name(edition: Edition, language: str) -> str:
    """The edition's name in ``language``, else in its own language."""
    return edition.name.get(language) or next(iter(edition.name.values()))


class EditionCoordinator(Base):
    """A person on the edition's national team; assigned by an administrator."""

    __tablename__ = "edition_coordinators"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    edition: Mapped[Edition] = relationship(back_populates="coordinators")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PrivacyNoticeVersion(Base):
    """A privacy notice as it was put in use: every version an edition has had, the current one
    too, so that its coordinators can read what earlier registrations consented to (each
    registration keeps its own language's text as well)."""

    __tablename__ = "privacy_notice_versions"
    __table_args__ = (sa.UniqueConstraint("edition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(sa.String(40))
    texts: Mapped[dict[str, str]] = mapped_column(sa.JSON)  # per language, as Edition.privacy_notice
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    edition: Mapped[Edition] = relationship(back_populates="notice_versions")

    @property
    def in_use(self) -> bool:
        """Whether people registering now consent to this version."""
        return bool(self.edition.privacy_notice) and self.version == self.edition.privacy_notice_version
