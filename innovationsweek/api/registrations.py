"""Registrations: the public signs up for an activity and cancels with the link from its email;
organisers see (and export) their own participants, coordinators the counts."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Response, redirect, request, url_for
from flask.views import MethodView
from marshmallow import validate

from innovationsweek.activities.models import RegistrationMode
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import current_actor, db, runtime
from innovationsweek.api.headers import SECRET_LINK_PAGE
from innovationsweek.api.library_messages import N_
from innovationsweek.api.limits import REGISTRATIONS, rate_limited
from innovationsweek.api.schemas import EMAIL, Instant, ReadableText, StrictBoolean
from innovationsweek.editions.models import LANGUAGES
from innovationsweek.registrations import service as registrations
from innovationsweek.registrations.models import Registration, RegistrationStatus

blp = Blueprint(
    "registrations",
    __name__,
    url_prefix="/api/v1",
    description="Registering for activities and cancelling; organisers' participant lists",
)

CSV = "text/csv"
# A semicolon, as Excel expects in Swedish (and Danish) settings, where the comma is the decimal sign.
CSV_DELIMITER = ";"
CSV_COLUMNS = (
    "name",
    "email",
    "workplace",
    "position",
    "phone",
    "photo consent",
    "status",
    "registered at",
    "consent version",
)


class RegistrationCreateSchema(ma.Schema):
    name = ReadableText(200, required=True)
    email = ma.fields.Email(required=True, **EMAIL)
    workplace = ReadableText(200, required=True, metadata={"description": "Organisation or workplace"})
    position = ReadableText(200, required=True, metadata={"description": "Role or job title"})
    phone = ma.fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Regexp(r"^[0-9+()./ -]{0,40}$", error=N_("Digits, spaces and + ( ) - . / only.")),
    )
    photo_consent = StrictBoolean(
        required=True, metadata={"description": "Whether the participant agrees to appear in photos and film"}
    )
    consent = StrictBoolean(
        required=True,
        validate=validate.Equal(True, error=N_("Registering needs your consent to the privacy notice.")),
        metadata={
            "description": "Must be true: consent to the edition's privacy notice (GET /api/v1/editions/{slug}, "
            "privacy_notice), in the registration's `language` (else Swedish, English, Danish: the first it has)"
        },
    )
    website = ma.fields.String(
        load_default="", validate=validate.Length(max=2000), metadata={"description": "Leave this empty."}
    )
    language = ma.fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={
            "description": "The language registered in: the privacy notice consented to is its text, and every email "
            "about the registration is written in it. Default: the best match of Accept-Language, else the edition's "
            "own language"
        },
    )


class RegistrationReceiptSchema(ma.Schema):
    """What anyone registering is told; whether the address was registered already is only
    ever said to that address, by email."""

    status = ma.fields.Enum(RegistrationStatus, by_value=True, metadata={"description": "confirmed or waitlisted"})
    activity_id = ma.fields.Integer()
    position_on_waitlist = ma.fields.Integer(metadata={"description": "Only when waitlisted: 1 is next in line"})

    @ma.post_dump
    def _only_when_waiting(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if data.get("position_on_waitlist") is None:
            data.pop("position_on_waitlist", None)
        return data


class ParticipantSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()
    workplace = ma.fields.String()
    position = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    photo_consent = ma.fields.Boolean()
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    registered_at = Instant(attribute="created_at")
    consented_at = Instant()
    consent_version = ma.fields.String()
    promoted_at = Instant(allow_none=True, metadata={"description": "When a seat came free and the waitlist gave it"})
    cancelled_at = Instant(allow_none=True)


PARTICIPANTS = ma.Schema.from_dict(
    {"items": ma.fields.List(ma.fields.Nested(ParticipantSchema), required=True), "total": ma.fields.Integer(required=True)},
    name="ParticipantList",
)


class ParticipantQuerySchema(ma.Schema):
    format = ma.fields.String(
        validate=validate.OneOf(["json", "csv"]), metadata={"description": "csv for a spreadsheet (or Accept: text/csv)"}
    )


class RegistrationSummarySchema(ma.Schema):
    activity_id = ma.fields.Integer()
    mode = ma.fields.Enum(RegistrationMode, by_value=True)
    capacity = ma.fields.Integer(allow_none=True)
    registration_closed = ma.fields.Boolean()
    confirmed = ma.fields.Integer()
    waitlisted = ma.fields.Integer()
    cancelled = ma.fields.Integer()


# --- the public -------------------------------------------------------------------------------


@blp.route("/programme/activities/<id:activity_id>/registrations", methods=["POST"])
@blp.access("public")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@rate_limited("registration")
@blp.arguments(RegistrationCreateSchema)
@blp.response(
    201,
    RegistrationReceiptSchema,
    description="Registered: confirmed, or waitlisted when full. An address registered already gets the same answer "
    "(what a newcomer would get) and an email reminding it of its place, with a new cancel link",
)
@blp.errors(404, 409)
@blp.doc(
    summary="Register for an activity (consent required); the cancel link goes to the email given",
    description=f"At most {REGISTRATIONS} per client address (then 429 with Retry-After). 409 names its `reason`: "
    "`cancelled`, `not_registered_here`, `closed`, `started` or `no_privacy_notice`.",
)
def register(body: dict[str, Any], activity_id: int) -> Any:
    participant = registrations.Participant(
        name=body["name"],
        email=body["email"],
        workplace=body["workplace"],
        position=body["position"],
        phone=body["phone"],
        photo_consent=body["photo_consent"],
    )
    return registrations.register(
        db(),
        activity_id,
        participant,
        language=body.get("language") or request.accept_languages.best_match(LANGUAGES),
        public_url=runtime().settings.public_url,
        trap_filled=bool(body["website"].strip()),
    )


@blp.route("/registrations/<cancel_token>")
class RegistrationByToken(MethodView):
    @blp.access("public")
    @blp.response(303, description="To the cancel page (links in mails sent before it moved out of the API)")
    @blp.doc(summary="The cancel link of older mails: redirects to the page /registrations/{cancel_token}")
    def get(self, cancel_token: str) -> Response:
        response = redirect(url_for("pages.cancellation", cancel_token=cancel_token, **request.args), code=303)
        response.headers.update(SECRET_LINK_PAGE)
        return response

    @blp.access("public")
    @blp.response(204)
    @blp.errors(404)
    @blp.doc(summary="Cancel the registration (again: no change); the first on the waitlist gets the seat")
    def delete(self, cancel_token: str) -> None:
        registrations.cancel(db(), cancel_token, public_url=runtime().settings.public_url)


# --- organisers and coordinators --------------------------------------------------------------


@blp.route("/activities/<id:activity_id>/registrations")
@blp.access("organiser")
@blp.arguments(ParticipantQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, PARTICIPANTS)
@blp.errors(404)
@blp.doc(
    summary="The activity's participants, with personal data (members of the host organisation; every read is logged)",
    responses={
        "200": {
            "description": "JSON; or with ?format=csv or Accept: text/csv a spreadsheet (UTF-8 with BOM, ';'-separated)",
            "content": {"application/json": {"schema": PARTICIPANTS}, CSV: {"schema": {"type": "string"}}},
        }
    },
)
def participants(query: dict[str, Any], activity_id: int) -> Any:
    wants_csv = query.get("format") == "csv" or (
        query.get("format") is None and request.accept_mimetypes.best_match(["application/json", CSV]) == CSV
    )
    items = registrations.list_registrations(db(), current_actor(), activity_id, export=wants_csv)
    if not wants_csv:
        return {"items": items, "total": len(items)}
    return participants_download(items, activity_id, ZoneInfo(items[0].activity.edition.timezone) if items else None)


@blp.route("/activities/<id:activity_id>/registrations/summary")
@blp.access("organiser", "coordinator", "admin")
@blp.response(200, RegistrationSummarySchema)
@blp.errors(404)
@blp.doc(summary="Counts of confirmed, waitlisted and cancelled registrations, and the capacity (no personal data)")
def summary(activity_id: int) -> Any:
    return registrations.registration_summary(db(), current_actor(), activity_id)


@blp.route("/activities/<id:activity_id>/registration/close", methods=["POST"])
@blp.access("organiser", "admin")
@blp.response(200, RegistrationSummarySchema)
@blp.errors(404)
@blp.doc(summary="Close registration early (those registered stay; the waitlist still moves up)")
def close(activity_id: int) -> Any:
    return registrations.close_registration(db(), current_actor(), activity_id)


@blp.route("/activities/<id:activity_id>/registration/open", methods=["POST"])
@blp.access("organiser", "admin")
@blp.response(200, RegistrationSummarySchema)
@blp.errors(404)
@blp.doc(summary="Open registration again after closing it")
def reopen(activity_id: int) -> Any:
    return registrations.open_registration(db(), current_actor(), activity_id)


# --- a spreadsheet ----------------------------------------------------------------------------


def participants_download(items: list[Registration], activity_id: int, timezone: ZoneInfo | None) -> Response:
    """The spreadsheet as a download that no cache keeps (the API's and the organisers' page's)."""
    response = Response(participants_csv(items, timezone), mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="registrations-{activity_id}.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def participants_csv(items: list[Registration], timezone: ZoneInfo | None) -> bytes:
    """UTF-8 with a byte order mark (Excel reads å, ä and ö right only with it), one row per
    registration, times in the edition's time zone."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow(
            [
                _cell(item.name),
                _cell(item.email),
                _cell(item.workplace),
                _cell(item.position),
                _cell(item.phone, phone=True),
                "yes" if item.photo_consent else "no",
                item.status.value,
                _local(item.created_at, timezone),
                _cell(item.consent_version),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


PHONE_CHARACTERS = frozenset("0123456789+()./- ")


def _cell(value: str | None, *, phone: bool = False) -> str:
    """What participants typed, made harmless for a spreadsheet: a cell that starts like a
    formula (=, +, -, @) is prefixed with ' so that Excel shows it rather than runs it. A phone
    number such as +46 13 20 60 00 is left as it is."""
    text = value or ""
    if phone and set(text) <= PHONE_CHARACTERS:
        return text
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _local(moment: datetime, timezone: ZoneInfo | None) -> str:
    return (moment.astimezone(timezone) if timezone else moment).strftime("%Y-%m-%d %H:%M")

