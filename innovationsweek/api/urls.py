"""Absolute URLs of this service, always at IW_PUBLIC_URL and never at the request's Host.

Anyone can send any Host (or X-Forwarded-Host); the programme's answers are cached by CDNs and
partners for everyone, and mails reach people, so a link built from the request would let one
forged request plant its address there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from innovationsweek.api.context import runtime


def public_base_url() -> str:
    """IW_PUBLIC_URL without a trailing slash, to put paths after."""
    return runtime().settings.public_url.rstrip("/")


def public_url_for(endpoint: str, **values: Any) -> str:
    """As ``url_for(endpoint, **values, _external=True)``, but at the configured address."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
