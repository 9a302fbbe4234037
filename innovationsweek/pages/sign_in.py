"""Signing in to the organisers' and coordinators' screens.

The session cookie (Flask's, signed, HttpOnly, SameSite=Lax, Secure over https) holds an access
token of the accounts service: the same tokens as the API's Bearer tokens, so one rule decides
who someone is, and signing out revokes the token on the server, not only in the browser. Each
sign-in starts a new session (the old cookie's contents, CSRF secret included, are dropped); a
session ends after :data:`IDLE_TIMEOUT` without a request, and at the latest after
:data:`SESSION_LIFETIME`. Signing in is throttled by the API's own limits, per address and per
account. Every answer to a signed-in screen is ``Cache-Control: no-store``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import InputRequired

from innovationsweek.accounts import service as accounts
from innovationsweek.actors import Actor
from innovationsweek.api.context import db
from innovationsweek.api.limits import rate_limited
from innovationsweek.editions.service import editions_coordinated_by
from innovationsweek.organisations.service import memberships_of
from innovationsweek.errors import NotAuthenticated, NotFound
from innovationsweek.pages.views import bp, lang_in_url, local_path, render_page

SESSION_LIFETIME = timedelta(hours=12)
# Long enough to write an activity's description; short enough for a shared office computer.
IDLE_TIMEOUT = timedelta(minutes=30)
TOKEN = "token"
SEEN = "seen"
HOME = "/organiser/"
COORDINATOR_HOME = "/coordinator/"


class SignInForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password."))])
    next = HiddenField()


class SignOutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST, so that no link or image can do it."""


@bp.get("/login")
def login() -> BaseResponse:
    actor = signed_in_actor()
    if actor is not None:
        return redirect(_after_sign_in(request.args.get("next"), actor), 303)
    form = SignInForm(next=request.args.get("next", ""))
    return _login_page(form, status=200)


@bp.post("/login")
@rate_limited("sign_in", "sign_in_account")
def login_submitted() -> BaseResponse:
    form = SignInForm()
    if not form.validate():
        return _login_page(form, status=400)
    try:
        issued = accounts.issue_token(db(), email=form.email.data, password=form.password.data, lifetime=SESSION_LIFETIME)
    except NotAuthenticated:
        form.form_errors.append(_("The email address or the password is wrong."))
        # Not 401: that must challenge an HTTP authentication scheme (RFC 9110 15.5.2), and a
        # form has none. Refused as the form's other refusals are.
        return _login_page(form, status=400)
    start_session(issued)
    return redirect(_after_sign_in(form.next.data, accounts.authenticate_token(db(), issued.token)), 303)


@bp.post("/logout")
def logout() -> BaseResponse:
    form = SignOutForm()
    if form.validate():  # a page elsewhere cannot sign anyone out
        _end_session()
    return redirect(url_for("pages.login", signed_out=1), 303)


def signed_in(view: Callable[..., Any]) -> Callable[..., Response]:
    """The view for signed-in people only: anyone else goes to the sign-in page, and comes back
    here after it. The view's actor is ``g.actor`` (what the API's ``current_actor`` reads)."""

    @functools.wraps(view)
    def screen(*args: Any, **kwargs: Any) -> Response:
        actor = signed_in_actor()
        if actor is None:
            return _no_store(redirect(url_for("pages.login", next=request.full_path.rstrip("?"), **lang_in_url()), 303))
        g.actor = actor
        return _no_store(make_response(view(*args, **kwargs)))

    return screen


def signed_in_actor() -> Actor | None:
    """Who this browser's session belongs to, or None (never signed in, signed out, idle too long,
    or the token was revoked or ran out). A session in use stays alive."""
    token = session.get(TOKEN)
    if not isinstance(token, str):
        return None
    now = int(time.time())
    if now - int(session.get(SEEN, 0)) > IDLE_TIMEOUT.total_seconds():
        _end_session()
        return None
    try:
        actor = accounts.authenticate_token(db(), token)
    except NotAuthenticated:
        session.clear()
        return None
    session[SEEN] = now
    return actor


def start_session(issued: accounts.IssuedToken) -> None:
    """A new session for ``issued``: whatever the browser's cookie held before is dropped (its
    token revoked), so a session fixed by someone else before sign-in is worth nothing."""
    _end_session()
    session[TOKEN] = issued.token
    session[SEEN] = int(time.time())


def sign_out_form() -> SignOutForm:
    return SignOutForm()


def _end_session() -> None:
    """Forget the browser's session, and revoke its token so that a copied cookie is worth nothing."""
    token = session.get(TOKEN)
    session.clear()
    if isinstance(token, str):
        try:
            accounts.revoke_token(db(), token)
        except NotFound:
            pass  # revoked and purged already


def _after_sign_in(target: str | None, actor: Actor) -> str:
    """Back to the page that sent the person here, on this site; else their screens: the
    coordinators' for someone who coordinates but belongs to no organisation."""
    path = local_path(target or "/")
    if path != "/":
        return path
    user = actor.require_user()
    coordinates = actor.is_admin or bool(editions_coordinated_by(db(), user))
    return COORDINATOR_HOME if coordinates and not memberships_of(db(), user) else HOME


def _login_page(form: SignInForm, *, status: int) -> Response:
    return _no_store(
        render_page(
            "login.html", status, form=form, signed_out=bool(request.args.get("signed_out")), password_reset=bool(request.args.get("reset"))
        )
    )


def _no_store(response: BaseResponse) -> Response:
    # A screen with someone's own data, or a form with their CSRF token: never kept by any cache.
    response.headers["Cache-Control"] = "no-store"
    return response
