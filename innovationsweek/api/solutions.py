"""Solutions of past weeks ("steal with pride"): finding them across every open edition, the
coordinators' featuring of them, and copying an activity forward into another week."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, request
from marshmallow import validate

from innovationsweek.activities.models import Format
from innovationsweek.api.activities import ActivitySchema, etag
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.caching import cached
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.programme import json_answer, many
from innovationsweek.api.schemas import SLUG_PATTERN, PageQuerySchema, StrictBoolean
from innovationsweek.api.urls import public_url_for
from innovationsweek.db import utcnow
from innovationsweek.organisations.models import OrganisationKind
from innovationsweek.solutions import copying
from innovationsweek.solutions import service as solutions

blp = Blueprint("solutions", __name__, url_prefix="/api/v1", description="Solutions of past weeks, to build on")

SOLUTIONS_DESCRIPTION = (
    "Past activities (they have ended, and were not cancelled) of every edition whose programme is open, the latest "
    "first, each as its public programme entry: with `material` (the report's approved links and `how_to_reuse` text), "
    "`reuses`, `reused_by` and `reuse_count`. Cursor paging with a `Link` header; ETag/304 by the programmes' versions."
)


class SolutionQuerySchema(PageQuerySchema):
    q = ma.fields.String(validate=validate.Length(min=1, max=200), metadata={"description": "Words in title, summary, topics, host, municipality"})
    theme = many(ma.fields.String(validate=validate.Length(max=40)), "Theme key")
    format = many(ma.fields.Enum(Format, by_value=True), "Format")
    organisation_kind = many(ma.fields.Enum(OrganisationKind, by_value=True), "Kind of host organisation")
    region = many(ma.fields.String(validate=validate.Length(max=100)), "Region")
    edition = many(ma.fields.String(validate=validate.Regexp(f"^{SLUG_PATTERN}$")), "Edition slug")
    has_material = ma.fields.Boolean(metadata={"description": "Only those whose report has public material (true), or none (false)"})
    featured = ma.fields.Boolean(metadata={"description": "Only those the coordinators feature as solutions"})


_FILTERS = {"theme": "themes", "format": "formats", "organisation_kind": "organisation_kinds", "region": "regions", "edition": "editions"}


def solution_filters(query: dict[str, Any]) -> solutions.SolutionFilters:
    """The service's filters from a loaded :class:`SolutionQuerySchema` (without paging)."""
    return solutions.SolutionFilters(**{_FILTERS.get(name, name): value for name, value in query.items()})


@blp.route("/solutions")
@blp.access("public")
@blp.arguments(SolutionQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ma.Schema.from_dict(
    {"items": ma.fields.List(ma.fields.Dict()), "total": ma.fields.Integer(), "next_cursor": ma.fields.String(allow_none=True)},
    name="SolutionPage",
))
@blp.doc(summary="Solutions of past weeks: search every open edition", description=SOLUTIONS_DESCRIPTION)
def solution_list(query: dict[str, Any]) -> Response:
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    filters, now = solution_filters(query), utcnow()

    def build() -> Response:
        page = solutions.solutions_page(db(), filters, now=now, cursor=cursor, limit=limit)
        response = json_answer({"items": [entry.data for entry in page.items], "total": page.total, "next_cursor": page.next_cursor})
        if page.next_cursor:
            next_url = public_url_for(request.endpoint or "", **{**request.args.to_dict(flat=False), "cursor": page.next_cursor})
            response.headers["Link"] = f'<{next_url}>; rel="next"'
        return response

    return cached(solutions.solutions_version(db(), now), build)


@blp.route("/activities/<id:activity_id>/feature-solution", methods=["POST"])
@blp.access("coordinator", "admin")
@blp.arguments(ma.Schema.from_dict({"featured": StrictBoolean(required=True)}, name="FeatureSolution"))
@blp.response(200, ActivitySchema)
@blp.errors(404)
@blp.doc(summary="Feature a published activity among the solutions, or stop featuring it (its week's coordinators)")
def feature_solution(body: dict[str, Any], activity_id: int) -> Any:
    activity = solutions.feature_solution(db(), current_actor(), activity_id, featured=body["featured"])
    return activity, 200, etag(activity)


class CopySchema(ma.Schema):
    edition = ma.fields.String(required=True, validate=validate.Regexp(f"^{SLUG_PATTERN}$"), metadata={"description": "The later week's slug"})


@blp.route("/activities/<id:activity_id>/copy", methods=["POST"])
@blp.access("organiser", "admin")
@blp.arguments(CopySchema)
@blp.response(201, ActivitySchema)
@blp.errors(404)
@blp.rules("edition: a week that exists and starts after the activity's own")
@blp.doc(
    summary="Copy an activity forward into a later week, as a new draft (members of its host)",
    description=(
        "The content is copied (not co-organisers or related activities, nor themes the new week does not offer); the "
        "dates move to the same weekday and local time of the new week; `reuses` names the original while it is a "
        "public solution. Registrations, findings and revisions are not copied."
    ),
)
def copy_activity(body: dict[str, Any], activity_id: int) -> Any:
    copy = copying.copy_activity(db(), current_actor(), activity_id, edition_slug=body["edition"])
    return copy, 201, etag(copy)
