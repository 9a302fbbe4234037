"""Registering, signing in (Bearer tokens), who am I, and the administrators' account list."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import marshmallow as ma
from flask import Response, request, url_for
from flask.views import MethodView
from flask_babel import get_locale
from flask_babel import gettext as _
from marshmallow import validate

from innovationsweek.accounts import service as accounts
from innovationsweek.accounts.models import User
from innovationsweek.api.blueprint import Blueprint
from innovationsweek.api.context import bearer_credential, current_actor, db, runtime
from innovationsweek.api.limits import LIMITS, rate_limited
from innovationsweek.api.pages import HTML, expired_link_is_gone, language_asked, page
from innovationsweek.api.schemas import EMAIL, Extended, ReadableText, listed, listing
from innovationsweek.api.urls import public_url_for
from innovationsweek.editions.service import editions_coordinated_by
from innovationsweek.organisations.models import MemberRole
from innovationsweek.organisations.service import memberships_of
from innovationsweek.translations import LANGUAGES

auth = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and Bearer tokens")
users = Blueprint("users", __name__, url_prefix="/api/v1/users", description="Accounts, for administrators")


def _limits_text(per_address: str, per_account: str) -> str:
    return (
        f"At most {LIMITS[per_address].rate} per client address and {LIMITS[per_account].rate} per account "
        "(the email, whether or not it has one), then 429 with Retry-After."
    )


class RegisterSchema(ma.Schema):
    email = ma.fields.Email(required=True, **EMAIL)
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=accounts.MIN_PASSWORD_LENGTH, max=1024))
    name = ReadableText(200, required=True)


SIGNED_UP = "We have sent an email to the address. Follow its link to finish, then sign in."


class SignedUpSchema(ma.Schema):
    detail = ma.fields.String(metadata={"example": SIGNED_UP})


class AccountSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    email = ma.fields.Email()
    name = ma.fields.String()
    is_admin = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()
    language = ma.fields.String(
        allow_none=True,
        metadata={"description": "The language of the mails to the account (sv, da, en): the one signed up in, or "
                  "chosen since; null for its organisation's or edition's"},
    )


class AccountChangeSchema(ma.Schema):
    language = ma.fields.String(required=True, validate=validate.OneOf(LANGUAGES), metadata={"description": "sv, da or en"})


class TokenRequestSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class TokenSchema(ma.Schema):
    token = ma.fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    expires_at = ma.fields.AwareDateTime()


class MyOrganisationSchema(ma.Schema):
    id = ma.fields.Integer(attribute="organisation.id")
    name = ma.fields.String(attribute="organisation.name")
    role = ma.fields.Enum(MemberRole, by_value=True)


class MeSchema(AccountSchema):
    organisations = ma.fields.List(ma.fields.Nested(MyOrganisationSchema))
    coordinates = ma.fields.List(ma.fields.String(), metadata={"description": "Slugs of the editions this person coordinates"})


class PasswordSchema(ma.Schema):
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=1024))


class UserQuerySchema(ma.Schema):
    email = ma.fields.String(validate=validate.Length(max=254))


@auth.route("/register", methods=["POST"])
@auth.access("public")
@auth.alt_response(429, response="TOO_MANY_REQUESTS")
@rate_limited("sign_up", "sign_up_account")
@auth.arguments(RegisterSchema)
@auth.response(202, SignedUpSchema)
@auth.doc(
    summary="Sign up (email, password, name): a link to confirm is emailed to the address",
    description="The answer is the same whether or not the address has an account: an unknown address gets a "
    "link whose page confirms the sign-up (the account can sign in after that), a known one an email saying "
    "it has an account, which stays as it was. A newer sign-up replaces an unconfirmed one and its link. "
    "The mail is in the language of the request (`?lang=`, else Accept-Language), and the account keeps it for "
    "the mails it gets later. "
    + _limits_text("sign_up", "sign_up_account"),
)
def register(body: dict[str, Any]) -> dict[str, str]:
    accounts.sign_up(db(), **body, language=str(get_locale()), link_for=_sign_up_page_url)
    return {"detail": SIGNED_UP}


@auth.route("/sign-ups/<token>", methods=["GET"])
@auth.access("public")
@auth.response(200, content_type=HTML, description="A page whose button posts the confirmation")
@auth.errors(404)
@auth.alt_response(410, response="GONE")
@auth.doc(
    summary="The page a sign-up link opens: it asks to confirm and creates nothing itself",
    description="In the language `?lang=` names (sv, da, en; the mailed link carries the one signed up in), else as "
    "Accept-Language asks.",
)
def sign_up_page(token: str) -> Response:
    with expired_link_is_gone(accounts.SignUpLinkExpired):
        address = accounts.sign_up_address(db(), token)
    action = url_for("auth.confirm_sign_up", token=token, **language_asked())
    said = _("An account is created for %(address)s, with the password chosen when signing up.", address=address)
    button = _("Confirm")
    return page(
        _("Confirm your account"),
        f"<p>{html.escape(said)}</p>"
        f'<form method="post" action="{html.escape(action)}"><button type="submit">{html.escape(button)}</button></form>',
    )


@auth.route("/sign-ups/<token>/confirm", methods=["POST"])
@auth.access("public")
@auth.response(201, AccountSchema, description="The account; a browser's form (Accept: text/html) gets a page saying so")
@auth.errors(404, 409)
@auth.alt_response(410, response="GONE")
@auth.doc(summary="Confirm a sign-up: the account is created and can sign in")
def confirm_sign_up(token: str) -> Response | User:
    with expired_link_is_gone(accounts.SignUpLinkExpired):
        user = accounts.confirm_sign_up(db(), token)
    if request.accept_mimetypes.best_match(["application/json", HTML]) == HTML:
        said = _("You can now sign in with your email address and password.")
        return page(_("Your account is ready"), f"<p>{html.escape(said)}</p>")
    return user


def _sign_up_page_url(token: str, language: str) -> str:
    # From the configured public address, never the request's Host header: a forged one would
    # send the secret link to someone else's server.
    return public_url_for("auth.sign_up_page", token=token, lang=language)


@auth.route("/tokens", methods=["POST"])
@auth.access("public")
@auth.alt_response(429, response="TOO_MANY_REQUESTS")
@rate_limited("sign_in", "sign_in_account")
@auth.arguments(TokenRequestSchema)
@auth.response(201, TokenSchema)
@auth.alt_response(401, response="UNAUTHORIZED")
@auth.doc(
    summary="Sign in: exchange email and password for a Bearer token",
    description=_limits_text("sign_in", "sign_in_account"),
)
def create_token(body: dict[str, Any]) -> accounts.IssuedToken:
    lifetime = timedelta(days=runtime().settings.token_lifetime_days)
    return accounts.issue_token(db(), email=body["email"], password=body["password"], lifetime=lifetime)


@auth.route("/tokens/current", methods=["DELETE"])
@auth.access("account")
@auth.response(204)
@auth.doc(summary="Sign out: revoke the token this request is made with")
def revoke_current_token() -> None:
    credential = bearer_credential()
    assert credential is not None  # access() has authenticated it
    accounts.revoke_token(db(), credential)


@auth.route("/me")
@auth.access("account")
@auth.response(200, MeSchema)
@auth.doc(summary="The signed-in account with its organisations and coordinated editions")
def me() -> Extended:
    user = current_actor().require_user()
    return Extended(
        user,
        organisations=memberships_of(db(), user),
        coordinates=[edition.slug for edition in editions_coordinated_by(db(), user)],
    )


@auth.route("/me", methods=["PATCH"])
@auth.access("account")
@auth.arguments(AccountChangeSchema)
@auth.response(200, AccountSchema)
@auth.doc(summary="Choose the language of the mails to your account (reminders, moderation, password reset)")
def change_me(body: dict[str, Any]) -> User:
    return accounts.set_language(db(), current_actor(), body["language"])


@auth.route("/me", methods=["DELETE"])
@auth.access("account")
@auth.arguments(PasswordSchema)
@auth.response(204)
@auth.errors(409)
@auth.doc(
    summary="Delete your own account (give your password again)",
    description="Your tokens and memberships go; activities you created, the programme and the audit log stay. "
    "Refused (409) while you are the last owner of an organisation that has other members.",
)
def delete_me(body: dict[str, Any]) -> None:
    accounts.delete_own_account(db(), current_actor(), password=body["password"])


@users.route("")
class Users(MethodView):
    @users.access("admin")
    @users.arguments(UserQuerySchema, location="query")
    @users.response(200, listing(AccountSchema, "AccountList"))
    @users.doc(summary="List accounts (optionally the one with an email)")
    def get(self, query: dict[str, Any]) -> dict[str, object]:
        return listed(accounts.list_users(db(), current_actor(), email=query.get("email")))


@users.route("/<id:user_id>", methods=["DELETE"])
@users.access("admin")
@users.response(204)
@users.errors(404, 409)
@users.doc(summary="Delete an account, as in DELETE /api/v1/auth/me but without the password")
def delete_user(user_id: int) -> None:
    accounts.delete_account(db(), current_actor(), user_id)
