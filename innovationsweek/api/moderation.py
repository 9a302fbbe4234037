"""The coordinators' side: the review queue, decisions (one or many) and moderation settings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.activities.models import Format, RevisionState
from innovationsweek.api.activities import (
    IF_MATCH,
    ActivitySchema,
    FindingSchema,
    OrganisationRefSchema,
    etag,
    if_match,
)
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.document import NOT_BLANK
from innovationsweek.api.paging import page_response
from innovationsweek.api.problems import DOMAIN_STATUS
from innovationsweek.api.schemas import Id, Instant, PageQuerySchema, StrictBoolean, localised_text, paged
from innovationsweek.moderation import service as moderation
from innovationsweek.moderation.models import ModerationSettings
from innovationsweek.organisations.models import OrganisationKind

blp = Blueprint("moderation", __name__, url_prefix="/api/v1", description="Review queue and decisions")


class QueueQuerySchema(PageQuerySchema):
    """The filters of every review queue (activities, report material)."""

    state = ma.fields.Enum(RevisionState, by_value=True, load_default=RevisionState.IN_REVIEW)
    finding = ma.fields.String(validate=validate.Length(max=64), metadata={"description": "A finding code, e.g. likely_duplicate"})
    submitted_after = Instant()
    submitted_before = Instant()


class ReviewQuerySchema(QueueQuerySchema):
    region = ma.fields.String(validate=validate.Length(max=100))
    format = ma.fields.Enum(Format, by_value=True)
    organisation_kind = ma.fields.Enum(OrganisationKind, by_value=True)


class QueueItemSchema(ma.Schema):
    activity_id = ma.fields.Integer()
    revision = ma.fields.Integer(attribute="number")
    state = ma.fields.Enum(RevisionState, by_value=True)
    title = ma.fields.String(attribute="activity.title")
    format = ma.fields.String(attribute="content.format")
    starts_at = ma.fields.String(attribute="content.starts_at")
    region = ma.fields.String(attribute="activity.venue_region", allow_none=True)
    organisation = ma.fields.Nested(OrganisationRefSchema, attribute="activity.organisation")
    edit_of_published = ma.fields.Method("is_edit", metadata={"description": "An edit of an activity already in the programme"})
    submitted_at = Instant()
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))

    def is_edit(self, revision: Any) -> bool:
        return revision.activity.approved_revision_id is not None


PRESET_REASON = "reason: a preset reason of the edition (its moderation settings)"


class DecisionSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=validate.OneOf(sorted(moderation.DECISIONS)))
    comment = ma.fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    reason = ma.fields.String(load_default=None, allow_none=True, metadata={"description": "Key of a preset reason"})

    # Anything but an approval tells the organiser why: a comment with something to read, or a
    # preset reason (the service refuses the others with 422 on comment).
    between_fields = {
        "anyOf": [
            {"properties": {"decision": {"enum": ["approve"]}}},
            {"required": ["comment"], "properties": {"comment": {"type": "string", "pattern": NOT_BLANK}}},
            {"required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}},
        ]
    }


class BulkDecisionSchema(DecisionSchema):
    activity_ids = ma.fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))


class DecisionResultSchema(ma.Schema):
    id = ma.fields.Integer()
    ok = ma.fields.Boolean()
    status = ma.fields.String(allow_none=True, metadata={"description": "The activity's status after the decision"})
    error = ma.fields.Dict(allow_none=True, metadata={"description": "A problem (status, detail) when it failed"})


class ReasonSchema(ma.Schema):
    key = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    text = localised_text(1000, required=True)


class ModerationSettingsSchema(ma.Schema):
    fast_lane = StrictBoolean(metadata={"description": "Approve trusted organisations' submissions without findings at once"})
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema), validate=validate.Length(max=50))
    trusted_organisation_ids = ma.fields.List(Id(), validate=validate.Length(max=1000))


class ModerationSettingsReadSchema(ModerationSettingsSchema):
    trusted = ma.fields.List(ma.fields.Nested(OrganisationRefSchema))
    trusted_organisation_ids = ma.fields.Method("trusted_ids")

    def trusted_ids(self, settings: ModerationSettings) -> list[int]:
        return [organisation.id for organisation in settings.trusted]


@blp.route("/editions/<slug:slug>/review-queue")
@blp.access("coordinator", "admin")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, paged(QueueItemSchema, "ReviewQueuePage"))
@blp.errors(404)
@blp.doc(summary="Submitted versions waiting for a decision, oldest first, with filters")
def review_queue(query: dict[str, Any], slug: str) -> Any:
    return page_response(moderation.review_queue(db(), current_actor(), slug, **query))


@blp.route("/activities/<id:activity_id>/review", methods=["POST"])
@blp.access("coordinator", "admin")
@blp.arguments(DecisionSchema)
@blp.response(200, ActivitySchema)
@blp.errors(404, 409, 412)
@blp.doc(summary="Approve, request changes or reject the version under review", parameters=[IF_MATCH])
@blp.rules(PRESET_REASON)
def review(body: dict[str, Any], activity_id: int) -> Any:
    activity = moderation.decide(db(), current_actor(), activity_id, expected_version=if_match(required=False), **body)
    return activity, 200, etag(activity)


@blp.route("/activities/<id:activity_id>/feature", methods=["POST"])
@blp.access("coordinator", "admin")
@blp.arguments(ma.Schema.from_dict({"featured": StrictBoolean(required=True)}, name="Feature"))
@blp.response(200, ActivitySchema)
@blp.errors(404)
@blp.doc(summary="Feature an activity in the public programme, or stop featuring it")
def feature(body: dict[str, Any], activity_id: int) -> Any:
    activity = moderation.feature(db(), current_actor(), activity_id, featured=body["featured"])
    return activity, 200, etag(activity)


@blp.route("/editions/<slug:slug>/review-queue/decisions", methods=["POST"])
@blp.access("coordinator", "admin")
@blp.arguments(BulkDecisionSchema)
@blp.response(200, ma.Schema.from_dict({"results": ma.fields.List(ma.fields.Nested(DecisionResultSchema))}, name="BulkDecisionResult"))
@blp.errors(404)
@blp.doc(summary="The same decision on many activities; each one succeeds or fails on its own")
@blp.rules(PRESET_REASON)
def decide_many(body: dict[str, Any], slug: str) -> dict[str, Any]:
    ids = body.pop("activity_ids")
    results = moderation.decide_many(db(), current_actor(), slug, ids, **body)
    return {"results": [_result(result) for result in results]}


def _result(result: moderation.DecisionResult) -> dict[str, Any]:
    if result.error is None:
        return {"id": result.id, "ok": True, "status": result.status.value if result.status else None, "error": None}
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(result.error, kind))
    return {"id": result.id, "ok": False, "status": None, "error": {"status": status, "detail": result.error.detail}}


@blp.route("/editions/<slug:slug>/moderation-settings")
class Settings(MethodView):
    @blp.access("coordinator", "admin")
    @blp.response(200, ModerationSettingsReadSchema)
    @blp.errors(404)
    @blp.doc(summary="The fast lane, trusted organisations and preset reasons of an edition")
    def get(self, slug: str) -> ModerationSettings:
        return moderation.moderation_settings(db(), current_actor(), slug)

    @blp.access("coordinator", "admin")
    # Partial at the top only: a reason given is given whole (partial=True would reach into it).
    @blp.arguments(ModerationSettingsSchema(partial=tuple(ModerationSettingsSchema().fields)))
    @blp.response(200, ModerationSettingsReadSchema)
    @blp.errors(404)
    @blp.doc(summary="Change the fast lane, trusted organisations or preset reasons")
    @blp.rules("reasons: each key once", "trusted_organisation_ids: organisations that exist")
    def patch(self, changes: dict[str, Any], slug: str) -> ModerationSettings:
        return moderation.update_moderation_settings(db(), current_actor(), slug, changes)

