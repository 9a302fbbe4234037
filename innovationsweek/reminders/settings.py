"""An edition's reminder settings: which reminders go out, how many, and at what local hour.

Stored as JSON on the edition (``Edition.reminder_settings``). Whatever is missing there takes the
defaults below, so an edition made before a setting existed still has it. Each kind is on or
off; the kinds counted in days take a list of days, one reminder per entry (e.g. a draft
reminder 14 and 3 days before the deadline: ``"days_before": [14, 3]``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, dict[str, Any]] = {
    # Participants with a seat: the day before the activity, with the join link or the address.
    "participant": {"enabled": True, "days_before": [1], "hour": 9},
    # Organisers of a draft not yet submitted: before the edition's submission deadline.
    "draft_deadline": {"enabled": True, "days_before": [7], "hour": 9},
    # Organisers asked for changes (by a coordinator or the checks) who have not resubmitted.
    "changes_requested": {"enabled": True, "days_after": [3], "hour": 9},
    # Organisers of a published activity: check that everything is right.
    "pre_event": {"enabled": True, "days_before": [7], "hour": 9},
    # Organisers after the activity: report attendance and link slides and recordings.
    "post_event": {"enabled": True, "days_after": [1], "hour": 9},
    # Coordinators: what waits in the review queue, once a day while something waits.
    "coordinator_digest": {"enabled": True, "hour": 8},
}


def effective(stored: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The settings in force: ``stored`` over the defaults (unknown keys are ignored)."""
    result = copy.deepcopy(DEFAULTS)
    for kind, values in (stored or {}).items():
        if kind in result and isinstance(values, Mapping):
            result[kind].update({key: value for key, value in values.items() if key in result[kind]})
    return result


def merged(stored: Mapping[str, Any] | None, changes: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The settings after a partial change: each kind's given values replace the current ones."""
    result = effective(stored)
    for kind, values in changes.items():
        result[kind].update(values)
    return result
