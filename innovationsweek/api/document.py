"""The OpenAPI document as strict as the server: what apispec cannot say about a field from its
marshmallow type, said here, so that a request the document allows is one the server takes
(tests/api/test_fuzzing.py holds both to that)."""

from __future__ import annotations

import http
from typing import Any

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import validate

from innovationsweek.api.guards import BODY_METHODS, NUL
from innovationsweek.api.problems import ECHOES_REQUEST
from innovationsweek.api.schemas import WHITESPACE, ReadableText

# Every text the API reads is refused when it holds a NUL (see guards.py).
NUL_ESCAPED = NUL.encode("unicode_escape").decode()
WITHOUT_NUL = f"^[^{NUL_ESCAPED}]*$"


def text_without_nul(_converter: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A plain text field says that it may not hold a NUL (one with a pattern or a format says more)."""
    if field.metadata.get(ECHOES_REQUEST):
        return {}
    if isinstance(field, ReadableText):
        return {"pattern": f"^[^{NUL_ESCAPED}]*{NOT_BLANK}[^{NUL_ESCAPED}]*$"}
    plain_text = type(field) is ma.fields.String or (isinstance(field, ma.fields.String) and "format" not in ret)
    if plain_text and ret.get("type") == "string" and "pattern" not in ret and "enum" not in ret:
        return {"pattern": WITHOUT_NUL}
    return {}


def object_with_known_keys(converter: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """A Dict whose keys are a closed set (such as text per language) lists them, and its
    Length counts keys (apispec writes minLength/maxLength, which objects do not have)."""
    if not isinstance(field, ma.fields.Dict):
        return {}
    extra: dict[str, Any] = {}
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            ret.pop("minLength", None), ret.pop("maxLength", None)
            extra |= {key: value for key, value in (("minProperties", validator.min), ("maxProperties", validator.max)) if value is not None}
    keys = next((v for v in getattr(field.key_field, "validators", ()) if isinstance(v, validate.OneOf)), None)
    if keys is not None:
        value = ret.get("additionalProperties") or {}
        extra |= {"properties": {key: value for key in keys.choices}, "additionalProperties": False}
    return extra


def nullable_object_is_null(_converter: Any, field: ma.fields.Field, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """apispec writes a nullable nested object as ``anyOf: [the object, {type: object, nullable}]``,
    whose second branch admits any object at all; it is meant to admit ``null`` only."""
    if isinstance(field, ma.fields.Nested) and field.allow_none and "anyOf" in ret:
        ret["anyOf"] = [branch if "$ref" in branch else {**branch, "enum": [None]} for branch in ret["anyOf"]]
    return {}


# What a marshmallow schema can add to its JSON Schema, as a class attribute: what holds between
# its fields (an ``anyOf``), which the fields alone cannot say.
BETWEEN_FIELDS = "between_fields"
# Something to read: a character that is neither white space (as ``errors.non_blank`` strips
# it) nor a NUL.
NOT_BLANK = rf"[^\u0000{WHITESPACE}]"


def answers_of_the_whole_api(method: str, responses: dict[Any, Any]) -> dict[str, str]:
    """The problem answers an operation can give whatever its view does, by the name of their
    component: 503 when the database is down (every operation reads it, for the caller's
    credential or its own data; one that documents its own 503 keeps it), and to a request with
    a body (POST, PUT, PATCH) 413 when it is larger than the server takes and 415 when it is not
    JSON. They come from the request's handling around every view (problems.py, context.py,
    guards.py), so they are documented here, once, rather than by each view."""
    documented = {str(status) for status in responses}
    answers = [http.HTTPStatus.SERVICE_UNAVAILABLE]
    if method.upper() in BODY_METHODS:
        answers += [http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE, http.HTTPStatus.UNSUPPORTED_MEDIA_TYPE]
    return {str(status.value): status.name for status in answers if str(status.value) not in documented}


class StrictConverter(OpenAPIConverter):
    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        return super().schema2jsonschema(schema) | getattr(schema, BETWEEN_FIELDS, {})


def strict_plugin(**kwargs: Any) -> MarshmallowPlugin:
    """apispec's marshmallow plugin with the attribute functions, the converter and the answers
    of the whole API above."""

    class StrictPlugin(MarshmallowPlugin):
        Converter = StrictConverter

        def init_spec(self, spec: Any) -> None:
            super().init_spec(spec)
            for function in (text_without_nul, object_with_known_keys, nullable_object_is_null):
                self.converter.add_attribute_function(function)

        def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any) -> None:
            for method, operation in (operations or {}).items():
                responses = operation.setdefault("responses", {})
                responses |= answers_of_the_whole_api(method, responses)
            super().operation_helper(path=path, operations=operations, **kwargs)

    return StrictPlugin(**kwargs)
