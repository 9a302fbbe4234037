"""Reports after an activity: attendance figures, links to slides and recordings and a
how-to-reuse text; the coordinators' review of the material before the programme shows it."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.activities.models import RevisionState
from innovationsweek.api.activities import FindingSchema, OrganisationRefSchema, RevisionSchema
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.moderation import PRESET_REASON, DecisionSchema, QueueQuerySchema
from innovationsweek.api.paging import page_response
from innovationsweek.api.schemas import Instant, ReadableText, StrictInteger, paged, web_address
from innovationsweek.moderation import service as moderation
from innovationsweek.reports import service as reports
from innovationsweek.reports.models import ActivityReport, ReportRevision

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports after an activity: attendance and material")

COUNT = {"allow_none": True, "load_default": None, "validate": validate.Range(min=0, max=10_000_000)}


class MaterialLinkSchema(ma.Schema):
    title = ReadableText(200, required=True, metadata={"example": "Bilder (PDF)"})
    url = web_address(2000, required=True)


class ReportSchema(ma.Schema):
    participants_in_person = StrictInteger(**COUNT, metadata={"description": "How many came (not public)"})
    participants_online = StrictInteger(**COUNT, metadata={"description": "How many followed online (not public)"})
    links = ma.fields.List(
        ma.fields.Nested(MaterialLinkSchema),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Slides, recordings, documentation: shown in the public programme once a coordinator approves them"},
    )
    how_to_reuse = ma.fields.String(
        load_default="",
        validate=validate.Length(max=5000),
        metadata={"description": "How others can reuse the solution (simple HTML, sanitised): public once approved, like the links"},
    )
    submitted_at = Instant(dump_only=True, allow_none=True, metadata={"description": "Empty until the first report"})
    updated_at = Instant(dump_only=True, allow_none=True)
    revision = ma.fields.Nested(
        RevisionSchema,
        attribute="latest_revision",
        allow_none=True,
        dump_only=True,
        metadata={"description": "The latest version of the material sent for review, with its findings and decision"},
    )
    approved_revision = ma.fields.Function(
        lambda report: report.approved_revision.number if report.approved_revision else None,
        allow_none=True,
        metadata={"type": "integer", "description": "The version of the material the public programme shows"},
    )


class ReportQueueItemSchema(ma.Schema):
    activity_id = ma.fields.Integer()
    revision = ma.fields.Integer(attribute="number")
    state = ma.fields.Enum(RevisionState, by_value=True)
    title = ma.fields.String(attribute="activity.title")
    organisation = ma.fields.Nested(OrganisationRefSchema, attribute="activity.organisation")
    links = ma.fields.List(ma.fields.Nested(MaterialLinkSchema), attribute="content.links")
    how_to_reuse = ma.fields.String(attribute="content.how_to_reuse")
    replaces_approved = ma.fields.Method("replaces", metadata={"description": "Approved material is public meanwhile"})
    submitted_at = Instant()
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))

    def replaces(self, revision: ReportRevision) -> bool:
        return revision.report.approved_revision_id is not None


@blp.route("/activities/<id:activity_id>/report")
class Report(MethodView):
    @blp.access("organiser", "coordinator", "admin")
    @blp.response(200, ReportSchema)
    @blp.errors(404)
    @blp.doc(summary="The report on an activity (empty until its organisers send one)")
    def get(self, activity_id: int) -> ActivityReport:
        return reports.get_report(db(), current_actor(), activity_id)

    @blp.access("organiser", "admin")
    @blp.arguments(ReportSchema)
    @blp.response(200, ReportSchema)
    @blp.errors(404, 409)
    @blp.doc(
        summary="Report attendance and the material, once the activity has started (replaces the last report); "
        "changed material is checked and reviewed before the programme shows it"
    )
    @blp.rules("links: addresses on the public internet")
    def put(self, body: dict[str, Any], activity_id: int) -> ActivityReport:
        return reports.save_report(db(), current_actor(), activity_id, **body)


@blp.route("/editions/<slug:slug>/review-queue/reports")
@blp.access("coordinator", "admin")
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, paged(ReportQueueItemSchema, "ReportReviewQueuePage"))
@blp.errors(404)
@blp.doc(summary="Report material waiting for a decision, oldest first, with its findings")
def report_review_queue(query: dict[str, Any], slug: str) -> Any:
    return page_response(moderation.report_review_queue(db(), current_actor(), slug, **query))


@blp.route("/activities/<id:activity_id>/report/review", methods=["POST"])
@blp.access("coordinator", "admin")
@blp.arguments(DecisionSchema)
@blp.response(200, ReportSchema)
@blp.errors(404, 409)
@blp.doc(summary="Approve, request changes to or reject the report material under review")
@blp.rules(PRESET_REASON)
def review_report(body: dict[str, Any], activity_id: int) -> ActivityReport:
    return moderation.decide_report(db(), current_actor(), activity_id, **body)
