"""What the API answers 403, as a page: the person is signed in but may not do this. It says who
may, by the kind of screen, and where this person can go instead: their activities, their
weeks to coordinate, or, without any organisation yet, how to get one."""

from __future__ import annotations

from flask import Response, g, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from innovationsweek.actors import Actor
from innovationsweek.api.context import db
from innovationsweek.editions.service import editions_coordinated_by
from innovationsweek.errors import Forbidden
from innovationsweek.organisations.service import memberships_of
from innovationsweek.pages.sign_in import sign_out_form
from innovationsweek.pages.views import bp, render_page

# Who may use the screens under each path, most specific first.
WHO_MAY = (
    ("/coordinator/", _l("Only the week's coordinators may open this page.")),
    ("/organiser/organisations/", _l("Only the organisation's owners may do this.")),
    ("/organiser/activities/", _l("Only members of the organisation that hosts this activity may do this.")),
)


@bp.errorhandler(Forbidden)
def forbidden(error: Forbidden) -> Response:
    actor: Actor | None = g.get("actor")
    message = next((str(text) for prefix, text in WHO_MAY if request.path.startswith(prefix)), _("Your account may not do this."))
    user = actor.user if actor is not None else None
    response = render_page(
        "forbidden.html", 403, message=message,
        organisations=memberships_of(db(), user) if user is not None else [],
        coordinates=bool(editions_coordinated_by(db(), user)) if user is not None else False,
        signed_in=user is not None, sign_out=sign_out_form(),
    )
    response.headers["Cache-Control"] = "no-store"
    return response
