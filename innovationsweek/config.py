"""Settings read from the environment, with the embedded defaults a fresh machine needs."""

from __future__ import annotations

import os
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
    smtp_starttls: bool = False
    mail_from: str = "Innovationsveckan <noreply@innovationsweek.invalid>"
    # Where people reach this service: the base of links in emails (a participant's cancel link,
    # the activity in an attached calendar event).
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("DATABASE_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "secret_key": env.get("IW_SECRET_KEY", cls.secret_key),
            "token_lifetime_days": int(env.get("IW_TOKEN_LIFETIME_DAYS", cls.token_lifetime_days)),
            "demo_password": env.get("IW_DEMO_PASSWORD", cls.demo_password),
            "outbound_allow_private": env.get("IW_OUTBOUND_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes"),
            "smtp_host": env.get("IW_SMTP_HOST") or None,
            "smtp_port": int(env.get("IW_SMTP_PORT") or cls.smtp_port),
            "smtp_username": env.get("IW_SMTP_USERNAME") or None,
            "smtp_password": env.get("IW_SMTP_PASSWORD") or None,
            "smtp_starttls": env.get("IW_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
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


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out,
    and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
