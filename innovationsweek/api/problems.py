"""Every error leaves the API as ``application/problem+json`` (RFC 9457), from one place.

Validation failures (422) carry an ``errors`` list of ``{"detail", "pointer"}`` (JSON Pointer
into the body) or ``{"detail", "parameter"}`` (a query string or header name), one per field.
"""

from __future__ import annotations

import http
import logging
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import validate
from flask import Flask, Response, json, request
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from innovationsweek.api.library_messages import in_callers_language
from innovationsweek.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Message,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The languages a problem's ``detail`` is written in, chosen by ``Accept-Language`` alone (not
# the pages' cookie: a partner's client sends no cookie), English when none of them is asked for.
DETAIL_LANGUAGES = ("en", "sv", "da")
log = logging.getLogger(__name__)
# Metadata of a text field that repeats what the caller sent, such as a pointer to a key holding
# a NUL: the document does not promise that it holds none (see document.py).
ECHOES_REQUEST = "echoes_request"

DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    PreconditionFailed: 412,
    PreconditionRequired: 428,
}


class FieldErrorSchema(ma.Schema):
    detail = ma.fields.String(required=True)
    pointer = ma.fields.String(metadata={"description": "JSON Pointer to the field in the request body", ECHOES_REQUEST: True})
    parameter = ma.fields.String(metadata={"description": "Query parameter or header at fault", ECHOES_REQUEST: True})


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details (documentation only: responses are built by ``problem``)."""

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(metadata={"example": "Unprocessable Content"})
    status = ma.fields.Integer(metadata={"example": 422})
    detail = ma.fields.String(metadata={"example": "The request body has invalid fields."})
    instance = ma.fields.String(metadata={"example": "/api/v1/organisations"})
    errors = ma.fields.List(ma.fields.Nested(FieldErrorSchema))
    # Extension members (RFC 9457 section 3.2) that some problems carry, so that a client can
    # act on them without reading the detail:
    state = ma.fields.String(metadata={"description": "409 of an activity's transition: its current status"})
    allowed = ma.fields.List(ma.fields.String(), metadata={"description": "409 of an activity's transition: what may be done instead"})
    reason = ma.fields.String(
        validate=validate.OneOf(["cancelled", "not_registered_here", "closed", "started", "no_privacy_notice", "notice_changed"]),
        metadata={"description": "409 of a registration: why it is not possible"},
    )
    answer = ma.fields.String(
        validate=validate.OneOf(["accepted", "declined"]), metadata={"description": "409 of a co-organiser invitation: the answer it already has"}
    )
    starts_at = ma.fields.String(metadata={"description": "409 of an early report: when the activity starts"})
    current_version = ma.fields.Integer(metadata={"description": "412: the activity's current version (its ETag)"})
    organisations = ma.fields.List(
        ma.fields.Nested(ma.Schema.from_dict({"id": ma.fields.Integer(), "name": ma.fields.String()}, name="ProblemOrganisation")),
        metadata={"description": "409 of an account deletion: the organisations it is the last owner of"},
    )


def detail_language() -> str:
    """The language of this request's problem details: ``Accept-Language``'s best match, or English."""
    return request.accept_languages.best_match(DETAIL_LANGUAGES) or DETAIL_LANGUAGES[0]


def problem(
    status: int,
    detail: Message | None = None,
    *,
    errors: list[dict[str, Message]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """The problem's body, its ``detail`` and field errors' details written (from lazy messages,
    or from a library's English that the catalogue knows) in the language ``Accept-Language``
    chose; ``type`` and ``title`` stay English for partners."""
    language = detail_language()
    detail = in_callers_language(detail or http.HTTPStatus(status).description)
    errors = [{**error, "detail": in_callers_language(error["detail"])} for error in errors or ()]
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": http.HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
        **extensions,
    }
    if errors:
        body["errors"] = errors
    with force_locale(language):
        text = json.dumps(body)  # a lazy message becomes text here, in the chosen language
    response = Response(text, status=status, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.update(headers or {})
    # A detail that is no message of the catalogue is English whatever was asked.
    translated = isinstance(detail, LazyString) or any(isinstance(error["detail"], LazyString) for error in errors)
    response.content_language.add(language if translated else DETAIL_LANGUAGES[0])
    response.vary.add("Accept-Language")
    return response


def handle_http_exception(error: HTTPException) -> Response:
    if isinstance(error, InternalServerError):
        return handle_unexpected(error.original_exception or error)
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if "messages" in data:
        errors = field_errors(data["messages"], data.get("schema"))
        detail = _l("The request body is not valid JSON.") if error.code == 400 else _l("The request has invalid fields; see errors.")
        return problem(error.code or 422, detail, errors=errors, headers=headers)
    detail = data.get("message") or error.description
    return problem(error.code or 500, detail, headers=headers)


def handle_domain_error(error: DomainError) -> Response:
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind))
    extra = dict(error.extra)
    field, parameter = extra.pop("field", None), extra.pop("parameter", None)
    errors = None
    if field:
        errors = [{"detail": error.detail, "pointer": "".join(f"/{_escape(t)}" for t in field.split("."))}]
    elif parameter:
        errors = [{"detail": error.detail, "parameter": parameter}]
    headers = {"WWW-Authenticate": 'Bearer realm="innovationsweek"'} if status == 401 else None
    return problem(status, error.detail, errors=errors, headers=headers, **extra)


def handle_integrity_error(error: IntegrityError) -> Response:
    # Races the service checks cannot see (two requests creating the same thing at once) end
    # here; the request's transaction is rolled back by the request teardown.
    log.info("integrity error mapped to 409: %s", error.orig)
    return problem(409, _l("The request conflicts with data that already exists."))


def handle_stale_data(error: StaleDataError) -> Response:
    # Two requests changed the same version of a row at once (an activity's version column):
    # both passed the service's version check, the database let only the first through. To the
    # one that sent If-Match its precondition failed; to one that did not, it is a conflict.
    log.info("concurrent change mapped to 409/412: %s", error)
    status = 412 if request.headers.get("If-Match") else 409
    return problem(status, _l("Someone changed this at the same moment; load it again and redo your change."))


# The database is down or restarting (connections refused or dropped, none free in time). The
# request changed nothing (its transaction is rolled back): the caller may simply try again.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_RETRY_SECONDS = 5


def handle_database_unavailable(error: Exception) -> Response:
    log.warning("database unavailable: %s", error)
    return problem(
        503,
        _l("The database is not available just now; nothing was changed. Try again in a few seconds."),
        headers={"Retry-After": str(DATABASE_RETRY_SECONDS)},
    )


def handle_unexpected(error: BaseException) -> Response:
    if isinstance(error, DATABASE_UNAVAILABLE):  # raised anywhere, a commit in after_request too
        return handle_database_unavailable(error)
    log.exception("unhandled error", exc_info=error)
    return problem(500, _l("Something went wrong on our side; it has been logged."))


def field_errors(messages: Mapping[str, Any], schema: ma.Schema | None = None) -> list[dict[str, Message]]:
    """Flatten webargs' ``{"json": {"venue": {"name": ["..."]}}}`` into RFC 9457 field errors."""
    errors: list[dict[str, Message]] = []
    for location, fields in messages.items():
        for path, detail in _leaves(fields, ()):
            path = tuple(token for token in path if token != "_schema")  # "_schema": the object itself
            path = _body_path(schema, path, items=getattr(schema, "many", False))
            if location == "json":
                errors.append({"detail": detail, "pointer": "".join(f"/{_escape(token)}" for token in path)})
            else:
                errors.append({"detail": detail, "parameter": ".".join(path)})
    return errors


def _leaves(messages: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Message]]:
    if isinstance(messages, Mapping):
        return [leaf for key, value in messages.items() for leaf in _leaves(value, (*path, str(key)))]
    if isinstance(messages, list):
        return [leaf for item in messages for leaf in _leaves(item, path)]
    return [(path, messages if isinstance(messages, str | LazyString) else str(messages))]


def _body_path(node: Any, path: tuple[str, ...], *, items: bool = False) -> tuple[str, ...]:
    """``path`` without the ``"key"``/``"value"`` level marshmallow puts under each entry of a
    Dict field, which is not in the body: ``/name/xx/key`` points at ``/name/xx``. ``node`` is
    the schema or field the path starts in; ``items``: the path starts with a list index."""
    if not path:
        return path
    token, rest = path[0], path[1:]
    if isinstance(node, ma.fields.Nested):
        return _body_path(node.schema, path, items=node.many)
    if isinstance(node, ma.Schema) and items:
        return (token, *_body_path(node, rest))
    if isinstance(node, ma.Schema):
        fields = {field.data_key or name: field for name, field in node.fields.items()}
        return (token, *_body_path(fields.get(token), rest))
    if isinstance(node, ma.fields.List):
        return (token, *_body_path(node.inner, rest))
    if isinstance(node, ma.fields.Mapping) and rest[:1] in {("key",), ("value",)}:
        return (token, *_body_path(node.value_field if rest[0] == "value" else None, rest[1:]))
    return path


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def register_problem_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(Exception, handle_unexpected)
