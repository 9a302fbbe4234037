"""Jobs of the publishing queue: keeping the public programme in line with the activities."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from innovationsweek import runtime
from innovationsweek.programme import service as programme
from innovationsweek.solutions import links


def publish_activity(activity_id: int) -> int | None:
    """(Re)render one activity's programme entry; returns its change number. Running it twice
    changes nothing the second time."""
    with runtime.current().database.unit_of_work() as session:
        entry = programme.publish(session, activity_id, base_url=runtime.current().settings.public_url)
        return entry.change_number if entry else None


def republish_edition(edition_id: int) -> int:
    """After an edition changed (its name, time zone, themes): every entry again."""
    return _publish_each(programme.entries_to_republish, edition_id)


def republish_linked(edition_id: int) -> int:
    """After an edition's programme opened or closed: the entries of other weeks linked to its
    activities (they show its activities as built on, or building on them, or stop)."""
    return _publish_each(links.republish_linked, edition_id)


def _publish_each(activities_of: Callable[[Session, int], list[int]], edition_id: int) -> int:
    """Publish each activity ``activities_of`` the edition names, one short transaction each, so
    the change counter is never held for long; running it twice changes nothing the second time."""
    database, base_url = runtime.current().database, runtime.current().settings.public_url
    with database.unit_of_work() as session:
        activity_ids = activities_of(session, edition_id)
    for activity_id in activity_ids:
        with database.unit_of_work() as session:
            programme.publish(session, activity_id, base_url=base_url)
    return len(activity_ids)


def announce_hidden_changes(edition_id: int) -> int:
    """After a programme opened: partners' webhooks hear of what changed while it was hidden."""
    with runtime.current().database.unit_of_work() as session:
        return programme.announce_hidden_changes(session, edition_id)
