"""Rate limits on what anyone may call without signing in, counted per client address.

The counters live in the queue's Redis, so every API process counts together (in the embedded
mode, in this process's memory). Should Redis fail, counting goes on in memory until it is back:
nobody's registration fails because the counter store did. A refused request is a 429
``application/problem+json`` with ``Retry-After``.

Behind a reverse proxy the client's address is the proxy's unless the deployment trusts its
``X-Forwarded-For`` (werkzeug's ``ProxyFix``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address

from innovationsweek.runtime import Runtime

EXTENSION = "innovationsweek.limits"
# Enough for a family or a colleague behind the same office address; too few for a bot.
REGISTRATIONS = "10 per minute"
LIMITS = {
    "registration": (REGISTRATIONS, "Too many registrations from your address; wait a minute and try again."),
    # Data and erasure requests (each): every one may send an email to the address given.
    "privacy_request": ("5 per 10 minutes", "Too many requests from your address; wait a few minutes and try again."),
}


def init_limits(app: Flask, runtime: Runtime) -> Limiter:
    """A limiter of this app's own, counting in the runtime's Redis (or memory when embedded)."""
    if runtime.settings.redis_url:
        storage_uri = runtime.settings.redis_url
        options: dict[str, Any] = {"connection_pool": runtime.redis.connection_pool}
    else:
        storage_uri, options = "memory://", {}
    limiter = Limiter(
        get_remote_address,
        storage_uri=storage_uri,
        storage_options=options,
        strategy="fixed-window",
        key_prefix="iw-limits",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    app.extensions[EXTENSION] = {
        name: limiter.limit(rate, scope=name, error_message=message) for name, (rate, message) in LIMITS.items()
    }
    return limiter


def rate_limited(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count every call of the view (invalid ones too) against the limit ``name`` of LIMITS."""
    if name not in LIMITS:
        raise ValueError(f"no rate limit {name!r}; add it to LIMITS")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            limit: RouteLimit = current_app.extensions[EXTENSION][name]
            with limit:  # raises RateLimitExceeded (a 429) once the address has used its calls
                return view(*args, **kwargs)

        return limited

    return decorator
