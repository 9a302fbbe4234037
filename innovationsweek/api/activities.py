"""Activities as organisers see them: drafts, edits (with If-Match), submit, withdraw, cancel."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
import marshmallow as ma
from marshmallow import validate

from innovationsweek.activities import service as activities
from innovationsweek.activities.lifecycle import allowed_events
from innovationsweek.activities.models import (
    Activity,
    ActivityStatus,
    AttendanceMode,
    Audience,
    CoOrganiserStatus,
    Format,
    RegistrationMode,
    RevisionState,
    Severity,
)
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.library_messages import N_
from innovationsweek.api.paging import page_response
from innovationsweek.api.schemas import (
    EMAIL,
    Id,
    Instant,
    PageQuerySchema,
    QueryId,
    ReadableText,
    StrictBoolean,
    StrictFloat,
    StrictInteger,
    paged,
    web_address,
)
from innovationsweek.errors import Invalid, PreconditionRequired
from innovationsweek.organisations.models import OrganisationKind

blp = Blueprint("activities", __name__, url_prefix="/api/v1", description="Activities, as their organisers see them")

ETAG = r'"v[0-9]+"'
# The document names the shape of an ETag as a format as well as a pattern: a tool that makes up
# header values (Schemathesis) only keeps to a pattern with quotes in it through a format it knows.
ETAG_FORMAT = "etag"
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string", "format": ETAG_FORMAT, "pattern": rf"^(\*|{ETAG})$"},
    "description": "The ETag of the activity as you last read it (or *: any version)",
}
# What an activity's content must also be, as it stands after a change.
CONTENT_RULES = (
    "ends_at: after starts_at",
    "registration: a url for mode external only, a capacity for mode internal only",
    "co_organiser_ids: organisations that exist, other than the host",
    "related_activity_ids: other activities of the same edition",
    "themes: themes the edition offers",
    "reuses: published activities of open programmes that start before this one",
    "online_url, registration.url: addresses on the public internet",
)
IF_MATCH_REQUIRED = {**IF_MATCH, "required": True, "schema": {"type": "string", "format": ETAG_FORMAT, "pattern": rf"^{ETAG}$"}}


class VenueSchema(ma.Schema):
    name = ma.fields.String(allow_none=True, validate=validate.Length(max=200))
    address = ma.fields.String(allow_none=True, validate=validate.Length(max=300))
    municipality = ma.fields.String(allow_none=True, validate=validate.Length(max=100))
    region = ma.fields.String(allow_none=True, validate=validate.Length(max=100))
    latitude = StrictFloat(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = StrictFloat(allow_none=True, validate=validate.Range(min=-180, max=180))


class ContactSchema(ma.Schema):
    name = ma.fields.String(allow_none=True, validate=validate.Length(max=200))
    email = ma.fields.Email(allow_none=True, **EMAIL)
    phone = ma.fields.String(allow_none=True, validate=validate.Length(max=40))
    email_public = StrictBoolean(
        load_default=False, metadata={"description": "Show the email in the public programme"}
    )


class RegistrationSchema(ma.Schema):
    mode = ma.fields.Enum(RegistrationMode, by_value=True, required=True)
    capacity = StrictInteger(allow_none=True, validate=validate.Range(min=1, max=100_000))
    url = web_address(2000, allow_none=True)


class ActivityContentSchema(ma.Schema):
    title = ReadableText(200, required=True)
    summary = ma.fields.String(load_default="", validate=validate.Length(max=600))
    description = ma.fields.String(
        load_default="", validate=validate.Length(max=20_000), metadata={"description": "HTML; sanitised on save"}
    )
    format = ma.fields.Enum(Format, by_value=True, required=True)
    attendance_mode = ma.fields.Enum(AttendanceMode, by_value=True, required=True)
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    venue = ma.fields.Nested(VenueSchema, allow_none=True, load_default=None)
    online_url = web_address(2000, allow_none=True, load_default=None)
    languages = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(r"^[a-z]{2}$", error=N_("Use ISO 639-1 codes such as sv, da, en."))),
        load_default=list,
        validate=validate.Length(max=10),
    )
    audiences = ma.fields.List(
        ma.fields.String(validate=validate.OneOf([audience.value for audience in Audience])),
        load_default=list,
        validate=validate.Length(max=7),
    )
    themes = ma.fields.List(ma.fields.String(validate=validate.Length(max=40)), load_default=list, validate=validate.Length(max=20))
    topics = ma.fields.List(ma.fields.String(validate=validate.Length(min=1, max=60)), load_default=list, validate=validate.Length(max=20))
    contact = ma.fields.Nested(ContactSchema, allow_none=True, load_default=None)
    registration = ma.fields.Nested(RegistrationSchema, load_default=lambda: {"mode": RegistrationMode.NONE})
    photo_notice = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={"description": "Told to participants, e.g. that photos and film are taken"},
    )
    co_organiser_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=20))
    related_activity_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=20))
    reuses = ma.fields.List(
        Id(),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": "Earlier published activities (any edition) this one builds on; moderated with the rest"},
    )


class ActivityCreateSchema(ActivityContentSchema):
    organisation_id = Id(required=True, metadata={"description": "The host organisation"})


class OrganisationRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.Enum(OrganisationKind, by_value=True)


class CoOrganiserSchema(ma.Schema):
    id = ma.fields.Integer(attribute="organisation_id")
    name = ma.fields.String(attribute="organisation.name")
    kind = ma.fields.Enum(OrganisationKind, by_value=True, attribute="organisation.kind")
    status = ma.fields.Enum(
        CoOrganiserStatus,
        by_value=True,
        metadata={"description": "The organisation's answer; only accepted ones show in the programme and see the activity"},
    )


class CoOrganiserInvitationSchema(ma.Schema):
    activity_id = ma.fields.Integer()
    title = ma.fields.String(attribute="activity.title")
    edition = ma.fields.String(attribute="activity.edition.slug")
    starts_at = Instant(attribute="activity.starts_at")
    host = ma.fields.Nested(OrganisationRefSchema, attribute="activity.organisation")
    organisation_id = ma.fields.Integer()
    status = ma.fields.Enum(CoOrganiserStatus, by_value=True)
    invited_at = Instant()
    answered_at = Instant(allow_none=True)


class FindingSchema(ma.Schema):
    code = ma.fields.String()
    severity = ma.fields.Enum(Severity, by_value=True)
    message = ma.fields.String()
    field = ma.fields.String(allow_none=True)


class RevisionSchema(ma.Schema):
    number = ma.fields.Integer()
    state = ma.fields.Enum(RevisionState, by_value=True)
    submitted_at = Instant()
    checked_at = Instant(allow_none=True)
    decided_at = Instant(allow_none=True)
    decision_comment = ma.fields.String(allow_none=True)
    findings = ma.fields.List(ma.fields.Nested(FindingSchema))


class ActivitySchema(ActivityContentSchema):
    id = ma.fields.Integer()
    edition = ma.fields.String(attribute="edition.slug")
    organisation = ma.fields.Nested(OrganisationRefSchema)
    co_organisers = ma.fields.List(ma.fields.Nested(CoOrganiserSchema))
    status = ma.fields.Enum(ActivityStatus, by_value=True)
    cancellation_reason = ma.fields.String(allow_none=True)
    featured = ma.fields.Boolean()
    version = ma.fields.Integer(metadata={"description": "Also the ETag; send it back as If-Match"})
    findings = ma.fields.Method("latest_findings", metadata={"description": "Of the latest submitted version"})
    revision = ma.fields.Nested(RevisionSchema, attribute="latest_revision", allow_none=True)
    approved_revision = ma.fields.Integer(attribute="approved_revision.number", allow_none=True)
    allowed_actions = ma.fields.Method("actions", metadata={"description": "What can be done next"})
    created_at = Instant()
    updated_at = Instant()

    def latest_findings(self, activity: Activity) -> list[dict[str, Any]]:
        revision = activity.latest_revision
        return FindingSchema(many=True).dump(revision.findings if revision else [])

    def actions(self, activity: Activity) -> list[str]:
        return allowed_events(activity.status)


class ActivityQuerySchema(PageQuerySchema):
    organisation_id = QueryId()
    status = ma.fields.Enum(ActivityStatus, by_value=True)


class CancelSchema(ma.Schema):
    reason = ReadableText(2000, required=True, metadata={"description": "Shown to the public at once and told to participants, before any review: plain text without links, HTML or spam signals (422 otherwise)"})


def etag(activity: Activity) -> dict[str, str]:
    return {"ETag": f'"v{activity.version}"'}


def if_match(*, required: bool) -> int | None:
    """The version named by ``If-Match``. Where it is optional, absence and ``*`` mean any; an
    empty one is no ETag either."""
    header = request.headers.get("If-Match")
    if header is not None and re.fullmatch(rf"\*|{ETAG}", header.strip()) is None:
        raise Invalid(_l('If-Match must be an ETag this API gave out, such as "v3".'), "If-Match", in_query=True)
    if header is None or header.strip() == "*":
        if required:
            raise PreconditionRequired(_l("Send If-Match with the ETag from your last read, so no change is lost."))
        return None
    return int(header.strip()[2:-1])


@blp.route("/editions/<slug:slug>/activities")
class EditionActivities(MethodView):
    @blp.access("account")
    @blp.arguments(ActivityQuerySchema, location="query")
    @blp.response(200, paged(ActivitySchema, "ActivityPage"))
    @blp.errors(404)
    @blp.doc(summary="Your organisations' activities in an edition, with status and findings")
    def get(self, query: dict[str, Any], slug: str) -> Any:
        page = activities.list_activities(db(), current_actor(), slug, **query)
        return page_response(page)

    @blp.access("organiser", "admin")
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    @blp.errors(404)
    @blp.doc(summary="Create a draft activity for one of your organisations")
    @blp.rules("organisation_id: an organisation that exists", *CONTENT_RULES)
    def post(self, body: dict[str, Any], slug: str) -> Any:
        activity = activities.create_activity(db(), current_actor(), slug, body)
        return activity, 201, etag(activity)


@blp.route("/activities/<id:activity_id>")
class ActivityById(MethodView):
    @blp.access("organiser", "coordinator", "admin")
    @blp.response(200, ActivitySchema)
    @blp.errors(404)
    @blp.doc(summary="One activity (its organisers and the edition's coordinators)")
    def get(self, activity_id: int) -> Any:
        activity = activities.get_activity(db(), current_actor(), activity_id)
        return activity, 200, etag(activity)

    @blp.access("organiser", "admin")
    @blp.arguments(ActivityContentSchema(partial=tuple(ActivityContentSchema().fields)))
    @blp.response(200, ActivitySchema)
    @blp.errors(404, 409, 412, 428)
    @blp.doc(summary="Edit an activity (If-Match required); a submitted one goes back to draft", parameters=[IF_MATCH_REQUIRED])
    @blp.rules(*CONTENT_RULES)
    def patch(self, changes: dict[str, Any], activity_id: int) -> Any:
        activity = activities.update_activity(db(), current_actor(), activity_id, changes, expected_version=if_match(required=True))
        return activity, 200, etag(activity)

    @blp.access("organiser", "admin")
    @blp.response(204)
    @blp.errors(404, 409, 412)
    @blp.doc(summary="Delete a draft that was never submitted", parameters=[IF_MATCH])
    def delete(self, activity_id: int) -> None:
        activities.delete_draft(db(), current_actor(), activity_id, expected_version=if_match(required=False))


@blp.route("/activities/<id:activity_id>/submit", methods=["POST"])
@blp.access("organiser", "admin")
@blp.response(200, ActivitySchema)
@blp.errors(404, 409, 412)
@blp.doc(summary="Submit the activity for the automated checks and review", parameters=[IF_MATCH])
def submit(activity_id: int) -> Any:
    activity = activities.submit(db(), current_actor(), activity_id, expected_version=if_match(required=False))
    return activity, 200, etag(activity)


@blp.route("/activities/<id:activity_id>/withdraw", methods=["POST"])
@blp.access("organiser", "admin")
@blp.response(200, ActivitySchema)
@blp.errors(404, 409, 412)
@blp.doc(summary="Withdraw the activity (also removes a published one from the programme)", parameters=[IF_MATCH])
def withdraw(activity_id: int) -> Any:
    activity = activities.withdraw(db(), current_actor(), activity_id, expected_version=if_match(required=False))
    return activity, 200, etag(activity)


@blp.route("/activities/<id:activity_id>/cancel", methods=["POST"])
@blp.access("organiser", "admin")
@blp.arguments(CancelSchema)
@blp.response(200, ActivitySchema)
@blp.errors(404, 409, 412)
@blp.doc(summary="Cancel a published activity: it stays in the programme, marked cancelled", parameters=[IF_MATCH])
@blp.rules("reason: plain text without links, HTML or spam signals, as it is public before any review")
def cancel(body: dict[str, Any], activity_id: int) -> Any:
    activity = activities.cancel(db(), current_actor(), activity_id, reason=body["reason"], expected_version=if_match(required=False))
    return activity, 200, etag(activity)


@blp.route("/activities/<id:activity_id>/revisions")
@blp.access("organiser", "coordinator", "admin")
@blp.response(200, ma.Schema.from_dict({"items": ma.fields.List(ma.fields.Nested(RevisionSchema))}, name="RevisionList"))
@blp.errors(404)
@blp.doc(summary="Every submitted version with its findings and decision")
def revisions(activity_id: int) -> Any:
    activity = activities.get_activity(db(), current_actor(), activity_id)
    return {"items": activity.revisions}


INVITATION_ANSWER = (
    "Until an owner accepts, the organisation shows nowhere public and its members cannot see the activity. "
    "An invitation is answered once; an organisation that accepted may still decline later, which takes it out "
    "of the programme and ends its members' access at once."
)


@blp.route("/activities/<id:activity_id>/co-organisers/<id:organisation_id>/accept", methods=["POST"])
@blp.access("organiser")
@blp.response(200, CoOrganiserInvitationSchema)
@blp.errors(404, 409)
@blp.doc(summary="Accept being named co-organiser (owners of that organisation)", description=INVITATION_ANSWER)
def accept_co_organiser_invitation(activity_id: int, organisation_id: int) -> Any:
    return activities.answer_co_organiser_invitation(db(), current_actor(), activity_id, organisation_id, accept=True)


@blp.route("/activities/<id:activity_id>/co-organisers/<id:organisation_id>/decline", methods=["POST"])
@blp.access("organiser")
@blp.response(200, CoOrganiserInvitationSchema)
@blp.errors(404, 409)
@blp.doc(summary="Decline being named co-organiser, or leave after accepting (owners of that organisation)", description=INVITATION_ANSWER)
def decline_co_organiser_invitation(activity_id: int, organisation_id: int) -> Any:
    return activities.answer_co_organiser_invitation(db(), current_actor(), activity_id, organisation_id, accept=False)
