"""The HTTP entrypoint: flask-smorest blueprints that translate requests to service calls."""

from __future__ import annotations

import http
from importlib.resources import files

import flask
import flask_smorest
import marshmallow as ma
from flask import Flask, Response
from flask_smorest.utils import prepare_response

from innovationsweek.api import (
    accounts,
    activities,
    editions,
    health,
    logs,
    moderation,
    organisations,
    partners,
    privacy,
    programme,
    registrations,
    reports,
    solutions,
    webhooks,
)
from innovationsweek.api.blueprint import declare_roles
from innovationsweek.api.context import register_request_context
from innovationsweek.api.document import strict_plugin
from innovationsweek.api.headers import register_headers
from innovationsweek.api.limits import init_limits
from innovationsweek.api.problems import PROBLEM_MEDIA_TYPE, ProblemSchema, register_problem_handlers
from innovationsweek.api.schemas import SLUG_PATTERN, IdConverter, SlugConverter

API_DESCRIPTION = """\
The coordination platform of a national innovation week: organisations submit activities,
national coordinators moderate them into one programme, partners republish it.

Authenticate with `Authorization: Bearer <token>` (from `POST /api/v1/auth/tokens`) or, for
partners, `Authorization: Bearer <api_key>`. Each operation lists in `x-roles` who may call it:
`public`, `account` (any signed-in person), `organiser` (a member of the organisation concerned),
`coordinator` (of the edition concerned), `admin`, `partner`.
Errors are `application/problem+json` (RFC 9457); 422 answers list every invalid field; 503
(with `Retry-After`) means the database is briefly unavailable and nothing was changed. An
operation whose fields must also agree with each other, with stored data (an organisation that
exists) or with a rule on the content of a text lists those rules in `x-rules`: breaking one is
answered 422 naming the field, though the schema allows the request.
The `public` reads (GET) answer CORS (`Access-Control-Allow-Origin: *`, no credentials) so that
partners' sites can read them from the browser; nothing else does.
"""
# Swagger UI's files as flask-swagger-ui ships them, served by this service: the docs page
# works offline and its Content-Security-Policy needs no other host.
SWAGGER_UI_URL = "/api/docs/swagger-ui/"
swagger_ui_files = flask.Blueprint(
    "swagger_ui", __name__, static_folder=str(files("flask_swagger_ui") / "dist"), static_url_path=SWAGGER_UI_URL.rstrip("/")
)


# Every 401 challenges the caller to bring a Bearer token (RFC 9110 15.5.2: it must), and every
# 429 and 503 says when to try again (problems.py and limits.py send them).
RESPONSE_HEADERS = {
    http.HTTPStatus.UNAUTHORIZED: {
        "WWW-Authenticate": {"description": "The challenge: `Bearer realm=\"innovationsweek\"`", "schema": {"type": "string"}}
    },
    http.HTTPStatus.TOO_MANY_REQUESTS: {
        "Retry-After": {"description": "Seconds until the limit lets the caller through again", "required": True, "schema": {"type": "integer"}}
    },
    http.HTTPStatus.SERVICE_UNAVAILABLE: {
        "Retry-After": {"description": "Seconds to wait for the database before trying again", "required": True, "schema": {"type": "integer"}}
    },
}


class Api(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema

    def _openapi_json(self) -> Response:
        return super()._openapi_json()

    # The document is a public read like the programme (CORS included): partners' tools fetch it.
    declare_roles(_openapi_json, frozenset({"public"}))

    def _register_error_handlers(self) -> None:
        register_problem_handlers(self._app)

    def _register_responses(self) -> None:
        # As flask-smorest's, but documented with the problem+json media type we answer with,
        # and with the headers that always come with some of them.
        for status in http.HTTPStatus:
            response: dict[str, object] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            if status in RESPONSE_HEADERS:
                response["headers"] = RESPONSE_HEADERS[status]
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def init_api(app: Flask) -> Api:
    app.config.update(
        API_TITLE="innovationsweek",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=SWAGGER_UI_URL,
        API_SPEC_OPTIONS={
            "info": {"description": API_DESCRIPTION},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.url_map.converters.update(id=IdConverter, slug=SlugConverter)  # before any route uses them
    # First, so that its after_request runs last: over the answer a failed commit replaces.
    register_headers(app)
    register_request_context(app)
    app.register_blueprint(swagger_ui_files)
    init_limits(app, app.extensions["innovationsweek"])
    api = Api(app, spec_kwargs={"marshmallow_plugin": strict_plugin(schema_name_resolver=schema_name)})
    api.register_converter(SlugConverter, lambda _converter: {"type": "string", "pattern": f"^{SLUG_PATTERN}$"})
    for module in (health, accounts, organisations, editions, activities, moderation, programme, registrations, reports, solutions, partners, webhooks, privacy, logs):
        for blueprint in _blueprints_of(module):
            api.register_blueprint(blueprint)
    return api


def schema_name(schema: type[ma.Schema] | ma.Schema) -> str:
    """Component names: ``OrganisationSchema`` -> ``Organisation``; a partial (PATCH) instance
    -> ``OrganisationPatch``."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    return name + "Patch" if not isinstance(schema, type) and schema.partial else name


def _blueprints_of(module: object) -> list[flask_smorest.Blueprint]:
    return [value for value in vars(module).values() if isinstance(value, flask_smorest.Blueprint)]
