"""The pages for people: a third entrypoint beside the API and the jobs, over the same service
functions, in Swedish, Danish and English."""

from __future__ import annotations

from flask import Flask

from innovationsweek.pages.i18n import init_babel
from innovationsweek.pages.views import bp


def init_pages(app: Flask) -> None:
    init_babel(app)
    app.register_blueprint(bp)
