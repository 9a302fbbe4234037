"""Participants' privacy: a copy of their data by email, and erasure through an emailed link.

Both requests answer 202 with the same body whether or not the address is known. The link in
the erasure email opens a page that only asks to confirm (mail scanners follow links); the
page's button posts the confirmation.
"""

from __future__ import annotations

import html
from typing import Any

import marshmallow as ma
from flask import Response, request, url_for
from flask_babel import gettext as _

from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import db, runtime
from innovationsweek.api.limits import LIMITS, rate_limited
from innovationsweek.api.pages import HTML, expired_link_is_gone, language_asked, page
from innovationsweek.api.schemas import EMAIL
from innovationsweek.api.urls import public_url_for
from innovationsweek.privacy import service as privacy

blp = Blueprint(
    "privacy",
    __name__,
    url_prefix="/api/v1/privacy",
    description="Participants' personal data: a copy by email, or erasure",
)

REQUEST_LIMIT = f"At most {LIMITS['privacy_request'][0]} per client address, then 429 with Retry-After."
ACCEPTED = "If we hold registrations for this address, we have sent an email to it."


class EmailRequestSchema(ma.Schema):
    email = ma.fields.Email(required=True, **EMAIL)


class AcceptedSchema(ma.Schema):
    detail = ma.fields.String(metadata={"example": ACCEPTED})


class ErasedSchema(ma.Schema):
    erased_registrations = ma.fields.Integer(metadata={"description": "Registrations erased now (0 when confirmed again)"})
    detail = ma.fields.String()


@blp.route("/data-requests", methods=["POST"])
@blp.access("public")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@rate_limited("privacy_request")
@blp.arguments(EmailRequestSchema)
@blp.response(202, AcceptedSchema)
@blp.doc(
    summary="Ask for your data: every registration made with the address is emailed to it",
    description="The answer is the same whether or not the address is known. " + REQUEST_LIMIT,
)
def data_request(body: dict[str, Any]) -> dict[str, str]:
    privacy.request_data(db(), body["email"])
    return {"detail": ACCEPTED}


@blp.route("/erasure-requests", methods=["POST"])
@blp.access("public")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
@rate_limited("privacy_request")
@blp.arguments(EmailRequestSchema)
@blp.response(202, AcceptedSchema)
@blp.doc(
    summary="Ask for erasure: a confirmation link is emailed to the address",
    description="The answer is the same whether or not the address is known; the link expires. " + REQUEST_LIMIT,
)
def erasure_request(body: dict[str, Any]) -> dict[str, str]:
    privacy.request_erasure(db(), body["email"], secret_key=runtime().settings.secret_key, link_for=_page_url)
    return {"detail": ACCEPTED}


@blp.route("/erasure-requests/<token>", methods=["GET"])
@blp.access("public")
@blp.response(200, content_type=HTML, description="A page whose button posts the confirmation")
@blp.errors(404)
@blp.alt_response(410, response="GONE")
@blp.doc(
    summary="The page an erasure link opens: it asks to confirm and erases nothing itself",
    description="In the language `?lang=` names (sv, da, en; the mailed link carries that of the mail), else as "
    "Accept-Language asks.",
)
def erasure_page(token: str) -> Response:
    with expired_link_is_gone(privacy.ErasureLinkExpired):
        address = privacy.address_in_erasure_token(token, secret_key=runtime().settings.secret_key)
    action = url_for("privacy.confirm_erasure", token=token, **language_asked())
    warning = _(
        "The personal data of every registration made with %(address)s will be erased, and places on activities still to "
        "come given up. This cannot be undone.",
        address=address,
    )
    button = _("Erase")
    return page(
        _("Erase your data"),
        f"<p>{html.escape(warning)}</p>"
        f'<form method="post" action="{html.escape(action)}"><button type="submit">{html.escape(button)}</button></form>',
    )


@blp.route("/erasure-requests/<token>/confirm", methods=["POST"])
@blp.access("public")
@blp.response(200, ErasedSchema, description="Erased; a browser's form (Accept: text/html) gets a page saying so")
@blp.errors(404)
@blp.alt_response(410, response="GONE")
@blp.doc(summary="Confirm an erasure: the personal data of every registration of the address goes")
def confirm_erasure(token: str) -> Response | dict[str, Any]:
    with expired_link_is_gone(privacy.ErasureLinkExpired):
        settings = runtime().settings
        erased = privacy.confirm_erasure(db(), token, secret_key=settings.secret_key, public_url=settings.public_url)
    if request.accept_mimetypes.best_match(["application/json", HTML]) == HTML:
        said = _("We have erased the personal data of your registrations.")
        return page(_("Your data is erased"), f"<p>{html.escape(said)}</p>")
    return {"erased_registrations": erased, "detail": f"The personal data of {erased} registration(s) was erased."}


def _page_url(token: str, language: str) -> str:
    # A forged Host would otherwise send the participant's secret link to someone else's server.
    return public_url_for("privacy.erasure_page", token=token, lang=language)
