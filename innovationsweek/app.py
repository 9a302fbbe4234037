"""The Flask application factory."""

from __future__ import annotations

import logging

from flask import Flask

from innovationsweek import runtime as runtimes
from innovationsweek.api import init_api
from innovationsweek.config import Settings
from innovationsweek.runtime import Runtime


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the API. ``runtime`` lets the embedded server share its queue store with the
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return app
