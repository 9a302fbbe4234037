"""An edition's reminder settings, as the edition resource reads and writes them
(``reminder_settings`` of ``GET|PATCH /api/v1/editions/{slug}``)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from innovationsweek.api.library_messages import N_
from innovationsweek.api.schemas import StrictBoolean, StrictInteger
from innovationsweek.reminders.settings import effective


def _unique(days: list[int]) -> bool:
    if len(days) != len(set(days)):
        raise ma.ValidationError(N_("Give each day once."))
    return True


def _days(minimum: int, maximum: int, description: str) -> ma.fields.List:
    return ma.fields.List(
        StrictInteger(validate=validate.Range(min=minimum, max=maximum)),
        validate=[validate.Length(min=1, max=5, error=N_("Give one to five days; switch the reminder off with enabled.")), _unique],
        metadata={"description": f"{description}: one reminder per day given", "uniqueItems": True},
    )


def _hour() -> StrictInteger:
    return StrictInteger(validate=validate.Range(min=0, max=23), metadata={"description": "Local hour (edition time zone)"})


def _enabled() -> StrictBoolean:
    return StrictBoolean()


class ParticipantRemindersSchema(ma.Schema):
    enabled = _enabled()
    days_before = _days(0, 30, "Days before the activity (0: the same day)")
    hour = _hour()


class DraftRemindersSchema(ma.Schema):
    enabled = _enabled()
    days_before = _days(1, 90, "Days before the submission deadline")
    hour = _hour()


class ChangesRequestedRemindersSchema(ma.Schema):
    enabled = _enabled()
    days_after = _days(1, 60, "Days after changes were requested")
    hour = _hour()


class PreEventRemindersSchema(ma.Schema):
    enabled = _enabled()
    days_before = _days(1, 60, "Days before the activity")
    hour = _hour()


class PostEventRemindersSchema(ma.Schema):
    enabled = _enabled()
    days_after = _days(1, 30, "Days after the activity")
    hour = _hour()


class CoordinatorDigestSchema(ma.Schema):
    enabled = _enabled()
    hour = _hour()


class ReminderSettingsSchema(ma.Schema):
    """Read: the settings in force. Write: only what changes, e.g.
    ``{"participant": {"hour": 8}}``; the rest stays."""

    participant = ma.fields.Nested(ParticipantRemindersSchema, metadata={"description": "To participants with a seat, with the join link or address"})
    draft_deadline = ma.fields.Nested(DraftRemindersSchema, metadata={"description": "To organisers of drafts not yet submitted"})
    changes_requested = ma.fields.Nested(ChangesRequestedRemindersSchema, metadata={"description": "To organisers who have not answered a change request"})
    pre_event = ma.fields.Nested(PreEventRemindersSchema, metadata={"description": "To organisers: check the activity before it takes place"})
    post_event = ma.fields.Nested(PostEventRemindersSchema, metadata={"description": "To organisers: report attendance and material afterwards"})
    coordinator_digest = ma.fields.Nested(CoordinatorDigestSchema, metadata={"description": "To coordinators: the review queue, daily while something waits"})

    @ma.pre_dump
    def _in_force(self, stored: dict[str, Any] | None, **_: Any) -> dict[str, Any]:
        return effective(stored)
