"""Participants' personal data: sent to them on request, erased on request, and purged once the
edition's retention period has passed, counted from each activity's own end (DESIGN.md 7).

Erasing empties a registration's personal fields and stamps ``erased_at``; the row stays, with
its status, as an anonymous count, and reminders still to send to it are cancelled. A place on
an activity still to come is given up first (nobody could be reminded of it or cancel it any
more), and a seat freed so goes to the waitlist at once, as a cancellation's does. Each data
request and erasure is written to the personal-data access log, per activity and without the
data itself.

Requests by email never tell whether an address is known: the caller answers the same either
way, and only an address we hold registrations for gets a message. The erasure link carries the
address signed and timestamped with the installation's secret key, so it needs no table; it
expires after :data:`ERASURE_LINK_LIFETIME`. No Flask here: the caller builds the link's URL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.orm import Session, contains_eager, joinedload

from innovationsweek.accounts.service import normalise_email
from innovationsweek.activities.models import Activity
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition
from innovationsweek.errors import NotFound
from innovationsweek.notifications.models import Email
from innovationsweek.notifications.service import secret_placeholder, send_mail
from innovationsweek.privacy import messages
from innovationsweek.registrations.models import PersonalDataAccess, Registration
from innovationsweek.registrations.service import give_up_place
from innovationsweek.reminders import service as reminders

ERASURE_LINK_LIFETIME = timedelta(hours=24)
ERASURE_LINK = "erasure link"  # its name in the stored email, which keeps it only until sent
PERSONAL_FIELDS = ("name", "email", "workplace", "position", "phone")

# Who acted, as the access log names it: no account acts in these.
BY_PARTICIPANT = "the participant (by email)"
BY_RETENTION = "retention period"

# Stored emails are a record of what was sent. They go once the shortest retention period of any
# edition has passed since they were written: an email about a registration is written before
# the activity ends, so it never outlives the registration it is about. Never sooner than a week,
# the time the sweep keeps trying to send one (notifications jobs).
EMAILS_KEPT_AT_LEAST = timedelta(days=7)
RETENTION_WITHOUT_EDITIONS = timedelta(days=180)  # the edition's default

_ERASURE_SALT = "innovationsweek.privacy.erasure-request"


class ErasureLinkExpired(NotFound):
    """A genuine erasure link, but too old: the participant asks for a new one (410)."""


# --- what we hold: sent to the participant ------------------------------------------------------


def request_data(session: Session, email: str) -> int:
    """Email every registration made with ``email`` to that address; returns how many (0: no
    email is sent, and the caller must answer as if there were some)."""
    address = normalise_email(email)
    registrations = registrations_of(session, address)
    if not registrations:
        return 0
    mail = messages.data_held(registrations, messages.their_language(registrations))
    send_mail(session, to=address, subject=mail.subject, text=mail.text)
    _log(session, Counter((r.edition_id, r.activity_id) for r in registrations), action="data_request", actor_label=BY_PARTICIPANT)
    session.flush()
    return len(registrations)


def registrations_of(session: Session, address: str) -> list[Registration]:
    """The registrations still holding ``address`` (already normalised), oldest first."""
    query = (
        sa.select(Registration)
        .where(Registration.email == address)
        .options(joinedload(Registration.activity, innerjoin=True).joinedload(Activity.edition, innerjoin=True))
        .order_by(Registration.created_at, Registration.id)
    )
    return list(session.scalars(query))


# --- erasure on request -----------------------------------------------------------------------


def request_erasure(session: Session, email: str, *, secret_key: str, link_for: Callable[[str, str], str]) -> bool:
    """Email a confirmation link to ``email`` if we hold registrations for it; returns whether
    one was sent. ``link_for(token, language)`` is the URL of the confirmation page in the
    mail's language."""
    address = normalise_email(email)
    held = registrations_of(session, address)
    if not held:
        return False
    language = messages.their_language(held)
    link = link_for(erasure_token(address, secret_key=secret_key), language)
    mail = messages.erasure_requested(len(held), language, link=secret_placeholder(ERASURE_LINK), lifetime=ERASURE_LINK_LIFETIME)
    send_mail(session, to=address, subject=mail.subject, text=mail.text, secrets={ERASURE_LINK: link})
    return True


def erasure_token(email: str, *, secret_key: str) -> str:
    """A link token naming ``email``, signed with the secret key and the time it was made."""
    return _serializer(secret_key).dumps(normalise_email(email))


def address_in_erasure_token(token: str, *, secret_key: str, now: datetime | None = None) -> str:
    """The address an erasure link was made for. Raises :class:`NotFound` for a forged or
    damaged token and :class:`ErasureLinkExpired` for one older than its lifetime."""
    try:
        address, signed_at = _serializer(secret_key).loads(token, return_timestamp=True)
    except BadData:
        raise NotFound(_l("This erasure link is not valid. Ask for a new one.")) from None
    if not isinstance(address, str) or not address:
        raise NotFound(_l("This erasure link is not valid. Ask for a new one."))
    if (now or utcnow()) - signed_at > ERASURE_LINK_LIFETIME:
        raise ErasureLinkExpired(_l("This erasure link has expired. Ask for a new one."))
    return address


def confirm_erasure(session: Session, token: str, *, secret_key: str, public_url: str) -> int:
    """Erase every registration of the link's address and the emails sent to it; returns how
    many registrations were erased. Places on activities still ahead are given up first, so that
    the waitlist moves up at once (``public_url`` for the promotion emails' calendar files).
    Confirming twice erases nothing more."""
    address = address_in_erasure_token(token, secret_key=secret_key)
    now = utcnow()
    held = registrations_of(session, address)
    for registration in sorted(held, key=lambda r: (r.activity_id, r.id)):  # activities locked in one order
        if registration.erased_at is None and registration.activity.ends_at > now:
            give_up_place(session, registration, public_url=public_url)
    erased = erase(session, held, action="erasure", actor_label=BY_PARTICIPANT)
    # What we wrote to them holds the same data (and their address): it goes too, sent or not.
    session.execute(
        sa.delete(Email).where(sa.func.lower(Email.to_address) == address), execution_options={"synchronize_session": False}
    )
    session.flush()
    return erased


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_ERASURE_SALT)


# --- erasing ------------------------------------------------------------------------------------


def erase(session: Session, registrations: Sequence[Registration], *, action: str, actor_label: str) -> int:
    """Empty the personal fields of ``registrations`` (those not erased yet), keeping each row and
    its status as an anonymous count, and cancel their participants' reminders still to send.
    Logs one access entry per activity. Returns how many it erased. (A place on an activity still
    ahead is the caller's to give up first: :func:`confirm_erasure`.)"""
    erased_at = utcnow()
    per_activity: Counter[tuple[int, int]] = Counter()
    erased_ids = []
    for registration in registrations:
        if registration.erased_at is not None:
            continue
        for field in PERSONAL_FIELDS:
            setattr(registration, field, None)
        registration.erased_at = erased_at
        per_activity[registration.edition_id, registration.activity_id] += 1
        erased_ids.append(registration.id)
    reminders.cancel_reminders_of_registrations(session, erased_ids, reason=reminders.ERASED, now=erased_at)
    _log(session, per_activity, action=action, actor_label=actor_label)
    session.flush()
    return sum(per_activity.values())


def _log(session: Session, per_activity: Counter[tuple[int, int]], *, action: str, actor_label: str) -> None:
    """One access-log entry per activity (keyed by edition and activity): how many of its
    registrations were read or erased."""
    for (edition_id, activity_id), records in sorted(per_activity.items()):
        session.add(
            PersonalDataAccess(
                edition_id=edition_id, actor_id=None, actor_label=actor_label, activity_id=activity_id, action=action, records=records
            )
        )


# --- the retention period ------------------------------------------------------------------


def purge_expired_registrations(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Erase up to ``limit`` registrations whose activity ended more than its edition's retention
    period before ``now``; returns how many. Call again (in a new transaction) until it answers
    less than ``limit``. Rows another run is erasing at the same time are skipped."""
    editions = session.execute(sa.select(Edition.id, Edition.retention_days).order_by(Edition.id)).all()
    expired: list[Registration] = []
    for edition_id, retention_days in editions:
        query = (
            sa.select(Registration)
            .join(Registration.activity)
            .where(
                Activity.edition_id == edition_id,
                Activity.ends_at <= now - timedelta(days=retention_days),
                Registration.erased_at.is_(None),
            )
            .options(contains_eager(Registration.activity))
            .order_by(Registration.id)
            .limit(limit - len(expired))
            .with_for_update(skip_locked=True, of=Registration)
        )
        expired += session.scalars(query)
        if len(expired) >= limit:
            break
    return erase(session, expired, action="retention_purge", actor_label=BY_RETENTION)


def email_retention(session: Session) -> timedelta:
    """How long stored emails (and the .eml files of the embedded mode) are kept: the shortest
    retention period of any edition, and at least :data:`EMAILS_KEPT_AT_LEAST`."""
    shortest = session.scalar(sa.select(sa.func.min(Edition.retention_days)))
    return max(timedelta(days=shortest) if shortest else RETENTION_WITHOUT_EDITIONS, EMAILS_KEPT_AT_LEAST)


def purge_old_emails(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Delete up to ``limit`` stored emails written longer ago than :func:`email_retention`;
    returns how many."""
    old = sa.select(Email.id).where(Email.created_at < now - email_retention(session)).order_by(Email.id).limit(limit)
    ids = list(session.scalars(old))
    if ids:
        session.execute(sa.delete(Email).where(Email.id.in_(ids)), execution_options={"synchronize_session": False})
    return len(ids)
