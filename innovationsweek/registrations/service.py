"""Registrations: participants take a seat, or a place on the waitlist, with informed consent and
cancel with the secret link from their email; organisers read their own participants.

Seats are counted under a lock on the activity's row (``SELECT ... FOR UPDATE`` in PostgreSQL),
so registrations for the last seats are taken one at a time and the capacity is never exceeded,
however many arrive at once. Whatever frees or adds seats (a cancellation, an approved larger
capacity) gives them to the waitlist in order before anyone new: see :func:`_fill_seats`.

What a participant registers for is what the public sees: the activity's programme entry (its
approved revision), never an organiser's unreviewed edit. Every read of participants' personal
data by staff is logged (:class:`PersonalDataAccess`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from innovationsweek import audit
from innovationsweek.activities.access import is_member, visible_activity
from innovationsweek.activities.models import Activity, ActivityStatus, RegistrationMode
from innovationsweek.actors import Actor
from innovationsweek.credentials import new_secret, secret_hash
from innovationsweek.db import utcnow
from innovationsweek.editions.models import LANGUAGES, Edition, edition_language
from innovationsweek.editions.service import is_coordinator
from innovationsweek.errors import Conflict, Forbidden, Invalid, NotFound, non_blank
from innovationsweek.notifications.service import Attachment, secret_placeholder, send_mail
from innovationsweek.programme import formats
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.programme.service import public_entry
from innovationsweek.registrations import messages
from innovationsweek.registrations.models import PersonalDataAccess, Registration, RegistrationStatus

log = logging.getLogger(__name__)

CANCEL_TOKEN_PREFIX = "iwr_"
# The cancel link's name in a stored email, which keeps the link only until it is sent.
CANCEL_LINK = "cancel link"
# The privacy notice a participant is shown: in the language asked for, else in these, in order.
NOTICE_LANGUAGES = ("sv", "en", "da")
HOLDING_A_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


@dataclass(frozen=True)
class Participant:
    """What a participant gives when registering (``phone`` is optional)."""

    name: str
    email: str
    workplace: str
    position: str
    photo_consent: bool
    phone: str | None = None


@dataclass(frozen=True)
class Receipt:
    """The answer to a registration, the same whoever asks: what a newcomer gets at this moment.
    No id and no personal data, never the cancel token (that goes to the participant's email
    only), and nothing that tells whether the address was registered already."""

    activity_id: int
    status: RegistrationStatus
    position_on_waitlist: int | None


@dataclass(frozen=True)
class PrivacyNotice:
    """The text a participant is shown and consents to, its version and its language."""

    text: str
    version: str
    language: str


@dataclass(frozen=True)
class Availability:
    """Whether the public may register for an activity here now, for its page: no personal data.
    ``refusal`` is the reason :func:`register` would refuse with (``cancelled``,
    ``not_registered_here``, ``closed``, ``started``, ``no_privacy_notice``), else None;
    ``seats_left`` while a newcomer gets a seat, else (full: the waitlist) None."""

    activity_id: int
    refusal: str | None
    seats_left: int | None


@dataclass(frozen=True)
class Summary:
    """Counts only: what coordinators may see of an activity's registrations."""

    activity_id: int
    mode: RegistrationMode
    capacity: int | None
    registration_closed: bool
    confirmed: int
    waitlisted: int
    cancelled: int


# --- participants -----------------------------------------------------------------------------


def register(
    session: Session,
    activity_id: int,
    participant: Participant,
    *,
    language: str | None,
    public_url: str,
    trap_filled: bool = False,
    notice_version: str | None = None,
) -> Receipt:
    """Register ``participant`` for an activity of an open programme that takes registrations
    here. Confirmed while seats are free and nobody waits, waitlisted otherwise; the participant
    gets an email with the cancel link (and, with a seat, the activity's calendar entry).

    The answer tells nothing about the address: an address registered already gets the answer a
    newcomer would, and an email reminding them of their place with a fresh cancel link (the one
    sent before stops working); no second seat, nothing moves on the waitlist. ``trap_filled`` (a
    form's honeypot field was filled, as bots do) gets that answer too, and nothing happens.
    ``notice_version``: the version of the privacy notice the participant was shown; consent to
    an older one is refused (409 ``notice_changed``), so that nobody consents to a text unseen.
    """
    entry = public_entry(session, activity_id)  # 404 unless in an open programme
    activity = _lock(session, activity_id)
    _ensure_open(activity, entry)
    language = registration_language(activity.edition, language)
    notice = privacy_notice(activity.edition, language)
    if notice_version is not None and notice_version != notice.version:
        raise Conflict(_l("The privacy notice has changed since it was shown; read the new one."), reason="notice_changed")
    fields = _cleaned(participant)
    _fill_seats(session, activity, entry, public_url=public_url)
    answer = _newcomers_answer(session, activity.id, entry)
    if trap_filled:
        log.info("registration for activity %d: the honeypot field was filled; nothing registered", activity.id)
        return answer
    existing = session.scalar(
        sa.select(Registration).where(
            Registration.activity_id == activity.id,
            Registration.email == fields["email"],
            Registration.status.in_(HOLDING_A_PLACE),
        )
    )
    if existing is not None:
        _tell_registered(session, existing, entry, token=_new_cancel_token(existing), public_url=public_url, again=True)
        return answer
    registration = Registration(
        activity_id=activity.id,
        edition_id=activity.edition_id,
        status=answer.status,
        **fields,
        language=language,
        consent_text=notice.text,
        consent_version=notice.version,
        consented_at=utcnow(),
    )
    token = _new_cancel_token(registration)
    session.add(registration)
    session.flush()
    _tell_registered(session, registration, entry, token=token, public_url=public_url)
    return answer


def availability(session: Session, entry: ProgrammeEntry) -> Availability:
    """What someone about to register for the public ``entry`` may expect, by the rules
    :func:`register` applies (read only: nothing is locked, so it may change the next moment)."""
    activity = session.get(Activity, entry.activity_id)
    if activity is None:
        raise NotFound(_l("No activity %(id)s.", id=entry.activity_id))
    try:
        _ensure_open(activity, entry)
        privacy_notice(activity.edition, None)
    except Conflict as refusal:
        return Availability(activity_id=activity.id, refusal=str(refusal.extra["reason"]), seats_left=None)
    terms = _public_terms(entry)
    capacity = terms[1] if terms is not None else None
    seats_left = capacity - _confirmed(session, activity.id) if capacity is not None and _seat_free(session, activity.id, entry) else None
    return Availability(activity_id=activity.id, refusal=None, seats_left=seats_left)


def registration_language(edition: Edition, language: str | None) -> str:
    """The language a registration is made in, and its emails written in: the one asked for,
    else the edition's own."""
    if language is None:
        return edition_language(edition)
    if language not in LANGUAGES:
        raise Invalid(_l("Unknown language; one of %(languages)s.", languages=", ".join(LANGUAGES)), field="language")
    return language


def _new_cancel_token(registration: Registration) -> str:
    """A new secret cancel link for ``registration``: only its hash is kept, so any earlier link stops working."""
    token = new_secret(CANCEL_TOKEN_PREFIX)
    registration.cancel_token_hash = secret_hash(token)
    return token


def find_by_token(session: Session, token: str) -> Registration:
    """The registration a cancel link names; 404 for any other string (and once it is erased)."""
    registration = session.scalar(
        sa.select(Registration).where(Registration.cancel_token_hash == secret_hash(token), Registration.erased_at.is_(None))
    )
    if registration is None:
        raise NotFound(_l("No registration has this link; it may have been mistyped or erased."))
    return registration


def public_face(session: Session, registration: Registration) -> dict[str, Any] | None:
    """The programme entry's data of the registration's activity (for the cancel page), if any."""
    entry = session.get(ProgrammeEntry, registration.activity_id)
    return entry.data if entry is not None and entry.state == EntryState.UPDATED else None


def cancel(session: Session, token: str, *, public_url: str) -> Registration:
    """Cancel the registration the link names; cancelling again changes nothing. A freed seat
    goes to the first person on the waitlist, who is told by email."""
    registration = find_by_token(session, token)
    give_up_place(session, registration, public_url=public_url)
    return registration


def give_up_place(session: Session, registration: Registration, *, public_url: str) -> None:
    """Cancel the seat or waitlist place ``registration`` holds (its participant cancelled, or
    asked for erasure); a freed seat goes at once to the first person waiting, who is told by
    email. A registration cancelled already changes nothing."""
    activity = _lock(session, registration.activity_id)
    session.refresh(registration)  # as it is now that the activity is ours
    if registration.status == RegistrationStatus.CANCELLED:
        return
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    session.flush()
    entry = session.get(ProgrammeEntry, activity.id)
    _fill_seats(session, activity, entry, public_url=public_url)


def tell_registrants_it_is_off(session: Session, activity: Activity) -> int:
    """The activity is cancelled or withdrawn: tell everyone holding a seat or a place on the
    waitlist, each in the language they registered in (their registrations stay as they were,
    as a record). Called once, in the transaction of that step: the lifecycle leads nowhere
    from either, so nobody is told twice. Returns how many were told."""
    session.flush()  # the step holds the activity's row: nobody registers meanwhile
    registrations = list(
        session.scalars(
            sa.select(Registration)
            .where(
                Registration.activity_id == activity.id,
                Registration.status.in_(HOLDING_A_PLACE),
                Registration.email.is_not(None),
            )
            .order_by(Registration.id)
        )
    )
    content = activity.approved_revision.content if activity.approved_revision else {}
    title = content.get("title") or activity.title
    reason = (activity.cancellation_reason or "").strip()
    withdrawn = activity.status == ActivityStatus.WITHDRAWN
    for registration in registrations:
        assert registration.email is not None and registration.name is not None
        mail = messages.activity_called_off(title, registration.language, name=registration.name, reason=reason, withdrawn=withdrawn)
        send_mail(session, to=registration.email, subject=mail.subject, text=mail.text)
    return len(registrations)


# --- organisers and coordinators --------------------------------------------------------------


def list_registrations(session: Session, actor: Actor, activity_id: int, *, export: bool = False) -> list[Registration]:
    """Every registration of the activity with its personal data, in the order they came (erased
    ones are counts only and left out). For members of the host organisation; each read is logged."""
    user = actor.require_user()
    activity = visible_activity(session, actor, activity_id)
    if not is_member(session, user, activity.organisation_id):
        raise Forbidden(_l("Only members of the host organisation may see its participants."))
    registrations = list(
        session.scalars(
            sa.select(Registration)
            .where(Registration.activity_id == activity.id, Registration.erased_at.is_(None))
            .order_by(Registration.id)
        )
    )
    session.add(
        PersonalDataAccess(
            edition_id=activity.edition_id,
            actor_id=user.id,
            actor_label=user.name,
            activity_id=activity.id,
            action="export" if export else "list",
            records=len(registrations),
        )
    )
    session.flush()
    return registrations


def registration_summary(session: Session, actor: Actor, activity_id: int) -> Summary:
    """How many hold a seat, wait, or cancelled: for the organisers, the edition's coordinators
    and administrators. No personal data, so nothing to log."""
    user = actor.require_user()
    activity = visible_activity(session, actor, activity_id)
    if not (actor.is_admin or is_coordinator(actor, activity.edition) or is_member(session, user, activity.organisation_id)):
        raise Forbidden(_l("Only the host organisation's members and the edition's coordinators may see these counts."))
    return _summary(session, activity)


def close_registration(session: Session, actor: Actor, activity_id: int) -> Summary:
    """Take no more registrations (those made stay, and cancellations still promote the waitlist)."""
    return _set_closed(session, actor, activity_id, closed=True)


def open_registration(session: Session, actor: Actor, activity_id: int) -> Summary:
    return _set_closed(session, actor, activity_id, closed=False)


def _set_closed(session: Session, actor: Actor, activity_id: int, *, closed: bool) -> Summary:
    user = actor.require_user()
    activity = visible_activity(session, actor, activity_id)
    if not (actor.is_admin or is_member(session, user, activity.organisation_id)):
        raise Forbidden(_l("Only members of the host organisation may open or close its registration."))
    if activity.registration_closed != closed:
        activity.registration_closed = closed
        audit.record(
            session,
            actor,
            "registration_closed" if closed else "registration_opened",
            edition_id=activity.edition_id,
            activity_id=activity.id,
        )
        session.flush()
    return _summary(session, activity)


def _summary(session: Session, activity: Activity) -> Summary:
    counts = dict(
        session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.activity_id == activity.id)
            .group_by(Registration.status)
        ).all()
    )
    entry = session.get(ProgrammeEntry, activity.id)
    terms = _public_terms(entry)
    mode, capacity = terms if terms is not None else (activity.registration_mode, activity.registration_capacity)
    return Summary(
        activity_id=activity.id,
        mode=mode,
        capacity=capacity,
        registration_closed=activity.registration_closed,
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
    )


# --- the rules --------------------------------------------------------------------------------


def _lock(session: Session, activity_id: int) -> Activity:
    """The activity, its row locked until this transaction ends. Everything that counts or moves
    seats takes it first, so they take turns per activity.

    SQLite (the embedded mode) has no row locks and ignores FOR UPDATE: there a write that changes
    nothing takes the database's write lock for the rest of the transaction instead, which other
    writers wait for."""
    if session.get_bind().dialect.name == "sqlite":
        table = Activity.__table__
        session.execute(sa.update(table).where(table.c.id == activity_id).values(registration_closed=table.c.registration_closed))
    activity = session.scalar(
        sa.select(Activity).where(Activity.id == activity_id).with_for_update().execution_options(populate_existing=True)
    )
    if activity is None:
        raise NotFound(_l("No activity %(id)s.", id=activity_id))
    return activity


def _ensure_open(activity: Activity, entry: ProgrammeEntry) -> None:
    terms = _public_terms(entry)
    if activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED):
        raise NotFound(_l("No activity %(id)s in any open programme.", id=activity.id))  # withdrawn; its entry follows
    if activity.status == ActivityStatus.CANCELLED or entry.cancelled:
        raise Conflict(_l("This activity is cancelled: it takes no registrations."), reason="cancelled")
    if terms is None or terms[0] != RegistrationMode.INTERNAL:
        mode = terms[0] if terms is not None else RegistrationMode.NONE
        refusal = (
            _l("This activity takes no registrations here; register on the organiser's own site (see registration.url).")
            if mode == RegistrationMode.EXTERNAL
            else _l("This activity takes no registrations at all.")
        )
        raise Conflict(refusal, reason="not_registered_here")
    if activity.registration_closed:
        raise Conflict(_l("The organiser has closed registration for this activity."), reason="closed")
    if entry.starts_at is not None and entry.starts_at <= utcnow():
        raise Conflict(_l("This activity has already started: registration is over."), reason="started")


def _public_terms(entry: ProgrammeEntry | None) -> tuple[RegistrationMode, int | None] | None:
    """The registration mode and capacity the public sees (the approved revision's)."""
    if entry is None or entry.state != EntryState.UPDATED or not entry.data:
        return None
    registration = entry.data.get("registration") or {}
    return RegistrationMode(registration.get("mode") or RegistrationMode.NONE), registration.get("capacity")


def privacy_notice(edition: Edition, language: str | None) -> PrivacyNotice:
    """The notice a participant consents to: in ``language`` when the edition has it, else in
    the first of :data:`NOTICE_LANGUAGES` it has. 409 when it has none."""
    notices = edition.privacy_notice or {}
    for candidate in (language, *NOTICE_LANGUAGES):
        if candidate and (notices.get(candidate) or "").strip():
            return PrivacyNotice(text=notices[candidate], version=edition.privacy_notice_version, language=candidate)
    raise Conflict(
        _l("Registration is not possible yet: the edition has no privacy notice to consent to."), reason="no_privacy_notice"
    )


def _cleaned(participant: Participant) -> dict[str, Any]:
    phone = (participant.phone or "").strip() or None
    return {
        "name": non_blank(participant.name, "name"),
        "email": non_blank(participant.email, "email").lower(),
        "workplace": non_blank(participant.workplace, "workplace"),
        "position": non_blank(participant.position, "position"),
        "phone": phone,
        "photo_consent": participant.photo_consent,
    }


def _confirmed(session: Session, activity_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.CONFIRMED)
    ) or 0


def _waiting(session: Session, activity_id: int, *, up_to: int | None = None) -> int:
    query = sa.select(sa.func.count()).where(Registration.activity_id == activity_id, Registration.status == RegistrationStatus.WAITLISTED)
    if up_to is not None:
        query = query.where(Registration.id <= up_to)
    return session.scalar(query) or 0


def _seat_free(session: Session, activity_id: int, entry: ProgrammeEntry) -> bool:
    """Whether a newcomer gets a seat: one is free and nobody is ahead on the waitlist."""
    terms = _public_terms(entry)
    capacity = terms[1] if terms is not None else None
    return capacity is not None and _confirmed(session, activity_id) < capacity and _waiting(session, activity_id) == 0


def _fill_seats(session: Session, activity: Activity, entry: ProgrammeEntry | None, *, public_url: str) -> list[Registration]:
    """Give free seats to the waitlist, first come first served, and tell each person promoted.
    Only while the activity is ahead, in the programme and takes registrations here. Called with
    the activity's row locked."""
    terms = _public_terms(entry)
    if (
        entry is None
        or terms is None
        or terms[0] != RegistrationMode.INTERNAL
        or terms[1] is None
        or activity.status != ActivityStatus.PUBLISHED
        or entry.cancelled
        or (entry.starts_at is not None and entry.starts_at <= utcnow())
    ):
        return []
    free = terms[1] - _confirmed(session, activity.id)
    if free <= 0:
        return []
    promoted = list(
        session.scalars(
            sa.select(Registration)
            .where(Registration.activity_id == activity.id, Registration.status == RegistrationStatus.WAITLISTED)
            .order_by(Registration.id)
            .limit(free)
        )
    )
    now = utcnow()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
    session.flush()
    for registration in promoted:
        if registration.email is not None:  # erased: a count, nobody to tell
            _tell_promoted(session, registration, entry, public_url=public_url)
    return promoted


def _newcomers_answer(session: Session, activity_id: int, entry: ProgrammeEntry) -> Receipt:
    """What someone registering now is told: a seat while one is free and nobody waits, else
    the next place on the waitlist."""
    if _seat_free(session, activity_id, entry):
        return Receipt(activity_id=activity_id, status=RegistrationStatus.CONFIRMED, position_on_waitlist=None)
    return Receipt(activity_id=activity_id, status=RegistrationStatus.WAITLISTED, position_on_waitlist=_waiting(session, activity_id) + 1)



# --- what participants are told ---------------------------------------------------------------


def cancel_url(public_url: str, token: str, language: str) -> str:
    """The secret link in a participant's email: a page that asks before it cancels, in the
    language they registered in."""
    return f"{public_url.rstrip('/')}/registrations/{token}?lang={language}"


def when(data: Mapping[str, Any], language: str) -> str:
    """The day and times of a programme entry's ``data``, in ``language``."""
    return messages.when(_facts(data), language)


def _facts(data: Mapping[str, Any]) -> messages.ActivityFacts:
    return messages.ActivityFacts.of(data, zone=ZoneInfo(data["timezone"]), organiser=data["organiser"]["name"])


def _calendar(session: Session, entry: ProgrammeEntry, public_url: str) -> Attachment:
    edition = session.get(Edition, entry.edition_id)
    assert edition is not None
    body = formats.event_calendar(edition, entry, base_url=public_url.rstrip("/"))
    return Attachment(filename=f"activity-{entry.activity_id}.ics", content_type="text/calendar", content=body)


def _tell_registered(
    session: Session, registration: Registration, entry: ProgrammeEntry, *, token: str, public_url: str, again: bool = False
) -> None:
    """The confirmation (or waitlist) email with the cancel link; ``again``: the reminder to
    someone who registered a second time, whose new link replaces the one sent before."""
    assert registration.email is not None and registration.name is not None
    facts, language = _facts(entry.data or {}), registration.language
    letter = {"name": registration.name, "link": secret_placeholder(CANCEL_LINK), "version": registration.consent_version, "again": again}
    attachments: Sequence[Attachment] = ()
    if registration.status == RegistrationStatus.CONFIRMED:
        mail = messages.registered(facts, language, **letter)
        attachments = (_calendar(session, entry, public_url),)
    else:
        mail = messages.waitlisted(facts, language, number=_waiting(session, registration.activity_id, up_to=registration.id), **letter)
    try:
        send_mail(
            session, to=registration.email, subject=mail.subject, text=mail.text, attachments=attachments,
            secrets={CANCEL_LINK: cancel_url(public_url, token, language)},
        )
    except ValueError:  # an address the schema let through but no mail server would take
        raise Invalid(_l("Mail cannot be sent to this address."), field="email") from None


def _tell_promoted(session: Session, registration: Registration, entry: ProgrammeEntry, *, public_url: str) -> None:
    assert registration.email is not None and registration.name is not None
    mail = messages.promoted(_facts(entry.data or {}), registration.language, name=registration.name)
    send_mail(
        session, to=registration.email, subject=mail.subject, text=mail.text, attachments=(_calendar(session, entry, public_url),)
    )
