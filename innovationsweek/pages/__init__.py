"""The pages for people: a third entrypoint beside the API and the jobs, over the same service
functions, in Swedish, Danish and English."""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from innovationsweek.pages import (  # noqa: F401 (their views join the blueprint)
    cancellation,
    coordinator,
    drafts,
    editions,
    forbidden,
    organisations,
    organiser,
    participants,
    passwords,
    sign_in,
    solutions,
    statistics,
    webcasts,
    widget,
)
from innovationsweek.pages.i18n import init_babel
from innovationsweek.pages.views import bp


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie (it holds only the forms' CSRF secret), Secure whenever the
    request came over https (directly or through a trusted proxy), as the language cookie is."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Most requests (every API call, a first visit) carry no cookie: nothing to verify.
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_pages(app: Flask) -> None:
    app.config.update(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # A form's token holds as long as the visitor's session cookie: a page the browser kept
        # and revalidated (304) must still be sendable hours later.
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.session_interface = SessionCookies()
    init_babel(app)
    app.register_blueprint(bp)
