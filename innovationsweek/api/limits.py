"""Rate limits on what anyone may call without signing in, counted per client address, and for
signing in and up also per account (the email in the body).

The counters live in the queue's Redis, so every API process counts together (in the embedded
mode, in this process's memory). Should Redis fail, counting goes on in memory until it is back:
nobody's registration fails because the counter store did. A refused request is a 429
``application/problem+json`` with ``Retry-After``.

Behind a reverse proxy the client's address is the proxy's unless the deployment trusts its
``X-Forwarded-For`` (werkzeug's ``ProxyFix``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask import Flask, current_app, request
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address

from innovationsweek.accounts.service import normalise_email
from innovationsweek.api.library_messages import N_
from innovationsweek.runtime import Runtime

EXTENSION = "innovationsweek.limits"


def email_in_body() -> str:
    """The account a sign-in or sign-up is for: the body's email (JSON from the API, a form from
    the sign-in page) as accounts store it, keyed-hashed so that the counters in Redis name no
    address. Known and unknown addresses count alike (or the limit would tell which have
    accounts); a body without an email counts under one shared key."""
    body = request.get_json(silent=True) if request.is_json else request.form
    email = body.get("email") if isinstance(body, dict) else None
    account = normalise_email(email) if isinstance(email, str) else ""
    secret = current_app.extensions["innovationsweek"].settings.secret_key.encode()
    return "account-" + hmac.new(secret, account.encode(), hashlib.sha256).hexdigest()[:32]


class NamedLimit(NamedTuple):
    rate: str
    message: str  # marked with N_: the 429's detail, written in the caller's language
    per: Callable[[], str] = get_remote_address  # whose calls count together


# Enough for a family or a colleague behind the same office address; too few for a bot.
REGISTRATIONS = "10 per minute"
LIMITS = {
    "registration": NamedLimit(REGISTRATIONS, N_("Too many registrations from your address; wait a minute and try again.")),
    # Data and erasure requests (each): every one may send an email to the address given.
    "privacy_request": NamedLimit("5 per 10 minutes", N_("Too many requests from your address; wait a few minutes and try again.")),
    # Tokens last 30 days, so a person signs in rarely; five tries a minute is room for typos, and
    # twenty an hour stops a guesser spread over many addresses at 480 guesses a day per account
    # (it can also hold the person up for that hour: the price of not being guessable).
    "sign_in_account": NamedLimit(
        "5 per minute; 20 per hour", N_("Too many sign-in attempts for this account; wait a while and try again."), email_in_body
    ),
    # An office behind one address signs in together in the morning; a stuffer trying many
    # accounts from one address is stopped after twenty, and each attempt costs an argon2 hash.
    "sign_in": NamedLimit("20 per minute; 100 per hour", N_("Too many sign-in attempts from your address; wait a minute and try again.")),
    # Every sign-up mails the address: three an hour lets someone retry a lost mail, not flood a box.
    "sign_up_account": NamedLimit(
        "3 per hour", N_("Too many sign-ups for this email address; wait an hour and try again."), email_in_body
    ),
    # A few colleagues of one organisation sign up together; participants need no account.
    "sign_up": NamedLimit("10 per hour", N_("Too many sign-ups from your address; wait an hour and try again.")),
    # Every request may mail the address: as for sign-ups.
    "password_reset_account": NamedLimit(
        "3 per hour", N_("Too many reset requests for this email address; wait an hour and try again."), email_in_body
    ),
    "password_reset": NamedLimit("10 per hour", N_("Too many reset requests from your address; wait an hour and try again.")),
}


@dataclass
class _AppLimits:
    limits: dict[str, RouteLimit]
    views: dict[tuple[Callable[..., Any], tuple[str, ...]], Callable[..., Any]] = field(default_factory=dict)


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
    # Every limit here is a decorator's, checked by the view it wraps; with no default or
    # blueprint limits the extension's own check before each request only costs time.
    app.before_request_funcs[None].remove(limiter._check_request_limit)
    app.extensions[EXTENSION] = _AppLimits(
        {
            name: limiter.limit(limit.rate, key_func=limit.per, scope=name, error_message=limit.message)
            for name, limit in LIMITS.items()
        }
    )
    return limiter


def rate_limited(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Count every call of the view (invalid ones too) against each of the limits ``names`` of
    LIMITS; the first one used up answers 429."""
    unknown = [name for name in names if name not in LIMITS]
    if unknown or not names:
        raise ValueError(f"no rate limit {unknown or names!r}; add it to LIMITS")

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            return _limited_view(view, names)(*args, **kwargs)

        return limited

    return decorator


def _limited_view(view: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """``view`` under this app's limits, decorated by flask-limiter once per app. Its decorators
    register each limit under the view's own name, so every view checks its own limits (its
    context manager keys them by the line it is used on, which all views here would share)."""
    app_limits: _AppLimits = current_app.extensions[EXTENSION]
    key = (view, names)
    if key not in app_limits.views:
        app_limits.views[key] = functools.reduce(lambda inner, name: app_limits.limits[name](inner), names, view)
    return app_limits.views[key]
