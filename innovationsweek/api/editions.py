"""Editions of the week and their coordinators."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.library_messages import N_
from innovationsweek.api.reminders import ReminderSettingsSchema
from innovationsweek.api.schemas import AN_EXISTING_ACCOUNT, EMAIL, SLUG_PATTERN, Instant, StrictBoolean, StrictInteger, listed, listing, localised_text
from innovationsweek.editions import service as editions
from innovationsweek.editions.models import Edition, EditionCoordinator

blp = Blueprint("editions", __name__, url_prefix="/api/v1/editions", description="Editions of the innovation week")

SLUG = validate.Regexp(f"^{SLUG_PATTERN}$", error=N_("Use lower-case letters, digits and dashes."))


class ThemeSchema(ma.Schema):
    key = ma.fields.String(required=True, validate=[validate.Length(min=1, max=40), SLUG])
    label = localised_text(100, required=True)


class EditionFieldsSchema(ma.Schema):
    name = localised_text(200, required=True, metadata={"example": {"sv": "Innovationsveckan 2019"}})
    theme = localised_text(300, required=True, metadata={"example": {"sv": "Att sprida och involvera"}})
    timezone = ma.fields.String(required=True, validate=validate.Length(min=1, max=64), metadata={"example": "Europe/Stockholm"})
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    submissions_open_at = Instant(required=True)
    submissions_close_at = Instant(required=True)
    programme_open = StrictBoolean(load_default=False, metadata={"description": "Whether the public programme is visible"})
    retention_days = StrictInteger(
        load_default=180,
        validate=validate.Range(min=1, max=3650),
        metadata={"description": "Days after an activity ends that its participants' personal data is kept"},
    )
    themes = ma.fields.List(ma.fields.Nested(ThemeSchema), load_default=list, validate=validate.Length(max=30))
    privacy_notice = localised_text(
        10_000,
        may_be_empty=True,
        load_default=dict,
        metadata={"description": "What participants consent to when they register ({} until there is one: registration waits for it)"},
    )
    privacy_notice_version = ma.fields.String(
        load_default="1", validate=validate.Length(min=1, max=40), metadata={"description": "Change it with the text"}
    )
    reminder_settings = ma.fields.Nested(
        ReminderSettingsSchema, metadata={"description": "Which reminders go out and when; a change gives only what changes"}
    )


# What an edition must also be, as it stands after a change.
EDITION_RULES = (
    "timezone: an IANA time zone name",
    "ends_at: after starts_at",
    "submissions_close_at: after submissions_open_at",
    "submissions_open_at: not after starts_at",
    "themes: each key once",
)


class EditionSchema(EditionFieldsSchema):
    slug = ma.fields.String(required=True, validate=[validate.Length(min=3, max=80), SLUG])
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class CoordinatorSchema(ma.Schema):
    user_id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(attribute="user.name", dump_only=True)
    email = ma.fields.Email(required=True, **EMAIL)
    assigned_at = Instant(dump_only=True)


class CoordinatorReadSchema(CoordinatorSchema):
    email = ma.fields.Email(attribute="user.email", dump_only=True)


class PrivacyNoticeVersionSchema(ma.Schema):
    version = ma.fields.String(dump_only=True, metadata={"description": "The version registrations name as consent_version"})
    texts = localised_text(10_000, dump_only=True, metadata={"description": "The notice in each language it was given in"})
    published_at = Instant(dump_only=True, metadata={"description": "When it was put in use"})
    in_use = ma.fields.Boolean(dump_only=True, metadata={"description": "Whether people registering now consent to it"})


@blp.route("")
class Editions(MethodView):
    @blp.access("public")
    @blp.response(200, listing(EditionSchema, "EditionList"))
    @blp.doc(summary="List editions, newest first")
    def get(self) -> dict[str, object]:
        return listed(editions.list_editions(db()))

    @blp.access("coordinator", "admin")
    @blp.arguments(EditionSchema)
    @blp.response(201, EditionSchema)
    @blp.errors(409)
    @blp.doc(summary="Create an edition (administrators, or coordinators of an earlier edition)")
    @blp.rules(*EDITION_RULES)
    def post(self, body: dict[str, Any]) -> Edition:
        slug = body.pop("slug")
        return editions.create_edition(db(), current_actor(), slug=slug, fields=body)


@blp.route("/<slug:slug>")
class EditionBySlug(MethodView):
    @blp.access("public")
    @blp.response(200, EditionSchema)
    @blp.errors(404)
    @blp.doc(summary="One edition")
    def get(self, slug: str) -> Edition:
        return editions.get_edition(db(), slug)

    @blp.access("coordinator", "admin")
    @blp.arguments(EditionFieldsSchema(partial=True))
    @blp.response(200, EditionSchema)
    @blp.errors(404)
    @blp.doc(summary="Change an edition (its coordinators)")
    @blp.rules(*EDITION_RULES)
    def patch(self, changes: dict[str, Any], slug: str) -> Edition:
        return editions.update_edition(db(), current_actor(), slug, changes)


@blp.route("/<slug:slug>/coordinators")
class Coordinators(MethodView):
    @blp.access("coordinator", "admin")
    @blp.response(200, listing(CoordinatorReadSchema, "CoordinatorList"))
    @blp.errors(404)
    @blp.doc(summary="The edition's coordinators")
    def get(self, slug: str) -> dict[str, object]:
        return listed(editions.list_coordinators(db(), current_actor(), slug))

    @blp.access("admin")
    @blp.arguments(CoordinatorSchema)
    @blp.response(201, CoordinatorReadSchema)
    @blp.errors(404)
    @blp.rules(AN_EXISTING_ACCOUNT)
    @blp.doc(summary="Make an account a coordinator of the edition (administrators)")
    def post(self, body: dict[str, Any], slug: str) -> EditionCoordinator:
        return editions.assign_coordinator(db(), current_actor(), slug, email=body["email"])


@blp.route("/<slug:slug>/privacy-notice-versions", methods=["GET"])
@blp.access("coordinator", "admin")
@blp.response(200, listing(PrivacyNoticeVersionSchema, "PrivacyNoticeVersionList"))
@blp.errors(404)
@blp.doc(
    summary="Every version of the edition's privacy notice, the latest put in use first (its coordinators)",
    description="What each registration consented to: a registration's consent_version names one of these.",
)
def privacy_notice_versions(slug: str) -> dict[str, object]:
    return listed(editions.privacy_notice_versions(db(), current_actor(), slug))


@blp.route("/<slug:slug>/coordinators/<id:user_id>", methods=["DELETE"])
@blp.access("admin")
@blp.response(204)
@blp.errors(404)
@blp.doc(summary="Remove a coordinator from the edition (administrators)")
def unassign_coordinator(slug: str, user_id: int) -> None:
    editions.unassign_coordinator(db(), current_actor(), slug, user_id)
