"""Settings read from the environment, with the embedded defaults a fresh machine needs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


def _default_instance_path() -> Path:
    return Path(os.environ.get("IW_INSTANCE_PATH", Path.cwd() / "instance"))


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment.

    Without ``DATABASE_URL`` and ``REDIS_URL`` the service runs embedded: a SQLite file and an
    in-process Redis-compatible store under ``instance/``.
    """

    instance_path: Path = field(default_factory=_default_instance_path)
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str = "dev-only-not-secret"
    token_lifetime_days: int = 30
    max_request_bytes: int = 1024 * 1024
    demo_password: str = "demo-password"
    # Let link checks and webhooks reach private and loopback addresses: for tests and local
    # development only, never in production (it would open the door to SSRF).
    outbound_allow_private: bool = False
    # Outgoing mail: through this SMTP server when a host is set, otherwise written as .eml
    # files under instance/mail/ (the embedded default, for looking at what would be sent).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    # implicit (TLS from the start, port 465), starttls, or none; a password needs TLS.
    smtp_tls: str = "none"
    # The CAs that verify the mail server's certificate (default: the system's).
    smtp_ca_file: str | None = None
    mail_from: str = "Innovationsveckan <noreply@innovationsweek.invalid>"
    # Where people reach this service: the base of links in emails (a participant's cancel link,
    # the activity in an attached calendar event).
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        smtp_tls = _smtp_tls(env)
        values: dict[str, object] = {
            "database_url": env.get("DATABASE_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "secret_key": env.get("IW_SECRET_KEY", cls.secret_key),
            "token_lifetime_days": int(env.get("IW_TOKEN_LIFETIME_DAYS", cls.token_lifetime_days)),
            "demo_password": env.get("IW_DEMO_PASSWORD", cls.demo_password),
            "outbound_allow_private": env.get("IW_OUTBOUND_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes"),
            "smtp_host": env.get("IW_SMTP_HOST") or None,
            "smtp_port": int(env.get("IW_SMTP_PORT") or (465 if smtp_tls == "implicit" else cls.smtp_port)),
            "smtp_username": env.get("IW_SMTP_USERNAME") or None,
            "smtp_password": env.get("IW_SMTP_PASSWORD") or None,
            "smtp_tls": smtp_tls,
            "smtp_ca_file": env.get("IW_SMTP_CA_FILE") or None,
            "mail_from": env.get("IW_MAIL_FROM") or cls.mail_from,
            "public_url": env.get("IW_PUBLIC_URL") or cls.public_url,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def embedded(self) -> bool:
        return self.redis_url is None

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.instance_path / 'innovationsweek.db'}"


SMTP_TLS_MODES = ("implicit", "starttls", "none")


def _smtp_tls(env: Mapping[str, str]) -> str:
    """``IW_SMTP_TLS``; without it, the older ``IW_SMTP_STARTTLS=true`` still means starttls and
    ``IW_SMTP_PORT=465`` implicit TLS."""
    mode = (env.get("IW_SMTP_TLS") or "").strip().lower()
    if not mode:
        if env.get("IW_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"):
            return "starttls"
        return "implicit" if env.get("IW_SMTP_PORT") == "465" else "none"
    if mode not in SMTP_TLS_MODES:
        raise ValueError(f"IW_SMTP_TLS is {mode!r}: give one of {', '.join(SMTP_TLS_MODES)}.")
    return mode


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out,
    and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
