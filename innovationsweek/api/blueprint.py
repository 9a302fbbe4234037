"""flask-smorest's Blueprint, plus a declaration of who may call each operation.

``@blp.access("organiser", "admin")`` checks the kind of caller (person, partner, admin),
documents the roles in the OpenAPI document as ``x-roles`` with the Bearer security
requirement and its 401/403 answers; the service layer then decides per object (is this
person an owner of *this* organisation, a coordinator of *this* edition).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from flask import request
import flask_smorest
import marshmallow as ma
from flask_babel import lazy_gettext as _l

from innovationsweek.actors import Actor
from innovationsweek.api.context import current_actor
from innovationsweek.api.problems import problem
from innovationsweek.errors import Forbidden, NotAuthenticated

ROLES = ("public", "account", "organiser", "coordinator", "admin", "partner")
PERSON_ROLES = frozenset({"account", "organiser", "coordinator", "admin"})
# The operation's rules beyond its schemas, in the OpenAPI document (see Blueprint.rules).
RULES_EXTENSION = "x-rules"
# Where a view keeps its declared roles, for what follows from them (CORS, see headers.py).
ROLES_ATTRIBUTE = "access_roles"


def declared_roles(view: Callable[..., Any]) -> frozenset[str]:
    """The roles ``view`` was declared for with ``access``; none for an undeclared view."""
    return getattr(view, ROLES_ATTRIBUTE, frozenset())


def declare_roles(view: Callable[..., Any], roles: frozenset[str]) -> None:
    setattr(view, ROLES_ATTRIBUTE, roles)


def check_caller_kind(actor: Actor, roles: frozenset[str]) -> None:
    if "public" in roles:
        return
    if actor.user is None and actor.partner is None:
        raise NotAuthenticated(_l("This operation needs 'Authorization: Bearer <token or API key>'."))
    if actor.partner is not None and "partner" not in roles:
        raise Forbidden(_l("Partner API keys are read-only and may not call this operation."))
    if actor.user is not None and not roles & PERSON_ROLES:
        raise Forbidden(_l("This operation is for partners' API keys."))
    if roles & PERSON_ROLES == {"admin"} and not actor.is_admin:
        raise Forbidden(_l("Only administrators may do this."))


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema: type[ma.Schema] | ma.Schema, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """flask-smorest's ``arguments``, with one instance of a schema class for every request:
        webargs would otherwise build a new one per request, copying each of its fields."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def access(self, *roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        unknown = set(roles) - set(ROLES)
        if not roles or unknown:
            raise ValueError(f"roles must be some of {ROLES}, got {roles}")
        allowed = frozenset(roles)
        doc: dict[str, Any] = {"x-roles": list(roles)}
        if "public" not in allowed:
            doc["security"] = [{"bearerAuth": []}]

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def checked(*args: Any, **kwargs: Any) -> Any:
                check_caller_kind(current_actor(), allowed)
                return view(*args, **kwargs)

            declare_roles(checked, allowed)
            checked._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
            manual = checked._apidoc.setdefault("manual_doc", {})  # type: ignore[attr-defined]
            manual.update(doc)
            documented = checked
            if "public" not in allowed:
                documented = self.alt_response(401, response="UNAUTHORIZED")(documented)
                documented = self.alt_response(403, response="FORBIDDEN")(documented)
            return documented

        return decorator

    def arguments(self, schema: Any, *, location: str = "json", required: bool = True, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """As flask-smorest's, and a body documented as required is refused when it is missing:
        flask-smorest only documents ``required``, and webargs reads no body as ``{}``, which a
        schema without required fields (a PATCH) would take. A schema with required fields
        lists them first, as for an empty object."""
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def with_body(*args: Any, **kwargs: Any) -> Any:
                if not request.get_data(cache=True):
                    detail = _l("Send a JSON body with this request.")
                    return problem(422, detail, errors=[{"detail": detail, "pointer": ""}])
                return view(*args, **kwargs)

            return parse(with_body)

        return decorator

    def rules(self, *rules: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document as ``x-rules`` what the service checks beyond the JSON Schemas: between fields,
        against stored data, in the content of a text. A request that breaks one is answered 422
        naming the field, though the schemas allow it."""
        return self.doc(**{RULES_EXTENSION: list(rules)})

    def errors(self, *statuses: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the problem answers an operation can give besides 401/403/422."""
        names = {404: "NOT_FOUND", 409: "CONFLICT", 412: "PRECONDITION_FAILED", 428: "PRECONDITION_REQUIRED", 415: "UNSUPPORTED_MEDIA_TYPE"}

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            for status in statuses:
                view = self.alt_response(status, response=names[status])(view)
            return view

        return decorator
