"""Reminders: planned from the activities, registrations and review queue; sent once each.

Planning computes the reminders an activity should have now and reconciles its rows with that:
new ones are added, unsent ones move to their new due time, and those that no longer apply are
cancelled ("unplanned"); sent ones are never touched. It runs in the transaction of every
change of an activity (:func:`replan_activity`, called by the activity's transitions), and every
five minutes for what no transition announces (:func:`activities_to_plan`): a new draft, a new or
promoted registration, changed reminder settings or submission deadline of the edition.

Due times are local: "the day before at 09:00" is 09:00 on the previous calendar day in the
edition's time zone, whatever the offset was a day later (daylight-saving changes).

Sending (:func:`send_reminder`) claims the row with a conditional UPDATE (``sent_at IS NULL``):
the claim, the reminder's emails (written through the outbox) and ``sent_at`` commit together,
so a job running twice, or two at once, sends once. Each reminder is checked again when it is
sent, against what holds then; one that no longer applies is cancelled with the reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from innovationsweek.accounts.models import User
from innovationsweek.accounts.service import in_their_languages, mail_language, organisation_members
from innovationsweek.activities.models import Activity, ActivityStatus, Finding, Revision, RevisionState, Severity
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition, EditionCoordinator, edition_language, edition_name, organisation_language
from innovationsweek.notifications.service import send_mail
from innovationsweek.programme.models import EntryState, ProgrammeEntry
from innovationsweek.registrations import messages as participant_messages
from innovationsweek.registrations.models import Registration, RegistrationStatus
from innovationsweek.reminders import messages
from innovationsweek.reminders.models import ORGANISER_KINDS, Reminder, ReminderKind, ReminderPlan
from innovationsweek.reminders.settings import effective
from innovationsweek.reports.models import ActivityReport, ReportRevision

# Editions are planned for until this long after their week (post-event report requests).
PLANNED_AFTER_WEEK = timedelta(days=60)
# Asking for a report later than this after the activity ended is noise.
REPORT_REQUEST_EXPIRES = timedelta(days=30)
# Change requests the organiser can no longer answer after this.
NO_LONGER_ANSWERABLE = frozenset({ActivityStatus.WITHDRAWN, ActivityStatus.REJECTED, ActivityStatus.CANCELLED})

# Why a reminder was not sent.
UNPLANNED = "unplanned"
EXPIRED = "expired"
DISABLED = "disabled"
NO_RECIPIENTS = "no_recipients"
REGISTRATION_CANCELLED = "registration_cancelled"
ERASED = "erased"
REGISTERED_AFTER_DUE = "registered_after_due"
NOT_PUBLISHED = "activity_not_published"
SUBMITTED = "submitted"
ANSWERED = "answered"
REPORT_SUBMITTED = "report_submitted"
NOT_A_COORDINATOR = "not_a_coordinator"
NOTHING_WAITING = "nothing_waiting"


# --- time -------------------------------------------------------------------------------------


def local_day_at(moment: datetime, zone: ZoneInfo, days: int, hour: int) -> datetime:
    """``hour`` o'clock on the calendar day ``days`` after (before, if negative) the day of
    ``moment``, both in ``zone``; in UTC."""
    day = moment.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), zone).astimezone(timezone.utc)


def _zone(edition: Edition) -> ZoneInfo:
    return ZoneInfo(edition.timezone)


# --- planning ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    subject: str
    kind: ReminderKind
    due_at: datetime
    edition_id: int
    # After this the reminder is pointless (the activity started, the deadline passed).
    expires_at: datetime | None = None
    activity_id: int | None = None
    registration_id: int | None = None
    user_id: int | None = None


def replan_activity(session: Session, activity: Activity, *, now: datetime | None = None) -> None:
    """Bring the reminders about ``activity`` (its organisers' and its participants') in line
    with what it is now. Call it after every change of the activity, in the same transaction.

    It does not flush the activity (an edit's content is applied after its transition): the
    reminders depend only on the status, the approved revision and the latest revision, which
    are settled by then.
    """
    now = now or utcnow()
    with session.no_autoflush:
        existing = _lock_reminders_of(session, activity.id)
        planned = [p for p in planned_for(session, activity) if p.expires_at is None or p.expires_at > now]
        _reconcile(session, existing, planned, now)


def planned_for(session: Session, activity: Activity) -> list[Planned]:
    """Every reminder ``activity`` should have, by the edition's settings (expired ones too)."""
    edition = activity.edition
    zone = _zone(edition)
    settings = effective(edition.reminder_settings)
    plans: list[Planned] = []

    def add(kind: ReminderKind, anchor: datetime, sign: int, expires_at: datetime | None, name: str, **ids: int) -> None:
        setting = settings[kind.value]
        if not setting["enabled"]:
            return
        days_key = "days_before" if sign < 0 else "days_after"
        for days in sorted(set(setting[days_key])):
            plans.append(
                Planned(
                    subject=f"{kind.value}:{name}:{days}d",
                    kind=kind,
                    due_at=local_day_at(anchor, zone, sign * days, setting["hour"]),
                    edition_id=edition.id,
                    expires_at=expires_at,
                    activity_id=activity.id,
                    **ids,
                )
            )

    status = activity.status
    if status == ActivityStatus.DRAFT:
        deadline = edition.submissions_close_at
        add(ReminderKind.DRAFT_DEADLINE, deadline, -1, deadline, f"activity-{activity.id}")
    latest = activity.latest_revision
    if latest is not None and latest.state == RevisionState.CHANGES_REQUESTED and status not in NO_LONGER_ANSWERABLE:
        asked_at = latest.decided_at or latest.checked_at or latest.submitted_at
        answerable_until = _approved_times(activity)[0] if activity.approved_revision else edition.submissions_close_at
        add(ReminderKind.CHANGES_REQUESTED, asked_at, +1, answerable_until, f"activity-{activity.id}:revision-{latest.number}")
    if status == ActivityStatus.PUBLISHED and activity.approved_revision is not None:
        starts_at, ends_at = _approved_times(activity)
        add(ReminderKind.PRE_EVENT, starts_at, -1, starts_at, f"activity-{activity.id}")
        add(ReminderKind.POST_EVENT, ends_at, +1, ends_at + REPORT_REQUEST_EXPIRES, f"activity-{activity.id}")
        for registration_id in _seated_registrations(session, activity.id):
            add(ReminderKind.PARTICIPANT, starts_at, -1, starts_at, f"registration-{registration_id}", registration_id=registration_id)
    return plans


def plan_activity(session: Session, activity_id: int, *, now: datetime | None = None) -> None:
    """The periodic planner's step for one activity: its reminders, then the note of what they
    were planned from."""
    _lock_reminders_of(session, activity_id)  # first: an activity's transition may hold them
    activity = session.get(Activity, activity_id)
    if activity is None:
        return
    replan_activity(session, activity, now=now)
    values = {"activity_version": activity.version, "edition_key": edition_key(activity.edition), "planned_at": utcnow()}
    statement = _insert(session, ReminderPlan.__table__).values(activity_id=activity_id, **values)
    session.execute(statement.on_conflict_do_update(index_elements=["activity_id"], set_=values))


def activities_to_plan(session: Session, now: datetime, *, limit: int = 500) -> list[int]:
    """Activities whose reminders must be planned (again): changed since they were last planned,
    in an edition whose settings changed since, or with a seat taken that has no reminder yet."""
    ids: set[int] = set()
    for edition in _editions_in_season(session, now):
        stale = (
            sa.select(Activity.id)
            .outerjoin(ReminderPlan, ReminderPlan.activity_id == Activity.id)
            .where(
                Activity.edition_id == edition.id,
                sa.or_(
                    ReminderPlan.activity_id.is_(None),
                    ReminderPlan.activity_version != Activity.version,
                    ReminderPlan.edition_key != edition_key(edition),
                ),
            )
            .order_by(Activity.id)
            .limit(limit)
        )
        ids.update(session.scalars(stale))
        if effective(edition.reminder_settings)["participant"]["enabled"]:
            unplanned_seats = (
                sa.select(Registration.activity_id)
                .join(ProgrammeEntry, ProgrammeEntry.activity_id == Registration.activity_id)
                .where(
                    Registration.edition_id == edition.id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                    Registration.email.is_not(None),
                    ProgrammeEntry.state == EntryState.UPDATED,
                    ProgrammeEntry.cancelled.is_(False),
                    ProgrammeEntry.starts_at > now,
                    ~sa.exists().where(Reminder.registration_id == Registration.id),
                )
                .distinct()
                .limit(limit)
            )
            ids.update(session.scalars(unplanned_seats))
    return sorted(ids)[:limit]


def edition_key(edition: Edition) -> str:
    """What an edition's reminder times depend on, as a digest: a change replans them all."""
    values = [edition.timezone, edition.submissions_close_at.isoformat(), effective(edition.reminder_settings)]
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def plan_digests(session: Session, now: datetime) -> int:
    """Today's review-queue digest for every coordinator of an edition taking submissions or
    in its week. Returns how many were added."""
    added = 0
    for edition in _editions_in_season(session, now):
        setting = effective(edition.reminder_settings)["coordinator_digest"]
        if not setting["enabled"] or not edition.submissions_open_at <= now <= edition.ends_at + timedelta(days=1):
            continue
        zone = _zone(edition)
        today = now.astimezone(zone).date()
        due_at = datetime.combine(today, time(setting["hour"]), zone).astimezone(timezone.utc)
        for coordinator in edition.coordinators:
            subject = _digest_subject(edition.id, coordinator.user_id, today)
            existing = session.scalar(sa.select(Reminder).where(Reminder.subject == subject))
            if existing is None:
                added += _insert_planned(
                    session,
                    Planned(subject, ReminderKind.COORDINATOR_DIGEST, due_at, edition.id, user_id=coordinator.user_id),
                    now,
                )
            elif existing.sent_at is None and existing.cancelled_at is None:
                existing.due_at = due_at  # the hour was changed before it went out
    session.flush()
    return added


def _digest_subject(edition_id: int, user_id: int, day: date) -> str:
    return f"{ReminderKind.COORDINATOR_DIGEST.value}:edition-{edition_id}:user-{user_id}:{day.isoformat()}"


def _editions_in_season(session: Session, now: datetime) -> list[Edition]:
    query = sa.select(Edition).where(Edition.ends_at > now - PLANNED_AFTER_WEEK).order_by(Edition.id)
    return list(session.scalars(query))


def _seated_registrations(session: Session, activity_id: int) -> list[int]:
    query = sa.select(Registration.id).where(
        Registration.activity_id == activity_id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.email.is_not(None),
    )
    return sorted(session.scalars(query))


def _approved_times(activity: Activity) -> tuple[datetime, datetime]:
    assert activity.approved_revision is not None
    content = activity.approved_revision.content
    return datetime.fromisoformat(content["starts_at"]), datetime.fromisoformat(content["ends_at"])


def _lock_reminders_of(session: Session, activity_id: int) -> list[Reminder]:
    """The activity's reminders, locked in one order (by id) by everyone who plans them, so two
    planners of one activity take turns instead of deadlocking."""
    query = sa.select(Reminder).where(Reminder.activity_id == activity_id).order_by(Reminder.id)
    if _dialect(session) == "postgresql":
        query = query.with_for_update()
    return list(session.scalars(query))


def _reconcile(session: Session, existing: list[Reminder], planned: list[Planned], now: datetime) -> None:
    rows = {reminder.subject: reminder for reminder in existing}
    for plan in sorted(planned, key=lambda p: p.subject):
        row = rows.pop(plan.subject, None)
        if row is None:
            _insert_planned(session, plan, now)
        elif row.sent_at is not None:
            continue  # sent once: a later change does not send it again
        elif row.cancelled_at is None:
            if row.due_at != plan.due_at:
                row.due_at = plan.due_at
        elif row.cancel_reason == UNPLANNED or row.due_at != plan.due_at:
            # Planned again (a draft back from review), or moved since it was found not to
            # apply (an activity moved after its start): sending checks it again anyway.
            row.due_at, row.cancelled_at, row.cancel_reason = plan.due_at, None, None
    for row in rows.values():
        if row.sent_at is None and row.cancelled_at is None:
            _cancel(row, UNPLANNED, now)


def _insert_planned(session: Session, plan: Planned, now: datetime) -> int:
    """Add a reminder unless one with its subject exists (planned at the same moment elsewhere)."""
    statement = _insert(session, Reminder.__table__).values(
        kind=plan.kind,
        subject=plan.subject,
        edition_id=plan.edition_id,
        activity_id=plan.activity_id,
        registration_id=plan.registration_id,
        user_id=plan.user_id,
        due_at=plan.due_at,
        created_at=now,
        updated_at=now,
    )
    return session.execute(statement.on_conflict_do_nothing(index_elements=["subject"])).rowcount


def _cancel(reminder: Reminder, reason: str, now: datetime) -> None:
    reminder.sent_at = None
    reminder.cancelled_at = now
    reminder.cancel_reason = reason


def cancel_reminders_of_registrations(session: Session, registration_ids: Sequence[int], *, reason: str, now: datetime) -> int:
    """Cancel, with ``reason``, every unsent reminder to these registrations' participants (they
    were erased: nothing may be sent to them, not even a reminder found void when due). A
    reminder claimed for sending at this moment is left to that sending. Returns how many."""
    if not registration_ids:
        return 0
    cancelled = session.execute(
        sa.update(Reminder)
        .where(
            Reminder.registration_id.in_(registration_ids),
            Reminder.sent_at.is_(None),
            Reminder.cancelled_at.is_(None),
        )
        .values(cancelled_at=now, cancel_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return cancelled.rowcount


def _insert(session: Session, table: sa.Table) -> Any:
    return (postgresql_insert if _dialect(session) == "postgresql" else sqlite_insert)(table)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


# --- sending ----------------------------------------------------------------------------------


def due_reminders(session: Session, now: datetime, *, limit: int = 500) -> list[int]:
    query = (
        sa.select(Reminder.id)
        .where(Reminder.sent_at.is_(None), Reminder.cancelled_at.is_(None), Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Letter:
    to: str
    message: messages.Message


def send_reminder(session: Session, reminder_id: int, now: datetime) -> bool:
    """Send one due reminder, unless it was sent or cancelled already, or no longer applies
    (then it is cancelled with the reason). Returns whether its emails were written."""
    claimed = session.execute(
        sa.update(Reminder)
        .where(
            Reminder.id == reminder_id,
            Reminder.sent_at.is_(None),
            Reminder.cancelled_at.is_(None),
            Reminder.due_at <= now,
        )
        .values(sent_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False  # sent, cancelled or not due: another run got there first
    reminder = session.get_one(Reminder, reminder_id, populate_existing=True)
    letters = _letters(session, reminder, now)
    if isinstance(letters, str):
        _cancel(reminder, letters, now)
        session.flush()
        return False
    for letter in letters:
        send_mail(session, to=letter.to, subject=letter.message.subject, text=letter.message.text)
    session.flush()
    return True


def _letters(session: Session, reminder: Reminder, now: datetime) -> list[Letter] | str:
    """The emails a reminder sends now, or why it sends none."""
    edition = session.get_one(Edition, reminder.edition_id)
    if not effective(edition.reminder_settings)[reminder.kind.value]["enabled"]:
        return DISABLED
    if reminder.kind == ReminderKind.PARTICIPANT:
        return _to_participant(session, reminder, edition, now)
    if reminder.kind in ORGANISER_KINDS:
        activity = session.get(Activity, reminder.activity_id)
        if activity is None:
            return UNPLANNED
        otherwise = organisation_language(activity.organisation.country, edition)
        message = _to_organisers(session, reminder, activity, edition, now, otherwise)
        if isinstance(message, str):
            return message
        members = organisation_members(session, activity.organisation_id)
        if not members:
            return NO_RECIPIENTS

        def written(language: str) -> messages.Message:
            # What stopped a reminder is not a matter of language: in another, it is written as well.
            other = message if language == otherwise else _to_organisers(session, reminder, activity, edition, now, language)
            assert not isinstance(other, str)
            return other

        return [Letter(member.email, mail) for member, mail in in_their_languages(members, otherwise, written)]
    return _to_coordinator(session, reminder, edition, now)


def _to_participant(session: Session, reminder: Reminder, edition: Edition, now: datetime) -> list[Letter] | str:
    registration = session.get(Registration, reminder.registration_id)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return REGISTRATION_CANCELLED
    if registration.email is None:
        return REGISTRATION_CANCELLED  # erased
    activity = registration.activity
    if activity.status != ActivityStatus.PUBLISHED or activity.approved_revision is None:
        return NOT_PUBLISHED
    if _approved_times(activity)[0] <= now:
        return EXPIRED
    seated_at = max(registration.created_at, registration.promoted_at or registration.created_at)
    if seated_at > reminder.due_at:
        return REGISTERED_AFTER_DUE  # their confirmation came after it and said the same
    language = registration.language
    facts = participant_messages.ActivityFacts.of(
        activity.approved_revision.content, zone=_zone(edition), organiser=activity.organisation.name
    )
    mail = participant_messages.reminder(
        facts, language, name=registration.name, edition=edition_name(edition, language)
    )
    return [Letter(registration.email, mail)]


def _to_organisers(
    session: Session, reminder: Reminder, activity: Activity, edition: Edition, now: datetime, language: str
) -> messages.Message | str:
    zone = _zone(edition)
    if reminder.kind == ReminderKind.DRAFT_DEADLINE:
        if activity.status != ActivityStatus.DRAFT:
            return SUBMITTED
        if now >= edition.submissions_close_at:
            return EXPIRED
        return messages.draft_deadline(
            language,
            title=activity.title,
            activity_id=activity.id,
            deadline=edition.submissions_close_at,
            edition=edition_name(edition, language),
            zone=zone,
        )
    if reminder.kind == ReminderKind.CHANGES_REQUESTED:
        latest = activity.latest_revision
        asked_about = f"{ReminderKind.CHANGES_REQUESTED.value}:activity-{activity.id}:revision-{latest.number if latest else 0}:"
        if latest is None or latest.state != RevisionState.CHANGES_REQUESTED or not reminder.subject.startswith(asked_about):
            return ANSWERED
        if activity.status in NO_LONGER_ANSWERABLE:
            return ANSWERED
        return messages.changes_requested(
            language,
            title=activity.title,
            activity_id=activity.id,
            asked_at=latest.decided_at or latest.checked_at or latest.submitted_at,
            comment=latest.decision_comment,
            findings=[finding.message for finding in latest.findings if finding.severity == Severity.BLOCK],
            zone=zone,
        )
    if activity.status != ActivityStatus.PUBLISHED or activity.approved_revision is None:
        return NOT_PUBLISHED
    starts_at, ends_at = _approved_times(activity)
    if reminder.kind == ReminderKind.PRE_EVENT:
        if starts_at <= now:
            return EXPIRED
        return messages.pre_event(
            language,
            content=activity.approved_revision.content,
            activity_id=activity.id,
            organiser=activity.organisation.name,
            seats=_seats(session, activity),
            zone=zone,
        )
    if session.get(ActivityReport, activity.id) is not None:
        return REPORT_SUBMITTED
    if now > ends_at + REPORT_REQUEST_EXPIRES:
        return EXPIRED
    return messages.post_event(language, title=activity.approved_revision.content["title"], activity_id=activity.id)


def _to_coordinator(session: Session, reminder: Reminder, edition: Edition, now: datetime) -> list[Letter] | str:
    user = session.get(User, reminder.user_id)
    if user is None or session.get(EditionCoordinator, (edition.id, user.id)) is None:
        return NOT_A_COORDINATOR
    zone = _zone(edition)
    if reminder.due_at.astimezone(zone).date() != now.astimezone(zone).date():
        return EXPIRED  # yesterday's digest is stale; today's has its own row
    queue = review_queue_summary(session, edition.id)
    if queue.waiting == 0 and queue.reports_waiting == 0:
        return NOTHING_WAITING
    language = mail_language(user, edition_language(edition))
    message = messages.coordinator_digest(
        language,
        edition=edition_name(edition, language),
        waiting=queue.waiting,
        oldest_title=queue.oldest_title,
        oldest_submitted_at=queue.oldest_submitted_at,
        now=now,
        by_finding=queue.by_finding,
        without_findings=queue.without_findings,
        checking=queue.checking,
        reports_waiting=queue.reports_waiting,
        zone=zone,
    )
    return [Letter(user.email, message)]


@dataclass(frozen=True)
class QueueSummary:
    waiting: int
    oldest_title: str | None
    oldest_submitted_at: datetime | None
    by_finding: dict[str, int]
    without_findings: int
    checking: int
    reports_waiting: int  # report material in review


def review_queue_summary(session: Session, edition_id: int) -> QueueSummary:
    """What waits for the edition's coordinators: revisions in review, the oldest, how many
    carry each finding code, and the report material in review."""
    in_edition = sa.and_(Revision.activity_id == Activity.id, Activity.edition_id == edition_id)

    def in_state(state: RevisionState) -> sa.Select[Any]:
        return sa.select(Revision.id).join(Activity, in_edition).where(Revision.state == state)

    waiting = session.scalar(sa.select(sa.func.count()).select_from(in_state(RevisionState.IN_REVIEW).subquery())) or 0
    checking = session.scalar(sa.select(sa.func.count()).select_from(in_state(RevisionState.CHECKING).subquery())) or 0
    oldest = session.execute(
        sa.select(Activity.title, Revision.submitted_at)
        .join(Activity, in_edition)
        .where(Revision.state == RevisionState.IN_REVIEW)
        .order_by(Revision.submitted_at, Revision.id)
        .limit(1)
    ).first()
    by_finding = session.execute(
        sa.select(Finding.code, sa.func.count(sa.distinct(Finding.revision_id)))
        .where(Finding.revision_id.in_(in_state(RevisionState.IN_REVIEW)))
        .group_by(Finding.code)
    ).all()
    with_findings = session.scalar(
        sa.select(sa.func.count(sa.distinct(Finding.revision_id))).where(Finding.revision_id.in_(in_state(RevisionState.IN_REVIEW)))
    ) or 0
    reports_waiting = session.scalar(
        sa.select(sa.func.count(ReportRevision.id))
        .join(Activity, sa.and_(ReportRevision.activity_id == Activity.id, Activity.edition_id == edition_id))
        .where(ReportRevision.state == RevisionState.IN_REVIEW)
    ) or 0
    return QueueSummary(
        waiting=waiting,
        oldest_title=oldest.title if oldest else None,
        oldest_submitted_at=oldest.submitted_at if oldest else None,
        by_finding={code: count for code, count in by_finding},
        without_findings=waiting - with_findings,
        checking=checking,
        reports_waiting=reports_waiting,
    )


def _seats(session: Session, activity: Activity) -> messages.Seats | None:
    """The seats taken and the waitlist, where participants register here."""
    if activity.approved_revision is None:
        return None
    registration = activity.approved_revision.content.get("registration") or {}
    if registration.get("mode") != "internal":
        return None
    counts = dict(
        session.execute(
            sa.select(Registration.status, sa.func.count())
            .where(Registration.activity_id == activity.id)
            .group_by(Registration.status)
        ).all()
    )
    return messages.Seats(
        taken=counts.get(RegistrationStatus.CONFIRMED, 0),
        capacity=registration["capacity"],
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
    )
