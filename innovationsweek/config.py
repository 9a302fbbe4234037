"""Settings read from the environment, with the embedded defaults a fresh machine needs."""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from innovationsweek.db import CONNECT_TIMEOUT

# The shortest scaled wait: the clock that hands over retries and runs the sweeps ticks once a
# second (see queue.Clock), and RQ schedules in whole seconds.
SHORTEST_WAIT = timedelta(seconds=1)


def retry_wait(wait: timedelta, retry_scale: float) -> timedelta:
    """``wait`` before something is tried again (a retry, or a sweep taking over what its job did
    not finish) at the installation's ``retry_scale``; a second at least."""
    return max(wait * retry_scale, SHORTEST_WAIT)

# The embedded mode's own secret key, made at its first start (see embedded_secret_key).
SECRET_KEY_FILE = "secret_key"
EMBEDDED_PUBLIC_URL = "http://127.0.0.1:8000"


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names its environment variable."""


def _default_instance_path() -> Path:
    return Path(os.environ.get("IW_INSTANCE_PATH", Path.cwd() / "instance"))


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment.

    Without ``DATABASE_URL`` and ``REDIS_URL`` the service runs embedded: a SQLite file and an
    in-process Redis-compatible store under ``instance/``. :meth:`completed` fills in (embedded)
    or demands (otherwise) the secret key and the public address.
    """

    instance_path: Path = field(default_factory=_default_instance_path)
    database_url: str | None = None
    redis_url: str | None = None
    # Signs erasure links; there is no default anyone could know (see completed).
    secret_key: str | None = field(default=None, repr=False)
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
    # Where people reach this service: the base of every absolute URL it gives out (links in
    # emails, feeds, calendars, Link headers), never the request's Host, which anyone can forge.
    public_url: str | None = None
    # How many reverse proxies in front of the service to believe X-Forwarded-For/-Proto from.
    trusted_proxy_hops: int = 0
    # --- timings of recovery from faults (shortened by the fault tests, tests/faults/) ---
    # A database that does not answer a connection attempt within this many seconds counts as
    # down: the request gets a 503 at once instead of hanging.
    database_connect_timeout: int = CONNECT_TIMEOUT
    # A job RQ no longer has (a lost queue store, a killed worker) is handed over again once its
    # outbox message is this old; a lost store is noticed at once (outbox.redrive_after_data_loss).
    outbox_redrive_seconds: int = 300
    # How often a worker proves that the job it runs is alive; silent for three times this, the
    # job counts as lost (its worker was killed).
    job_heartbeat_seconds: int = 30
    # Every wait between retries (jobs' retries, the webhook schedule, and the sweeps that take
    # over mail and webhook attempts whose jobs gave up: how often they run and how long they
    # leave the work to its job) is multiplied by this: a rehearsal or a test runs the days-long
    # schedules in seconds, in their true proportions (see retry_wait).
    retry_scale: float = 1.0
    # Seconds an SMTP server may take for each step before the attempt counts as failed.
    smtp_timeout: float = 10.0
    # Seconds a partner's webhook endpoint may take for a whole delivery attempt.
    webhook_timeout: float = 20.0
    # A process rebuilds its in-memory index of a changed programme at most this often
    # (programme.index); reads in between use the database's indexes. 0: for every version.
    programme_index_seconds: float = 30.0

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        smtp_tls = _smtp_tls(env)
        values: dict[str, object] = {
            "database_url": env.get("DATABASE_URL") or None,
            "redis_url": env.get("REDIS_URL") or None,
            "secret_key": env.get("IW_SECRET_KEY") or None,
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
            "public_url": env.get("IW_PUBLIC_URL") or None,
            "trusted_proxy_hops": _number_of_proxies(env.get("IW_TRUSTED_PROXY_HOPS") or "0"),
            "programme_index_seconds": _seconds(env, "IW_PROGRAMME_INDEX_SECONDS", cls.programme_index_seconds),
            **_timings(env),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @property
    def embedded(self) -> bool:
        """No services: everything under instance/, for one machine (``make run``)."""
        return self.database_url is None and self.redis_url is None

    @property
    def in_process_queue(self) -> bool:
        return self.redis_url is None

    def completed(self) -> "Settings":
        """These settings ready to serve with, or a ConfigurationError naming what is missing.

        Outside the embedded mode the operator must choose the secret key and the public
        address: a default key would be public, and a default address would put wrong links
        into mails and feeds. Embedded, both have defaults a single machine can use.
        """
        if self.trusted_proxy_hops < 0:
            raise ConfigurationError(_PROXIES_EXPECTED.format(value=self.trusted_proxy_hops))
        if self.embedded:
            completed = dataclasses.replace(
                self,
                secret_key=self.secret_key or embedded_secret_key(self.instance_path),
                public_url=self.public_url or EMBEDDED_PUBLIC_URL,
            )
        else:
            completed = self
        if not completed.secret_key:
            raise ConfigurationError(
                "IW_SECRET_KEY is not set; outside the embedded mode (DATABASE_URL or REDIS_URL set) the service needs a "
                "secret key of its own, e.g. from: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        if not completed.public_url:
            raise ConfigurationError(
                "IW_PUBLIC_URL is not set; outside the embedded mode the service needs the address people reach it at "
                "(e.g. https://innovationsveckan.example) for the links in its mails, feeds and calendars"
            )
        _check_public_url(completed.public_url)
        return completed

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{self.instance_path / 'innovationsweek.db'}"


_PROXIES_EXPECTED = (
    "IW_TRUSTED_PROXY_HOPS must be the number of reverse proxies in front of the service (0 or more), not {value!r}"
)


def _number_of_proxies(value: str) -> int:
    try:
        return int(value)  # a negative number is refused by Settings.completed
    except ValueError:
        raise ConfigurationError(_PROXIES_EXPECTED.format(value=value)) from None


def _check_public_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"IW_PUBLIC_URL must be an http(s) address such as https://innovationsveckan.example, not {url!r}")


def embedded_secret_key(instance_path: Path) -> str:
    """The embedded mode's secret key: random, made at the first start, readable by this user
    only, and the same at every later start (links already mailed stay valid)."""
    path = instance_path / SECRET_KEY_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        draft = instance_path / f".{SECRET_KEY_FILE}.{secrets.token_hex(8)}"
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(32))
        try:
            # A link never replaces a file: of two processes starting at once, the first key wins.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
TIMINGS = {
    # setting: (environment variable, type)
    "database_connect_timeout": ("IW_DATABASE_CONNECT_TIMEOUT", int),
    "outbox_redrive_seconds": ("IW_OUTBOX_REDRIVE_SECONDS", int),
    "job_heartbeat_seconds": ("IW_JOB_HEARTBEAT_SECONDS", int),
    "retry_scale": ("IW_RETRY_SCALE", float),
    "smtp_timeout": ("IW_SMTP_TIMEOUT", float),
    "webhook_timeout": ("IW_WEBHOOK_TIMEOUT", float),
}


def _timings(env: Mapping[str, str]) -> dict[str, object]:
    """The timing settings given in the environment; each must be a positive number."""
    values: dict[str, object] = {}
    for name, (variable, kind) in TIMINGS.items():
        text = env.get(variable)
        if not text:
            continue
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise ConfigurationError(f"{variable} must be a positive {'whole ' if kind is int else ''}number, not {text!r}")
        values[name] = value
    return values


def _seconds(env: Mapping[str, str], variable: str, default: float) -> float:
    """A number of seconds that may be 0, from ``variable`` if it is set."""
    text = env.get(variable) or str(default)
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1
    if not seconds >= 0:
        raise ConfigurationError(f"{variable} must be a number of seconds (0 or more), not {text!r}")
    return seconds


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
        raise ConfigurationError(f"IW_SMTP_TLS is {mode!r}: give one of {', '.join(SMTP_TLS_MODES)}.")
    return mode


def normalise_database_url(url: str) -> str:
    """Accept the ``postgres://`` and ``postgresql://`` forms hosting platforms hand out,
    and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
