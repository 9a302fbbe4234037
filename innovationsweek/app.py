"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from innovationsweek import runtime as runtimes
from innovationsweek.api import init_api
from innovationsweek.config import Settings
from innovationsweek.pages import init_pages
from innovationsweek.runtime import Runtime


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the API and the pages. ``runtime`` lets the embedded server share its queue store with the
    in-process worker; otherwise one is made from ``settings`` (default: the environment)."""
    runtime = runtime or Runtime(settings or Settings.from_env())
    runtimes.install(runtime)
    app = Flask("innovationsweek", instance_path=str(runtime.settings.instance_path.resolve()))
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        MAX_CONTENT_LENGTH=runtime.settings.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["innovationsweek"] = runtime
    init_api(app)
    init_pages(app)
    # Behind the proxies' fix: the scheme an answer is kept under is the one the client used.
    app.wsgi_app = runtime.recent_answers.front(app.wsgi_app)  # type: ignore[method-assign]
    trust_proxies(app, runtime.settings.trusted_proxy_hops)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app


def trust_proxies(app: Flask, hops: int) -> None:
    """Believe the client address and scheme that the last ``hops`` reverse proxies forwarded
    (rate limits then count each client, not the proxy). Only as many as the operator put in
    front: a header from further out could be anyone's. X-Forwarded-Host stays ignored,
    since absolute URLs come from IW_PUBLIC_URL alone."""
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
