"""The audit log and the personal-data access log, for those who answer for them."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from innovationsweek import logs
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.paging import page_response
from innovationsweek.api.schemas import Instant, IdPageQuerySchema, QueryId, paged

blp = Blueprint("logs", __name__, url_prefix="/api/v1", description="The audit log and the personal-data access log")

class LogQuerySchema(IdPageQuerySchema):
    activity_id = QueryId()
    action = ma.fields.String(validate=validate.Length(min=1, max=64), metadata={"description": "e.g. edition_changed, export"})
    written_from = Instant(data_key="from", metadata={"description": "Written at or after this time"})
    written_to = Instant(data_key="to", metadata={"description": "Written before this time (a 'to' not after 'from' selects nothing)"})


class AllAuditQuerySchema(LogQuerySchema):
    organisation_id = QueryId()


class AuditEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    at = Instant()
    edition_id = ma.fields.Integer(allow_none=True)
    activity_id = ma.fields.Integer(allow_none=True)
    organisation_id = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String(attribute="actor_label")
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    detail = ma.fields.Dict(metadata={"description": "For changes: {\"changes\": {field: {\"before\", \"after\"}}}"})


class AccessEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    at = Instant()
    edition_id = ma.fields.Integer(allow_none=True)
    activity_id = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String(attribute="actor_label", metadata={"description": "A person, or what acted for them"})
    actor_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String(metadata={"description": "list, export, data_request, erasure, retention_purge"})
    records = ma.fields.Integer(metadata={"description": "How many participants' data"})


AUDIT_PAGE = paged(AuditEntrySchema, "AuditPage")
ACCESS_PAGE = paged(AccessEntrySchema, "AccessLogPage")


def _paging(query: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments: the filters, the cursor and the page size."""
    cursor, limit = query.pop("cursor", None), query.pop("limit")
    return {"filters": logs.LogFilters(**query), "cursor": cursor, "limit": limit}


@blp.route("/editions/<slug:slug>/audit-log")
@blp.access("coordinator", "admin")
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, AUDIT_PAGE)
@blp.errors(404)
@blp.doc(summary="Who did what in the edition: its activities, settings and coordinators (oldest first)")
def edition_audit_log(query: dict[str, Any], slug: str) -> Any:
    return page_response(logs.edition_audit_log(db(), current_actor(), slug, **_paging(query)))


@blp.route("/organisations/<id:organisation_id>/audit-log")
@blp.access("organiser", "admin")
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, AUDIT_PAGE)
@blp.errors(404)
@blp.doc(summary="Who changed the organisation and its members (its owners; oldest first)")
def organisation_audit_log(query: dict[str, Any], organisation_id: int) -> Any:
    return page_response(logs.organisation_audit_log(db(), current_actor(), organisation_id, **_paging(query)))


@blp.route("/audit-log")
@blp.access("admin")
@blp.arguments(AllAuditQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, AUDIT_PAGE)
@blp.doc(summary="The whole audit log (administrators; oldest first)")
def audit_log(query: dict[str, Any]) -> Any:
    organisation_id = query.pop("organisation_id", None)
    return page_response(logs.audit_log(db(), current_actor(), organisation_id=organisation_id, **_paging(query)))


@blp.route("/editions/<slug:slug>/access-log")
@blp.access("coordinator", "admin")
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ACCESS_PAGE)
@blp.errors(404)
@blp.doc(summary="Who read, exported or erased participants' personal data in the edition (oldest first)")
def edition_access_log(query: dict[str, Any], slug: str) -> Any:
    return page_response(logs.edition_access_log(db(), current_actor(), slug, **_paging(query)))


@blp.route("/access-log")
@blp.access("admin")
@blp.arguments(LogQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, ACCESS_PAGE)
@blp.doc(summary="The whole personal-data access log (administrators; oldest first)")
def access_log(query: dict[str, Any]) -> Any:
    return page_response(logs.access_log(db(), current_actor(), **_paging(query)))
