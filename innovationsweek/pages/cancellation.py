"""Cancelling a registration from the link in the participant's mails: a page in the language
the link carries (the one they registered in), whose button cancels. A GET never cancels: mail
scanners and link previews open links."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from innovationsweek.api.context import db, runtime
from innovationsweek.api.headers import SECRET_LINK_PAGE
from innovationsweek.errors import NotFound
from innovationsweek.pages.i18n import page_language
from innovationsweek.pages.views import bp, lang_in_url, render_page, use_edition
from innovationsweek.registrations import service as registrations
from innovationsweek.registrations.models import Registration


class CancellationForm(FlaskForm):
    """Only the CSRF token: the link's token names the registration."""


@bp.get("/registrations/<cancel_token>")
def cancellation(cancel_token: str) -> Response:
    registration = _named_by(cancel_token)
    if registration is None:
        return _unknown_link()
    return _page(registration, cancel_token, 200)


@bp.post("/registrations/<cancel_token>")
def cancel_registration(cancel_token: str) -> Response:
    registration = _named_by(cancel_token)
    if registration is None:
        return _unknown_link()
    form = CancellationForm()
    if not form.validate():
        return _page(registration, cancel_token, 400, form=form, problem=_("The form had expired. Press the button again to cancel."))
    registrations.cancel(db(), cancel_token, public_url=runtime().settings.public_url)
    return _page(registration, cancel_token, 200)


def _named_by(cancel_token: str) -> Registration | None:
    try:
        return registrations.find_by_token(db(), cancel_token)
    except NotFound:
        return None


def _page(registration: Registration, token: str, status: int, **context: Any) -> Response:
    use_edition(registration.activity.edition)
    data = registrations.public_face(db(), registration)
    when = registrations.when(data, page_language().language) if data else None
    title = data["title"] if data else registration.activity.title
    # The answer to the button stays in the link's language, which chose this page's.
    action = url_for("pages.cancel_registration", cancel_token=token, **lang_in_url())
    context = {"form": CancellationForm(), "problem": None, "action": action, **context}
    response = render_page("registration/cancel.html", status, registration=registration, token=token, title=title, when=when, **context)
    response.headers.update(SECRET_LINK_PAGE)
    return response


def _unknown_link() -> Response:
    response = render_page(
        "error.html", 404, heading=_("Unknown link"),
        message=_("No registration has this link. Check that the whole link from the email was used; an erased registration has none."),
    )
    response.headers.update(SECRET_LINK_PAGE)
    return response
