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
from zoneinfo import ZoneInfo

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
    send_mail(
        session,
        to=address,
        subject="Dina uppgifter hos Innovationsveckan / Your data",
        text=_data_text(registrations),
    )
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


def _data_text(registrations: Sequence[Registration]) -> str:
    lines = [
        "Du bad om de personuppgifter vi har om dig. Här är varje anmälan som gjorts med den här e-postadressen.",
        "You asked for the personal data we hold about you: here is every registration made with this email address.",
        "",
    ]
    for number, registration in enumerate(registrations, start=1):
        activity = registration.activity
        edition = activity.edition
        title, starts_at, ends_at = _public_face(activity)
        purged_on = (ends_at + timedelta(days=edition.retention_days)).astimezone(ZoneInfo(edition.timezone)).date()
        lines += [
            f"{number}. {title}",
            f"   Tid / time: {_local(edition, starts_at)} - {_local(edition, ends_at)}",
            f"   Status: {registration.status.value}",
            f"   Anmäld / registered: {_local(edition, registration.created_at)}",
        ]
        if registration.promoted_at is not None:
            lines.append(f"   Fick plats från väntelistan / moved from the waitlist: {_local(edition, registration.promoted_at)}")
        if registration.cancelled_at is not None:
            lines.append(f"   Avanmäld / cancelled: {_local(edition, registration.cancelled_at)}")
        lines += [
            f"   Namn / name: {registration.name}",
            f"   E-post / email: {registration.email}",
            f"   Arbetsplats / workplace: {registration.workplace or '-'}",
            f"   Befattning / position: {registration.position or '-'}",
            f"   Telefon / phone: {registration.phone or '-'}",
            f"   Foto och film / photos and film: {'ja / yes' if registration.photo_consent else 'nej / no'}",
            f"   Samtycke / consent: version {registration.consent_version}, {_local(edition, registration.consented_at)}",
            "   Samtyckestext / consent text:",
            *(f"     {line}" for line in registration.consent_text.splitlines()),
            f"   Raderas senast / erased by: {purged_on.isoformat()}",
            "",
        ]
    lines += [
        "Du kan när som helst be oss radera uppgifterna. / You may ask us to erase them at any time.",
    ]
    return "\n".join(lines)


def _public_face(activity: Activity) -> tuple[str, datetime, datetime]:
    """Title and times as the participant saw them: the approved version where there is one
    (the organiser's unreviewed edits are not theirs to read)."""
    revision = activity.approved_revision
    if revision is None:
        return activity.title, activity.starts_at, activity.ends_at
    content = revision.content
    return content["title"], datetime.fromisoformat(content["starts_at"]), datetime.fromisoformat(content["ends_at"])


def _local(edition: Edition, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(edition.timezone)).strftime("%Y-%m-%d %H:%M %Z")


# --- erasure on request -----------------------------------------------------------------------


def request_erasure(session: Session, email: str, *, secret_key: str, link_for: Callable[[str], str]) -> bool:
    """Email a confirmation link to ``email`` if we hold registrations for it; returns whether
    one was sent. ``link_for(token)`` is the URL of the confirmation page."""
    address = normalise_email(email)
    held = session.scalar(sa.select(sa.func.count()).select_from(Registration).where(Registration.email == address))
    if not held:
        return False
    link = link_for(erasure_token(address, secret_key=secret_key))
    erasure_link = secret_placeholder(ERASURE_LINK)
    hours = int(ERASURE_LINK_LIFETIME.total_seconds() // 3600)
    send_mail(
        session,
        to=address,
        subject="Bekräfta att dina uppgifter ska raderas / Confirm the erasure of your data",
        text="\n".join(
            [
                f"Någon (förhoppningsvis du) bad oss radera personuppgifterna i {held} anmälan/anmälningar",
                "som gjorts med den här e-postadressen. Öppna länken och bekräfta:",
                f"Someone (we hope you) asked us to erase the personal data of {held} registration(s)",
                "made with this email address. Open the link and confirm:",
                "",
                erasure_link,
                "",
                f"Länken gäller i {hours} timmar. Platser på kommande aktiviteter lämnas då tillbaka.",
                f"The link works for {hours} hours. Places on activities still to come are given up.",
                "Bad du inte om detta? Då behöver du inte göra något. / Did not ask? Then do nothing.",
            ]
        ),
        secrets={ERASURE_LINK: link},
    )
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
