"""Who may see an activity as its organisers do (the working copy, its revisions, its
participants): the host organisation's members and those of co-organisers that accepted, the edition's
coordinators and administrators.

To anyone else such an activity answers exactly like one that does not exist (404): a 403
would confirm that a draft with that id exists and is someone else's. Callers who may see
the activity but not do what they ask (a coordinator editing it, a co-organiser exporting its
participants) get a 403 from the service that holds that rule.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek.accounts.models import User
from innovationsweek.activities.models import Activity, CoOrganiser, CoOrganiserStatus
from innovationsweek.actors import Actor
from innovationsweek.editions.service import is_coordinator
from innovationsweek.errors import NotFound
from innovationsweek.organisations.models import Membership


def visible_activity(session: Session, actor: Actor, activity_id: int) -> Activity:
    """The activity, if ``actor`` may see it; otherwise :class:`NotFound`, as for no activity."""
    user = actor.require_user()
    activity = session.get(Activity, activity_id)
    if activity is None or not may_see(session, actor, user, activity):
        raise NotFound(_l("No activity %(id)s.", id=activity_id))
    return activity


def may_see(session: Session, actor: Actor, user: User, activity: Activity) -> bool:
    """Admins, the edition's coordinators, and members of the host or of a co-organiser that
    accepted. Members of an organisation that was only invited see nothing of it."""
    if actor.is_admin or is_coordinator(actor, activity.edition) or is_member(session, user, activity.organisation_id):
        return True
    co_hosts = sa.select(CoOrganiser.organisation_id).where(
        CoOrganiser.activity_id == activity.id, CoOrganiser.status == CoOrganiserStatus.ACCEPTED
    )
    member_of_co_host = sa.select(Membership.user_id).where(
        Membership.user_id == user.id, Membership.organisation_id.in_(co_hosts)
    )
    return session.scalar(sa.select(sa.exists(member_of_co_host))) or False


def is_member(session: Session, user: User, organisation_id: int) -> bool:
    return session.get(Membership, (organisation_id, user.id)) is not None
