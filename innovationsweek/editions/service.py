"""Editions of the week and their national coordinators."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import audit, outbox
from innovationsweek.accounts.models import User
from innovationsweek.accounts.service import get_user_by_email
from innovationsweek.actors import Actor
from innovationsweek.editions.models import Edition, EditionCoordinator, PrivacyNoticeVersion
from innovationsweek.errors import Conflict, Forbidden, Invalid, Message, NotFound
from innovationsweek.reminders.settings import merged as merged_reminder_settings

EDITABLE_FIELDS = frozenset(
    {
        "name",
        "theme",
        "timezone",
        "starts_at",
        "ends_at",
        "submissions_open_at",
        "submissions_close_at",
        "programme_open",
        "retention_days",
        "themes",
        "privacy_notice",
        "privacy_notice_version",
        "reminder_settings",
    }
)


def create_edition(session: Session, actor: Actor, *, slug: str, fields: Mapping[str, Any]) -> Edition:
    """Administrators create editions; a coordinator of an earlier edition may create the next
    one and becomes its coordinator."""
    user = actor.require_user()
    if not (actor.is_admin or _coordinates_any_edition(session, user)):
        raise Forbidden(_l("Only administrators and coordinators may create editions."))
    if session.scalar(sa.select(Edition.id).where(Edition.slug == slug)) is not None:
        raise Conflict(_l("An edition with the slug “%(slug)s” already exists.", slug=slug), field="slug")
    edition = Edition(slug=slug)
    _apply(edition, fields)
    if not actor.is_admin:
        edition.coordinators.append(EditionCoordinator(user=user, assigned_by_id=user.id))
    session.add(edition)
    session.flush()
    _keep_notice_version(session, actor, edition)
    audit.record(session, actor, "edition_created", edition_id=edition.id, slug=slug)
    return edition


def list_editions(session: Session) -> list[Edition]:
    return list(session.scalars(sa.select(Edition).order_by(Edition.starts_at.desc(), Edition.id)))


def get_edition(session: Session, slug: str) -> Edition:
    edition = session.scalar(sa.select(Edition).where(Edition.slug == slug))
    if edition is None:
        raise NotFound(_l("No edition “%(slug)s”.", slug=slug))
    return edition


# Fields the public programme shows with every activity: changing one re-renders them all.
SHOWN_IN_PROGRAMME = frozenset({"name", "theme", "timezone", "themes"})


def update_edition(session: Session, actor: Actor, slug: str, changes: Mapping[str, Any]) -> Edition:
    """Change an edition (its coordinators), written to the audit log field by field. Opening
    the programme tells partners' webhooks what was published while it was hidden."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    before = audit.snapshot(edition, changes)
    _apply(edition, changes)
    session.flush()
    changed = audit.changes(before, edition)
    if not changed:
        return edition
    if NOTICE_FIELDS & changed.keys():
        _keep_notice_version(session, actor, edition, replaced=before)
    audit.record(session, actor, "edition_changed", edition_id=edition.id, changes=changed)
    if SHOWN_IN_PROGRAMME & changed.keys():
        outbox.schedule(session, "republish_edition", edition.id)
    if "programme_open" in changed and edition.programme_open:
        outbox.schedule(session, "announce_hidden_changes", edition.id)
    if "programme_open" in changed:  # other weeks' entries linked to this one's show it, or stop
        outbox.schedule(session, "republish_linked", edition.id)
    return edition


NOTICE_FIELDS = frozenset({"privacy_notice", "privacy_notice_version"})


def privacy_notice_versions(session: Session, actor: Actor, slug: str) -> list[PrivacyNoticeVersion]:
    """Every version of the edition's privacy notice, the latest put in use first (its coordinators)."""
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    return list(edition.notice_versions)


def _keep_notice_version(session: Session, actor: Actor, edition: Edition, replaced: Mapping[str, Any] | None = None) -> None:
    """Keep the notice now in use as its version, and the one it replaces if that was never kept
    (an edition made before versions were kept, or by the demo). A version is one text:
    registrations name the version they consented to, so a changed text needs a new name."""
    if replaced is not None:
        version = replaced.get("privacy_notice_version", edition.privacy_notice_version)
        texts = replaced.get("privacy_notice", edition.privacy_notice)
        if texts and _kept_version(session, edition, version) is None:
            session.add(PrivacyNoticeVersion(edition_id=edition.id, version=version, texts=texts, published_at=edition.created_at))
    if not edition.privacy_notice:
        return  # nothing anyone can consent to
    kept = _kept_version(session, edition, edition.privacy_notice_version)
    if kept is None:
        user = actor.user
        session.add(PrivacyNoticeVersion(
            edition_id=edition.id, version=edition.privacy_notice_version, texts=dict(edition.privacy_notice),
            published_by_id=user.id if user is not None else None,
        ))
    elif kept.texts != edition.privacy_notice:
        raise Invalid(
            _l("Version %(version)s of the privacy notice has another text; a changed text needs a new version.", version=kept.version),
            field="privacy_notice_version",
        )
    session.flush()
    session.expire(edition, ["notice_versions"])


def _kept_version(session: Session, edition: Edition, version: str) -> PrivacyNoticeVersion | None:
    return session.scalar(
        sa.select(PrivacyNoticeVersion).where(PrivacyNoticeVersion.edition_id == edition.id, PrivacyNoticeVersion.version == version)
    )


def is_coordinator(actor: Actor, edition: Edition) -> bool:
    return actor.user is not None and any(c.user_id == actor.user.id for c in edition.coordinators)


def require_coordinator(actor: Actor, edition: Edition) -> None:
    actor.require_user()
    if not (actor.is_admin or is_coordinator(actor, edition)):
        raise Forbidden(_l("Only coordinators of %(edition)s may do this.", edition=edition.slug))


def list_coordinators(session: Session, actor: Actor, slug: str) -> list[EditionCoordinator]:
    edition = get_edition(session, slug)
    require_coordinator(actor, edition)
    return sorted(edition.coordinators, key=lambda c: c.user.name)


def assign_coordinator(session: Session, actor: Actor, slug: str, *, email: str) -> EditionCoordinator:
    admin = actor.require_admin()
    edition = get_edition(session, slug)
    user = get_user_by_email(session, email)
    assignment = session.get(EditionCoordinator, (edition.id, user.id))
    if assignment is None:
        assignment = EditionCoordinator(edition=edition, user=user, assigned_by_id=admin.id)
        session.add(assignment)
        audit.record(session, actor, "coordinator_added", edition_id=edition.id, user_id=user.id)
        session.flush()
    return assignment


def unassign_coordinator(session: Session, actor: Actor, slug: str, user_id: int) -> None:
    actor.require_admin()
    edition = get_edition(session, slug)
    assignment = session.get(EditionCoordinator, (edition.id, user_id))
    if assignment is None:
        raise NotFound(_l("User %(user)s does not coordinate %(edition)s.", user=user_id, edition=slug))
    session.delete(assignment)
    audit.record(session, actor, "coordinator_removed", edition_id=edition.id, user_id=user_id)
    session.flush()


def editions_coordinated_by(session: Session, user: User) -> list[Edition]:
    query = (
        sa.select(Edition)
        .join(EditionCoordinator)
        .where(EditionCoordinator.user_id == user.id)
        .order_by(Edition.starts_at.desc())
    )
    return list(session.scalars(query))


def _coordinates_any_edition(session: Session, user: User) -> bool:
    return bool(editions_coordinated_by(session, user))


def _apply(edition: Edition, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not edition fields: {sorted(unknown)}")
    for name, value in fields.items():
        if name == "reminder_settings":  # a partial change: the kinds and values given
            value = merged_reminder_settings(edition.reminder_settings, value)
        setattr(edition, name, value)
    _check_consistent(edition)


def _check_consistent(edition: Edition) -> None:
    try:
        ZoneInfo(edition.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Europe"
        raise Invalid(
            _l("Unknown time zone “%(zone)s”; use an IANA name such as Europe/Stockholm.", zone=edition.timezone), field="timezone"
        ) from None
    _check_order(edition.starts_at, edition.ends_at, "ends_at", _l("The week must end after it starts."))
    _check_order(
        edition.submissions_open_at,
        edition.submissions_close_at,
        "submissions_close_at",
        _l("Submissions must close after they open."),
    )
    if edition.submissions_open_at > edition.starts_at:
        raise Invalid(_l("Submissions must open before the week starts."), field="submissions_open_at")
    keys = [theme["key"] for theme in edition.themes or []]
    if len(keys) != len(set(keys)):
        raise Invalid(_l("Theme keys must be unique."), field="themes")


def _check_order(first: datetime, second: datetime, field: str, message: Message) -> None:
    if second <= first:
        raise Invalid(message, field=field)
