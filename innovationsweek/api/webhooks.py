"""Partners' webhook endpoints, their delivery log and manual redelivery."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db, runtime
from innovationsweek.api.paging import page_response
from innovationsweek.api.schemas import Extended, Instant, IdPageQuerySchema, listed, listing, paged, web_address
from innovationsweek.webhooks import service as webhooks
from innovationsweek.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description=(
        "Signed notifications of programme changes (Standard Webhooks). Every delivery carries "
        "`webhook-id` (the same on retries), `webhook-timestamp` and `webhook-signature` "
        "(`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, keyed with the endpoint's secret). "
        "Nothing is sent about an edition whose programme is hidden; when it opens, every activity "
        "that changed meanwhile is announced once as it stands (`activity.published`, or "
        "`activity.cancelled`; `activity.deleted` only after a programme that was open before)."
    ),
)

EVENTS = [event.value for event in WebhookEvent]


class WebhookEndpointSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    url = web_address(
        webhooks.MAX_URL_LENGTH,
        fragment=False,
        required=True,
        metadata={"description": "An https URL on the public internet", "example": "https://partner.example/hooks/iw"},
    )
    events = ma.fields.List(
        ma.fields.String(validate=validate.OneOf(EVENTS)),
        required=True,
        validate=validate.Length(min=1, max=len(EVENTS)),
        metadata={"description": f"Some of {', '.join(EVENTS)}"},
    )
    enabled = ma.fields.Boolean(dump_only=True)
    previous_secret_valid_until = Instant(
        dump_only=True,
        allow_none=True,
        metadata={"description": "After a rotation: until when deliveries carry a signature with the old secret too"},
    )
    disabled_at = Instant(dump_only=True, allow_none=True)
    disabled_reason = ma.fields.String(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class NewWebhookEndpointSchema(WebhookEndpointSchema):
    secret = ma.fields.String(
        dump_only=True,
        metadata={"description": "Shown this once: verifies the signatures (a Standard Webhooks `whsec_...` secret)"},
    )


class AttemptSchema(ma.Schema):
    number = ma.fields.Integer()
    manual = ma.fields.Boolean(metadata={"description": "A redelivery the partner asked for"})
    attempted_at = Instant()
    duration_ms = ma.fields.Integer()
    status_code = ma.fields.Integer(allow_none=True, metadata={"description": "The endpoint's HTTP status, if it answered"})
    succeeded = ma.fields.Boolean()
    failure = ma.fields.String(allow_none=True, metadata={"example": "timeout"})
    error = ma.fields.String(allow_none=True)
    response_body = ma.fields.String(allow_none=True, metadata={"description": "The start of the endpoint's answer"})
    retry_at = Instant(allow_none=True, metadata={"description": "When the next attempt was scheduled for"})


class DeliverySchema(ma.Schema):
    id = ma.fields.Integer()
    webhook_id = ma.fields.String(attribute="message_id", metadata={"description": "The webhook-id header"})
    event = ma.fields.Enum(WebhookEvent, by_value=True)
    activity_id = ma.fields.Integer()
    change_number = ma.fields.Integer()
    status = ma.fields.Enum(DeliveryStatus, by_value=True)
    created_at = Instant()
    next_attempt_at = Instant(allow_none=True)
    delivered_at = Instant(allow_none=True)
    last_status_code = ma.fields.Integer(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    payload = ma.fields.Method("body", metadata={"description": "The body as sent"})
    attempts = ma.fields.List(ma.fields.Nested(AttemptSchema), attribute="attempt_log")

    def body(self, delivery: WebhookDelivery) -> Any:
        return json.loads(delivery.payload)


class DeliveryQuerySchema(IdPageQuerySchema):
    status = ma.fields.Enum(DeliveryStatus, by_value=True)


@blp.route("")
class Endpoints(MethodView):
    @blp.access("partner")
    @blp.response(200, listing(WebhookEndpointSchema, "WebhookEndpointList"))
    @blp.doc(summary="The calling partner's webhook endpoints")
    def get(self) -> dict[str, object]:
        return listed(webhooks.list_endpoints(db(), current_actor()))

    @blp.access("partner")
    @blp.arguments(WebhookEndpointSchema)
    @blp.response(201, NewWebhookEndpointSchema)
    @blp.errors(409)
    @blp.doc(summary="Register an endpoint for some events; its signing secret is in this answer only")
    @blp.rules("url: https, on a host of the public internet (as the installation allows)")
    def post(self, body: dict[str, Any]) -> Extended:
        endpoint = webhooks.register_endpoint(db(), current_actor(), outbound_settings=runtime().outbound, **body)
        return Extended(endpoint, secret=endpoint.secret)


@blp.route("/<id:endpoint_id>")
class Endpoint(MethodView):
    @blp.access("partner")
    @blp.response(200, WebhookEndpointSchema)
    @blp.errors(404)
    @blp.doc(summary="One of the calling partner's endpoints")
    def get(self, endpoint_id: int) -> WebhookEndpoint:
        return webhooks.get_endpoint(db(), current_actor(), endpoint_id)

    @blp.access("partner")
    @blp.response(204)
    @blp.errors(404)
    @blp.doc(summary="Delete an endpoint and its delivery log")
    def delete(self, endpoint_id: int) -> None:
        webhooks.delete_endpoint(db(), current_actor(), endpoint_id)


@blp.route("/<id:endpoint_id>/enable", methods=["POST"])
@blp.access("partner")
@blp.response(200, WebhookEndpointSchema)
@blp.errors(404)
@blp.doc(summary="Deliver to a disabled endpoint again (changes it missed are in the change feed)")
def enable(endpoint_id: int) -> WebhookEndpoint:
    return webhooks.enable_endpoint(db(), current_actor(), endpoint_id)


@blp.route("/<id:endpoint_id>/secret", methods=["POST"])
@blp.access("partner")
@blp.response(200, NewWebhookEndpointSchema)
@blp.errors(404)
@blp.doc(
    summary="Rotate the signing secret: the new one is in this answer only",
    description=f"For {int(webhooks.SECRET_OVERLAP.total_seconds() // 3600)} hours deliveries carry two signatures, "
    "with the new secret and with the old (`webhook-signature: v1,<new> v1,<old>`), so the receiver can switch "
    "without missing any; then only the new. Rotating again within that time drops the oldest secret at once.",
)
def rotate_secret(endpoint_id: int) -> Extended:
    endpoint = webhooks.rotate_secret(db(), current_actor(), endpoint_id)
    return Extended(endpoint, secret=endpoint.secret)


@blp.route("/<id:endpoint_id>/deliveries")
@blp.access("partner")
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, paged(DeliverySchema, "WebhookDeliveryPage"))
@blp.errors(404)
@blp.doc(summary="The endpoint's delivery log, newest first, with every attempt")
def deliveries(query: dict[str, Any], endpoint_id: int) -> Any:
    return page_response(webhooks.list_deliveries(db(), current_actor(), endpoint_id, **query))


@blp.route("/<id:endpoint_id>/deliveries/<id:delivery_id>/redeliver", methods=["POST"])
@blp.access("partner")
@blp.response(202, DeliverySchema)
@blp.errors(404, 409)
@blp.doc(summary="Send a delivery again now, with the same webhook-id and body")
def redeliver(endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    return webhooks.redeliver(db(), current_actor(), endpoint_id, delivery_id)
