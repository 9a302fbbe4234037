"""Per-request plumbing: one database session and one actor per request, one commit at its end."""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from innovationsweek.accounts.service import authenticate_token
from innovationsweek.actors import ANONYMOUS, Actor
from innovationsweek.api.guards import BODY_METHODS, register_input_guards
from innovationsweek.api.problems import (
    DATABASE_UNAVAILABLE,
    handle_database_unavailable,
    handle_integrity_error,
    handle_stale_data,
    problem,
)
from innovationsweek.credentials import PARTNER_KEY_PREFIX
from innovationsweek.errors import NotAuthenticated
from innovationsweek.partners.service import authenticate_partner
from innovationsweek.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["innovationsweek"]


def db() -> Session:
    if "db" not in g:
        g.db = runtime().database.sessions()
    return g.db


def current_actor() -> Actor:
    if "actor" not in g:
        g.actor = _authenticate()
    return g.actor


def bearer_credential() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, credential = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not credential.strip():
        raise NotAuthenticated(_l("Use 'Authorization: Bearer <token or API key>'."))
    return credential.strip()


def _authenticate() -> Actor:
    credential = bearer_credential()
    if credential is None:
        return ANONYMOUS
    if credential.startswith(PARTNER_KEY_PREFIX):
        return authenticate_partner(db(), credential)
    return authenticate_token(db(), credential)


API_PREFIX = "/api/"


def _refuse_non_json_bodies() -> Response | None:
    # The API takes JSON; the pages' forms post form data to their own paths.
    if request.path.startswith(API_PREFIX) and request.method in BODY_METHODS and request.content_length and not request.is_json:
        return problem(415, _l("Send the request body as application/json."))
    return None


def _commit_successful_requests(response: Response) -> Response:
    session: Session | None = g.get("db")
    if session is None or not session.in_transaction():  # nothing read or written: nothing to end
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        return handle_integrity_error(error)
    except StaleDataError as error:  # the commit's own flush lost a race
        session.rollback()
        return handle_stale_data(error)
    except DATABASE_UNAVAILABLE as error:  # the database went away before the commit
        session.rollback()
        return handle_database_unavailable(error)
    return response


def _close_session(_error: BaseException | None) -> None:
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.close()


def register_request_context(app: Flask) -> None:
    app.before_request(_refuse_non_json_bodies)
    register_input_guards(app)
    app.after_request(_commit_successful_requests)
    app.teardown_request(_close_session)
