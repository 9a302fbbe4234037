"""Activities: drafting, editing, submitting, withdrawing and cancelling (the organiser's side).

Every change goes through :func:`transition`, which applies the lifecycle's tables, writes the
audit entry, and so is the one place where an activity's status changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nh3
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, joinedload, selectinload

from innovationsweek import audit, outbox, outbound
from innovationsweek.accounts.service import in_their_languages, organisation_members
from innovationsweek.activities.access import is_member, visible_activity
from innovationsweek.activities.lifecycle import Event, next_revision_state, next_status
from innovationsweek.activities.models import (
    CONTACT_PARTS,
    VENUE_PARTS,
    Activity,
    ActivityStatus,
    CoOrganiser,
    CoOrganiserStatus,
    RegistrationMode,
    Revision,
    RevisionState,
    related_activities,
)
from innovationsweek.actors import Actor
from innovationsweek.db import utcnow
from innovationsweek.editions.models import Edition, edition_name, organisation_language
from innovationsweek.editions.service import get_edition, is_coordinator, require_coordinator
from innovationsweek.errors import Conflict, Forbidden, Invalid, Message, NotFound, PreconditionFailed, any_of, non_blank
from innovationsweek.moderation.checks import unreviewed_text_problems
from innovationsweek.notifications.service import send_mail
from innovationsweek.organisations.models import MemberRole, Membership, Organisation
from innovationsweek.paging import Page, keyset_page
from innovationsweek.reminders import service as reminders
from innovationsweek.solutions import links as reuse
from innovationsweek.registrations import service as registrations
from innovationsweek.translations import translations

# Formatting a description may use; everything else (scripts, styles, iframes, event handlers)
# is removed before storage.
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}

# On save a link is judged on its face (scheme, credentials, a literal private address); the
# checks resolve its name later, under the deployment's own rules.
LINKS_ON_SAVE = outbound.OutboundSettings(allowed_ports=None)

# Events after which the public programme may show something else.
PUBLIC_EVENTS = frozenset({Event.APPROVE, Event.FAST_LANE, Event.CANCEL, Event.WITHDRAW})

CONTENT_FIELDS = frozenset(
    {
        "title",
        "summary",
        "description",
        "format",
        "attendance_mode",
        "starts_at",
        "ends_at",
        "venue",
        "online_url",
        "languages",
        "audiences",
        "themes",
        "topics",
        "contact",
        "registration",
        "photo_notice",
        "co_organiser_ids",
        "related_activity_ids",
        "reuses",
    }
)


def create_activity(session: Session, actor: Actor, slug: str, fields: Mapping[str, Any]) -> Activity:
    user = actor.require_user()
    edition = get_edition(session, slug)
    organisation = session.get(Organisation, fields["organisation_id"])
    if organisation is None:
        raise Invalid(_l("No organisation %(id)s.", id=fields["organisation_id"]), field="organisation_id")
    if not (actor.is_admin or is_member(session, user, organisation.id)):
        raise Forbidden(_l("You can only create activities for organisations you are a member of."))
    activity = Activity(edition=edition, organisation=organisation, created_by_id=user.id, status=ActivityStatus.DRAFT)
    session.add(activity)
    _apply_content(session, activity, {k: v for k, v in fields.items() if k != "organisation_id"})
    session.flush()
    audit.record(session, actor, "created", edition_id=edition.id, activity_id=activity.id, title=activity.title)
    _follow_up_co_organisers(session, actor, activity, before={})
    return activity


def get_activity(session: Session, actor: Actor, activity_id: int) -> Activity:
    """The activity as its organisers and the edition's coordinators see it (404 to others)."""
    return visible_activity(session, actor, activity_id)


def update_activity(
    session: Session, actor: Actor, activity_id: int, changes: Mapping[str, Any], *, expected_version: int
) -> Activity:
    activity = _for_organiser(session, actor, activity_id, expected_version)
    # Read before anything changes: loading them autoflushes, and each flush of a changed activity
    # is a version of its own (an edit must move the ETag by one, as If-Match expects).
    named_before = {link.organisation_id: link.status for link in activity.co_organisers}
    transition(session, actor, activity, Event.EDIT, fields=sorted(changes))
    _apply_content(session, activity, changes)
    session.flush()
    _follow_up_co_organisers(session, actor, activity, before=named_before)
    return activity


def delete_draft(session: Session, actor: Actor, activity_id: int, *, expected_version: int | None) -> None:
    activity = _for_organiser(session, actor, activity_id, expected_version)
    if activity.status != ActivityStatus.DRAFT or activity.revisions:
        raise Conflict(_l("Only drafts that were never submitted can be deleted; withdraw it instead."), allowed=["withdraw"])
    audit.record(session, actor, "deleted", edition_id=activity.edition_id, activity_id=None, title=activity.title)
    session.delete(activity)
    session.flush()


def submit(session: Session, actor: Actor, activity_id: int, *, expected_version: int | None = None) -> Activity:
    """Freeze the working copy as a revision and have the automated checks look at it."""
    activity = _for_organiser(session, actor, activity_id, expected_version)
    _ensure_submissions_open(actor, activity)
    pending = _pending_revision(activity)
    if pending is not None:
        raise Conflict(_l("This version is already being checked or reviewed."), allowed=["edit", "withdraw"])
    content = content_of(activity)
    if activity.approved_revision is not None and activity.approved_revision.content == content:
        raise Conflict(_l("Nothing has changed since the approved version; edit the activity first."), allowed=["edit"])
    revision = Revision(
        activity=activity,
        number=len(activity.revisions) + 1,
        state=RevisionState.CHECKING,
        content=content,
        submitted_by_id=actor.require_user().id,
    )
    session.add(revision)
    transition(session, actor, activity, Event.SUBMIT, revision=revision.number)
    session.flush()
    outbox.schedule(session, "check_revision", revision.id)
    return activity


def withdraw(session: Session, actor: Actor, activity_id: int, *, expected_version: int | None = None) -> Activity:
    activity = _for_organiser(session, actor, activity_id, expected_version)
    transition(session, actor, activity, Event.WITHDRAW)
    session.flush()
    registrations.tell_registrants_it_is_off(session, activity)  # a published one had some
    return activity


def cancel(
    session: Session, actor: Actor, activity_id: int, *, reason: str, expected_version: int | None = None
) -> Activity:
    activity = _for_organiser(session, actor, activity_id, expected_version)
    reason = _public_at_once(non_blank(reason, "reason"), "reason")
    transition(session, actor, activity, Event.CANCEL, reason=reason)
    activity.cancellation_reason = reason
    session.flush()
    registrations.tell_registrants_it_is_off(session, activity)
    return activity


def _public_at_once(text: str, field: str) -> str:
    """``text`` if it may be shown before any coordinator has seen it (people must learn of a
    cancellation at once); otherwise a 422 on ``field``, so that no unreviewed link or spam
    reaches the programme this way."""
    problems = unreviewed_text_problems(text)
    if problems:
        raise Invalid(
            _l(
                "This text is public at once, before any coordinator sees it, so it may not contain %(problems)s. "
                "Links belong in the activity itself, whose changes are reviewed.",
                problems=any_of(problems),
            ),
            field=field,
        )
    return text


def transition(session: Session, actor: Actor | None, activity: Activity, event: Event, **detail: Any) -> None:
    """Move the activity (and its revision awaiting a decision, if the event concerns it) and
    record who did it. Raises :class:`IllegalTransition` (409) naming the allowed events."""
    new_status = next_status(activity.status, event)
    pending = _pending_revision(activity)
    if pending is not None and event in (Event.EDIT, Event.WITHDRAW):
        pending.state = next_revision_state(pending.state, event)
    audit.record(
        session,
        actor,
        event.value,
        edition_id=activity.edition_id,
        activity_id=activity.id,
        status_from=activity.status.value,
        status_to=new_status.value,
        **detail,
    )
    activity.status = new_status
    activity.updated_at = utcnow()  # a new version even when only related rows change
    if event in PUBLIC_EVENTS:
        schedule_publication(session, activity)
    reminders.replan_activity(session, activity)


def schedule_publication(session: Session, activity: Activity) -> None:
    """Have the publish job bring the activity's programme entry up to date."""
    if activity.approved_revision is not None:
        outbox.schedule(session, "publish_activity", activity.id)


def list_activities(
    session: Session,
    actor: Actor,
    slug: str,
    *,
    organisation_id: int | None = None,
    status: ActivityStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Activity]:
    """The activities of the caller's organisations in an edition (all of them for admins)."""
    user = actor.require_user()
    edition = get_edition(session, slug)
    query = (
        sa.select(Activity)
        .where(Activity.edition_id == edition.id)
        .options(
            selectinload(Activity.revisions).selectinload(Revision.findings),
            selectinload(Activity.co_organisers).joinedload(CoOrganiser.organisation),
            selectinload(Activity._related_after),
            selectinload(Activity._related_before),
            joinedload(Activity.organisation),
            joinedload(Activity.approved_revision),
        )
    )
    if not actor.is_admin:
        mine = sa.select(Membership.organisation_id).where(Membership.user_id == user.id)
        query = query.where(Activity.organisation_id.in_(mine))
    if organisation_id is not None:
        query = query.where(Activity.organisation_id == organisation_id)
    if status is not None:
        query = query.where(Activity.status == status)
    return keyset_page(
        session,
        query,
        order_by=(Activity.starts_at, Activity.id),
        key=lambda a: (a.starts_at, a.id),
        cursor=cursor,
        limit=limit,
    )


def activities_of_my_organisations(session: Session, actor: Actor) -> list[Activity]:
    """Every activity hosted by the caller's organisations, in every edition: the latest week
    first, each week's in the order they take place."""
    return _in_programme_order(session, Activity.organisation_id.in_(_my_organisations(actor)))


def activities_co_organised(session: Session, actor: Actor) -> list[Activity]:
    """Every activity the caller's organisations accepted to co-organise (and do not host), in
    every edition, in the same order."""
    mine = _my_organisations(actor)
    accepted = sa.select(CoOrganiser.activity_id).where(
        CoOrganiser.organisation_id.in_(mine), CoOrganiser.status == CoOrganiserStatus.ACCEPTED
    )
    return _in_programme_order(session, sa.and_(Activity.id.in_(accepted), Activity.organisation_id.not_in(mine)))


def titles_in_edition(session: Session, actor: Actor, edition: Edition, ids: Iterable[int]) -> dict[int, str]:
    """The titles of the edition's activities among ``ids``, for its coordinators (who see every
    one of them, drafts too); an id of another edition is left out."""
    require_coordinator(actor, edition)
    wanted = set(ids)
    if not wanted:
        return {}
    found = sa.select(Activity.id, Activity.title).where(Activity.id.in_(wanted), Activity.edition_id == edition.id)
    return {activity_id: title for activity_id, title in session.execute(found)}


def _my_organisations(actor: Actor) -> sa.Select[tuple[int]]:
    return sa.select(Membership.organisation_id).where(Membership.user_id == actor.require_user().id)


def _in_programme_order(session: Session, condition: sa.ColumnElement[bool]) -> list[Activity]:
    query = (
        sa.select(Activity)
        .join(Activity.edition)
        .where(condition)
        .options(joinedload(Activity.edition), joinedload(Activity.organisation))
        .order_by(Edition.starts_at.desc(), Activity.starts_at, Activity.id)
    )
    return list(session.scalars(query))


def content_of(activity: Activity) -> dict[str, Any]:
    """The working copy as plain JSON values: what a revision freezes and moderation judges."""
    return {
        "title": activity.title,
        "summary": activity.summary,
        "description": activity.description,
        "description_was_sanitised": activity.description_was_sanitised,
        "format": activity.format.value,
        "attendance_mode": activity.attendance_mode.value,
        "starts_at": activity.starts_at.isoformat(),
        "ends_at": activity.ends_at.isoformat(),
        "venue": activity.venue,
        "online_url": activity.online_url,
        "languages": list(activity.languages),
        "audiences": list(activity.audiences),
        "themes": list(activity.themes),
        "topics": list(activity.topics),
        "contact": activity.contact,
        "registration": {**activity.registration, "mode": activity.registration_mode.value},
        "photo_notice": activity.photo_notice,
        "organisation_id": activity.organisation_id,
        "co_organiser_ids": sorted(activity.co_organiser_ids),
        "related_activity_ids": activity.related_activity_ids,
        "reuses": list(activity.reuses or []),
    }


def _apply_content(session: Session, activity: Activity, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - CONTENT_FIELDS
    if unknown:
        raise ValueError(f"not activity fields: {sorted(unknown)}")
    with session.no_autoflush:  # the rules below speak before the database's constraints do
        for name, value in fields.items():
            if name not in ("related_activity_ids", "reuses"):
                _SETTERS.get(name, _set_plain)(session, activity, name, value)
        _check_times(activity)
        _check_registration(activity)
        _check_themes(activity.edition, activity.themes)
        if "reuses" in fields:  # after the times: what it builds on must start before it
            activity.reuses = reuse.check_reuses(session, activity, fields["reuses"])
    if "related_activity_ids" in fields:  # last: linking needs the activity in the database
        _set_related(session, activity, fields["related_activity_ids"])


def _set_plain(_session: Session, activity: Activity, name: str, value: Any) -> None:
    if name == "title":
        value = non_blank(value, "title")
    if name == "online_url" and value:
        _check_public_url(value, "online_url")
    setattr(activity, name, value)


def sanitised_html(value: str) -> str:
    """``value`` with only the formatting in ALLOWED_TAGS left (descriptions, report texts)."""
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})


def _set_description(_session: Session, activity: Activity, _name: str, value: str) -> None:
    cleaned = sanitised_html(value)
    activity.description = cleaned
    activity.description_was_sanitised = cleaned != value


def _set_venue(_session: Session, activity: Activity, _name: str, venue: Mapping[str, Any] | None) -> None:
    for column in VENUE_PARTS:
        setattr(activity, f"venue_{column}", (venue or {}).get(column))


def _set_contact(_session: Session, activity: Activity, _name: str, contact: Mapping[str, Any] | None) -> None:
    contact = contact or {}
    for column in CONTACT_PARTS:
        setattr(activity, f"contact_{column}", contact.get(column))
    activity.contact_email_public = bool(contact.get("email_public", False))


def _set_registration(_session: Session, activity: Activity, _name: str, registration: Mapping[str, Any]) -> None:
    activity.registration_mode = registration["mode"]
    activity.registration_capacity = registration.get("capacity")
    activity.registration_url = registration.get("url")
    if activity.registration_url:
        _check_public_url(activity.registration_url, "registration.url")


def _set_co_organisers(session: Session, activity: Activity, _name: str, ids: list[int]) -> None:
    """Name the co-organisers. A newly named one is only invited (its owners answer); one
    named before keeps its answer; one left out is removed, which needs nobody's consent."""
    organisations = list(
        session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids), Organisation.deleted_at.is_(None)))
    )
    missing = set(ids) - {organisation.id for organisation in organisations}
    if missing:
        raise Invalid(_l("No organisation(s) %(ids)s.", ids=", ".join(map(str, sorted(missing)))), field="co_organiser_ids")
    if activity.organisation_id in ids or activity.organisation in organisations:
        raise Invalid(_l("The host organisation is not its own co-organiser."), field="co_organiser_ids")
    named = {link.organisation_id: link for link in activity.co_organisers}
    activity.co_organisers = [
        named.get(organisation.id) or CoOrganiser(organisation=organisation, status=CoOrganiserStatus.PENDING)
        for organisation in organisations
    ]


def _set_related(session: Session, activity: Activity, ids: list[int]) -> None:
    session.flush()  # a new activity needs its id before it can be linked
    others = list(session.scalars(sa.select(Activity).where(Activity.id.in_(ids))))
    if {other.id for other in others} != set(ids) or any(o.edition_id != activity.edition_id for o in others):
        raise Invalid(_l("Related activities must exist in the same edition."), field="related_activity_ids")
    if activity.id in ids:
        raise Invalid(_l("An activity is not related to itself."), field="related_activity_ids")
    session.execute(
        sa.delete(related_activities).where(
            sa.or_(related_activities.c.activity_id == activity.id, related_activities.c.related_id == activity.id)
        )
    )
    if ids:
        pairs = [{"activity_id": min(activity.id, i), "related_id": max(activity.id, i)} for i in set(ids)]
        session.execute(sa.insert(related_activities), pairs)
    session.expire(activity, ["_related_after", "_related_before"])


_SETTERS = {
    "description": _set_description,
    "venue": _set_venue,
    "contact": _set_contact,
    "registration": _set_registration,
    "co_organiser_ids": _set_co_organisers,
}


def _check_public_url(url: str, field: str) -> None:
    try:
        outbound.validate_url(url, LINKS_ON_SAVE)
    except outbound.OutboundError as error:
        raise Invalid(_l("This link cannot be used: %(reason)s", reason=outbound.refusal_reason(error)), field=field) from None


def _check_times(activity: Activity) -> None:
    if activity.ends_at <= activity.starts_at:
        raise Invalid(_l("The activity must end after it starts."), field="ends_at")


def _check_registration(activity: Activity) -> None:
    mode = activity.registration_mode
    if mode == RegistrationMode.EXTERNAL and not activity.registration_url:
        raise Invalid(_l("External registration needs the URL where people register."), field="registration.url")
    if mode == RegistrationMode.INTERNAL and not activity.registration_capacity:
        raise Invalid(_l("Registration here needs a capacity (the number of seats)."), field="registration.capacity")
    if mode != RegistrationMode.EXTERNAL and activity.registration_url:
        raise Invalid(_l("A registration URL is only for external registration."), field="registration.url")
    if mode != RegistrationMode.INTERNAL and activity.registration_capacity:
        raise Invalid(_l("A capacity is only for registration here (mode internal)."), field="registration.capacity")


def _check_themes(edition: Edition, themes: list[str]) -> None:
    offered = {theme["key"] for theme in edition.themes or []}
    unknown = sorted(set(themes) - offered)
    if unknown:
        raise Invalid(
            _l("Not a theme of this edition: %(unknown)s; offered: %(offered)s.", unknown=", ".join(unknown), offered=", ".join(sorted(offered))),
            field="themes",
        )


def _ensure_submissions_open(actor: Actor, activity: Activity) -> None:
    edition = activity.edition
    if actor.is_admin or is_coordinator(actor, edition) or activity.approved_revision is not None:
        return  # coordinators add national webcasts late; published activities may still be corrected
    now = utcnow()
    if now < edition.submissions_open_at:
        raise Conflict(_l("Submissions open at %(time)s.", time=_local(edition, edition.submissions_open_at)))
    if now > edition.submissions_close_at:
        raise Conflict(_l("Submissions closed at %(time)s.", time=_local(edition, edition.submissions_close_at)))


def _local(edition: Edition, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(edition.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _pending_revision(activity: Activity) -> Revision | None:
    latest = activity.latest_revision
    return latest if latest is not None and latest.state in (RevisionState.CHECKING, RevisionState.IN_REVIEW) else None


def may_change(session: Session, actor: Actor, activity: Activity) -> bool:
    """Whether ``actor`` may change the activity (an administrator or a member of its host), of
    those who may see it: not its co-organisers, nor the edition's coordinators."""
    return actor.is_admin or is_member(session, actor.require_user(), activity.organisation_id)


def _for_organiser(session: Session, actor: Actor, activity_id: int, expected_version: int | None) -> Activity:
    activity = get_activity(session, actor, activity_id)
    if not may_change(session, actor, activity):
        raise Forbidden(_l("Only members of the host organisation may change this activity."))
    check_version(activity, expected_version)
    return activity


def check_version(activity: Activity, expected_version: int | None) -> None:
    """Refuse a change made to an older version than the current one (a lost update)."""
    if expected_version is not None and expected_version != activity.version:
        raise PreconditionFailed(
            _l("Someone changed this activity since you loaded it; load it again and redo your change."),
            current_version=activity.version,
        )


# --- co-organisers: invited by the host, answered by the invited organisation's owners ------


def co_organiser_invitations(session: Session, actor: Actor, organisation_id: int) -> list[CoOrganiser]:
    """What the organisation was named co-organiser of, newest first, with its answers."""
    organisation = _invited_organisation(session, actor, organisation_id)
    query = (
        sa.select(CoOrganiser)
        .where(CoOrganiser.organisation_id == organisation.id)
        .options(joinedload(CoOrganiser.activity).joinedload(Activity.organisation))
        .order_by(CoOrganiser.invited_at.desc(), CoOrganiser.activity_id.desc())
    )
    return list(session.scalars(query))


def answer_co_organiser_invitation(
    session: Session, actor: Actor, activity_id: int, organisation_id: int, *, accept: bool
) -> CoOrganiser:
    """Accept or decline, once; an organisation that accepted may still decline later, to leave.
    Only while accepted does the organisation show in the programme (where the approved version
    names it) and do its members get to see the activity."""
    organisation = _invited_organisation(session, actor, organisation_id)
    link = session.get(CoOrganiser, (activity_id, organisation.id), with_for_update=True)  # two owners at once: one answer
    if link is None:
        raise NotFound(
            _l("%(organisation)s is not invited to co-organise activity %(id)s.", organisation=organisation.name, id=activity_id),
            parameter="activity_id",
        )
    if link.status == CoOrganiserStatus.DECLINED or (accept and link.status == CoOrganiserStatus.ACCEPTED):
        raise Conflict(_already_answered(organisation, link.status), answer=link.status.value)
    was_shown = link.status == CoOrganiserStatus.ACCEPTED
    link.status = CoOrganiserStatus.ACCEPTED if accept else CoOrganiserStatus.DECLINED
    link.answered_at = utcnow()
    activity = link.activity  # its version stays: an answer never clashes with the host's edits
    audit.record(
        session,
        actor,
        f"co_organiser_{link.status.value}",
        edition_id=activity.edition_id,
        activity_id=activity.id,
        organisation_id=organisation.id,
    )
    if accept or was_shown:
        schedule_publication(session, activity)
    session.flush()
    return link


def activities_showing(session: Session, organisation_id: int) -> list[Activity]:
    """Activities whose public entry shows the organisation (as host or accepted co-organiser)."""
    accepted = sa.select(CoOrganiser.activity_id).where(
        CoOrganiser.organisation_id == organisation_id, CoOrganiser.status == CoOrganiserStatus.ACCEPTED
    )
    query = sa.select(Activity).where(
        Activity.approved_revision_id.is_not(None),
        sa.or_(Activity.organisation_id == organisation_id, Activity.id.in_(accepted)),
    )
    return list(session.scalars(query.order_by(Activity.id)))


def _already_answered(organisation: Organisation, answer: CoOrganiserStatus) -> Message:
    if answer == CoOrganiserStatus.ACCEPTED:
        return _l("%(organisation)s already accepted this invitation.", organisation=organisation.name)
    return _l("%(organisation)s already declined this invitation.", organisation=organisation.name)


def _invited_organisation(session: Session, actor: Actor, organisation_id: int) -> Organisation:
    """The organisation, if the caller is one of its owners: its consent is for them to give
    (administrators included only as owners)."""
    user = actor.require_user()
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.deleted_at is not None:
        raise NotFound(_l("No organisation %(id)s.", id=organisation_id), parameter="organisation_id")
    membership = session.get(Membership, (organisation.id, user.id))
    if membership is None or membership.role != MemberRole.OWNER:
        raise Forbidden(_l("Only owners of %(organisation)s may answer its invitations to co-organise.", organisation=organisation.name))
    return organisation


def _follow_up_co_organisers(
    session: Session, actor: Actor, activity: Activity, *, before: Mapping[int, CoOrganiserStatus]
) -> None:
    """After the co-organisers were named: invite the new ones, record the removed ones, and
    take a removed accepted one out of the programme."""
    now_named = {link.organisation_id: link for link in activity.co_organisers}
    for organisation_id in sorted(set(now_named) - set(before)):
        _invite(session, actor, activity, now_named[organisation_id].organisation)
    removed = sorted(set(before) - set(now_named))
    for organisation_id in removed:
        audit.record(
            session, actor, "co_organiser_removed", edition_id=activity.edition_id, activity_id=activity.id, organisation_id=organisation_id
        )
    if any(before[organisation_id] == CoOrganiserStatus.ACCEPTED for organisation_id in removed):
        schedule_publication(session, activity)


# Removing and naming an organisation again asks it anew, but mails its owners at most once in
# this time: a host must not be able to fill another organisation's inboxes.
INVITATION_MAIL_INTERVAL = timedelta(days=7)


def _invite(session: Session, actor: Actor, activity: Activity, organisation: Organisation) -> None:
    mailed_lately = _invited_since(session, activity.id, organisation.id, utcnow() - INVITATION_MAIL_INTERVAL)
    audit.record(
        session, actor, "co_organiser_invited", edition_id=activity.edition_id, activity_id=activity.id, organisation_id=organisation.id
    )
    if mailed_lately:
        return
    owners = organisation_members(session, organisation.id, role=MemberRole.OWNER)
    otherwise = organisation_language(organisation.country, activity.edition)
    for owner, (subject, text) in in_their_languages(owners, otherwise, lambda language: invitation_mail(activity, organisation, language)):
        send_mail(session, to=owner.email, subject=subject, text=text)


def invitation_mail(activity: Activity, organisation: Organisation, language: str) -> tuple[str, str]:
    """The mail to the owners of ``organisation``, in ``language``: who named them co-organiser
    of what, and where they answer."""
    _ = translations(language).gettext
    values = {
        "host": activity.organisation.name,
        "organisation": organisation.name,
        "title": activity.title,
        "edition": edition_name(activity.edition, language),
    }
    lines = [
        _("%(host)s has named %(organisation)s as co-organiser of \u201c%(title)s\u201d in %(edition)s.") % values,
        _("%(organisation)s is not shown as co-organiser, and does not see the activity, until one of its owners accepts.") % values,
        "",
        _("Accept or decline on the organiser pages, under \u201cMy organisations\u201d, or through the API:"),
        f"POST /api/v1/activities/{activity.id}/co-organisers/{organisation.id}/accept (.../decline)",
    ]
    return _("Invitation to co-organise \u201c%(title)s\u201d") % values, "\n".join(lines)


def _invited_since(session: Session, activity_id: int, organisation_id: int, since: datetime) -> bool:
    invitations = sa.select(audit.AuditEntry.id).where(
        audit.AuditEntry.action == "co_organiser_invited",
        audit.AuditEntry.activity_id == activity_id,
        audit.AuditEntry.organisation_id == organisation_id,
        audit.AuditEntry.at >= since,
    )
    return bool(session.scalar(sa.select(sa.exists(invitations))))
