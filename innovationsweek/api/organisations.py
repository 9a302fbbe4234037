"""Organisations that host activities, and their members."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.activities import service as activities
from innovationsweek.api.activities import CoOrganiserInvitationSchema
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.library_messages import N_
from innovationsweek.api.schemas import AN_EXISTING_ACCOUNT, EMAIL, ReadableText, listed, listing, web_address
from innovationsweek.organisations import service as organisations
from innovationsweek.organisations.models import MemberRole, Membership, Organisation, OrganisationKind

blp = Blueprint(
    "organisations", __name__, url_prefix="/api/v1/organisations", description="Hosts of activities and their members"
)


class OrganisationSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ReadableText(200, required=True)
    kind = ma.fields.Enum(OrganisationKind, by_value=True, required=True)
    country = ma.fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z]{2}$", error=N_("Use an ISO 3166-1 alpha-2 country code such as SE or DK.")),
    )
    region = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    website = web_address(500, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    updated_at = ma.fields.AwareDateTime(dump_only=True)


class OrganisationQuerySchema(ma.Schema):
    kind = ma.fields.Enum(OrganisationKind, by_value=True)
    country = ma.fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    q = ma.fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Part of the name"})
    mine = ma.fields.Boolean(metadata={"description": "Only organisations the caller is a member of"})


class MemberSchema(ma.Schema):
    user_id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(attribute="user.name", dump_only=True)
    email = ma.fields.Email(required=True, load_only=True, **EMAIL)
    role = ma.fields.Enum(MemberRole, by_value=True, load_default=MemberRole.MEMBER)
    since = ma.fields.AwareDateTime(attribute="created_at", dump_only=True)


class MemberReadSchema(MemberSchema):
    email = ma.fields.Email(attribute="user.email", dump_only=True)


@blp.route("")
class Organisations(MethodView):
    @blp.access("account")
    @blp.arguments(OrganisationQuerySchema, location="query")
    @blp.response(200, listing(OrganisationSchema, "OrganisationList"))
    @blp.doc(summary="List organisations (filter by kind, country, name; mine=true for your own)")
    def get(self, query: dict[str, Any]) -> dict[str, object]:
        return listed(organisations.list_organisations(db(), current_actor(), **query))

    @blp.access("account")
    @blp.arguments(OrganisationSchema)
    @blp.response(201, OrganisationSchema)
    @blp.errors(409)
    @blp.doc(summary="Create an organisation; you become its owner")
    def post(self, body: dict[str, Any]) -> Organisation:
        return organisations.create_organisation(db(), current_actor(), body)


@blp.route("/<id:organisation_id>")
class OrganisationById(MethodView):
    @blp.access("account")
    @blp.response(200, OrganisationSchema)
    @blp.errors(404)
    @blp.doc(summary="One organisation")
    def get(self, organisation_id: int) -> Organisation:
        return organisations.get_organisation(db(), current_actor(), organisation_id)

    @blp.access("organiser", "admin")
    @blp.arguments(OrganisationSchema(partial=True))
    @blp.response(200, OrganisationSchema)
    @blp.errors(404, 409)
    @blp.doc(summary="Change an organisation (its owners)")
    def patch(self, changes: dict[str, Any], organisation_id: int) -> Organisation:
        return organisations.update_organisation(db(), current_actor(), organisation_id, changes)

    @blp.access("organiser", "admin")
    @blp.response(204)
    @blp.errors(404)
    @blp.doc(
        summary="Delete an organisation (its owners)",
        description="It leaves the lists and its members leave it; its activities in the works are withdrawn, "
        "its published ones stay in the programme with its name.",
    )
    def delete(self, organisation_id: int) -> None:
        organisations.delete_organisation(db(), current_actor(), organisation_id)


@blp.route("/<id:organisation_id>/members")
class Members(MethodView):
    @blp.access("organiser", "admin")
    @blp.response(200, listing(MemberReadSchema, "MemberList"))
    @blp.errors(404)
    @blp.doc(summary="The organisation's members (for its members)")
    def get(self, organisation_id: int) -> dict[str, object]:
        return listed(organisations.list_members(db(), current_actor(), organisation_id))

    @blp.access("organiser", "admin")
    @blp.arguments(MemberSchema)
    @blp.response(201, MemberReadSchema)
    @blp.errors(404, 409)
    @blp.rules(AN_EXISTING_ACCOUNT)
    @blp.doc(summary="Add an account as member or owner, or change its role (owners)")
    def post(self, body: dict[str, Any], organisation_id: int) -> Membership:
        return organisations.add_member(db(), current_actor(), organisation_id, email=body["email"], role=body["role"])


@blp.route("/<id:organisation_id>/members/<id:user_id>", methods=["DELETE"])
@blp.access("organiser", "admin")
@blp.response(204)
@blp.errors(404, 409)
@blp.doc(summary="Remove a member (owners), or leave the organisation yourself")
def remove_member(organisation_id: int, user_id: int) -> None:
    organisations.remove_member(db(), current_actor(), organisation_id, user_id)


@blp.route("/<id:organisation_id>/co-organiser-invitations")
@blp.access("organiser")
@blp.response(200, listing(CoOrganiserInvitationSchema, "CoOrganiserInvitationList"))
@blp.errors(404)
@blp.doc(summary="Activities the organisation was named co-organiser of, with its answers (its owners)")
def co_organiser_invitations(organisation_id: int) -> dict[str, object]:
    return listed(activities.co_organiser_invitations(db(), current_actor(), organisation_id))
