"""Jobs of the publishing queue for reuse links across editions."""

from __future__ import annotations

from innovationsweek import runtime
from innovationsweek.programme import service as programme
from innovationsweek.solutions import links


def republish_linked(edition_id: int) -> int:
    """After an edition's programme opened or closed: re-render the entries of other weeks linked
    to its activities (they show its activities as built on, or building on them, or stop), one
    short transaction each. Running it twice changes nothing the second time."""
    database = runtime.current().database
    with database.unit_of_work() as session:
        activity_ids = links.republish_linked(session, edition_id)
    for activity_id in activity_ids:
        with database.unit_of_work() as session:
            programme.publish(session, activity_id)
    return len(activity_ids)
