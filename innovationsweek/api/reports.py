"""Reports after an activity: attendance figures and links to slides and recordings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.schemas import Instant
from innovationsweek.reports import service as reports
from innovationsweek.reports.models import ActivityReport

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports after an activity: attendance and material")

COUNT = {"allow_none": True, "load_default": None, "validate": validate.Range(min=0, max=10_000_000)}


class MaterialLinkSchema(ma.Schema):
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Bilder (PDF)"})
    url = ma.fields.Url(required=True, schemes={"http", "https"}, validate=validate.Length(max=2000))


class ReportSchema(ma.Schema):
    participants_in_person = ma.fields.Integer(**COUNT, metadata={"description": "How many came (not public)"})
    participants_online = ma.fields.Integer(**COUNT, metadata={"description": "How many followed online (not public)"})
    links = ma.fields.List(
        ma.fields.Nested(MaterialLinkSchema),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Slides, recordings, documentation: shown with the activity in the public programme"},
    )
    submitted_at = Instant(dump_only=True, allow_none=True, metadata={"description": "Empty until the first report"})
    updated_at = Instant(dump_only=True, allow_none=True)


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
    @blp.doc(summary="Report attendance and link the material, once the activity has started (replaces the last report)")
    def put(self, body: dict[str, Any], activity_id: int) -> ActivityReport:
        return reports.save_report(db(), current_actor(), activity_id, **body)
