"""Partners that republish the programme, and their read-only API keys."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.schemas import EMAIL, Extended, ReadableText, listed, listing
from innovationsweek.partners import service as partners

blp = Blueprint("partners", __name__, url_prefix="/api/v1/partners", description="Partner websites and their API keys")


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ReadableText(200, required=True)
    contact_email = ma.fields.Email(required=True, **EMAIL)
    key_hint = ma.fields.String(dump_only=True, metadata={"description": "The start of the API key"})
    created_at = ma.fields.AwareDateTime(dump_only=True)
    revoked_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class NewPartnerSchema(PartnerSchema):
    api_key = ma.fields.String(
        dump_only=True, metadata={"description": "Shown this once; send as 'Authorization: Bearer <api_key>'"}
    )


@blp.route("")
class Partners(MethodView):
    @blp.access("admin")
    @blp.response(200, listing(PartnerSchema, "PartnerList"))
    @blp.doc(summary="List partners")
    def get(self) -> dict[str, object]:
        return listed(partners.list_partners(db(), current_actor()))

    @blp.access("admin")
    @blp.arguments(PartnerSchema)
    @blp.response(201, NewPartnerSchema)
    @blp.doc(summary="Register a partner; its API key is in this answer only")
    def post(self, body: dict[str, Any]) -> Extended:
        created = partners.create_partner(db(), current_actor(), **body)
        return Extended(created.partner, api_key=created.api_key)


@blp.route("/<id:partner_id>", methods=["DELETE"])
@blp.access("admin")
@blp.response(204)
@blp.errors(404)
@blp.doc(summary="Revoke a partner's API key")
def revoke_partner(partner_id: int) -> None:
    partners.revoke_partner(db(), current_actor(), partner_id)
