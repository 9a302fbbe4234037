"""Mailers: what hands a finished message to the world. Chosen by configuration, so SMTP, a
directory of .eml files or a test's own mailer swap without code changes."""

from __future__ import annotations

import enum
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from innovationsweek.config import ConfigurationError, Settings


class MessageRejected(Exception):
    """The mail server refused this message (its recipient or its content), not mail as a whole:
    other messages may still go. A 4xx refusal (greylisting, a full mailbox) may pass later."""


class InsecureMailSettings(ConfigurationError):
    """The settings would send the SMTP password in the clear; the message names the settings."""


class SmtpTls(enum.StrEnum):
    """How the connection to the mail server is encrypted (``IW_SMTP_TLS``)."""

    IMPLICIT = "implicit"  # TLS from the first byte, usually port 465 (SMTPS)
    STARTTLS = "starttls"  # plain at first, then STARTTLS before anything else, usually 587 or 25
    NONE = "none"  # a relay on the same machine or network, without a password


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` on, or raise. Raises :class:`MessageRejected` when only this message
        was refused; any other error means nothing can be sent just now."""


@dataclass(frozen=True)
class SmtpMailer:
    """One SMTP connection per message: mail is rare here, and a connection is never left open
    between jobs. The server's certificate is verified (against the system's CAs, or those in
    ``ca_file``); a password is never sent without TLS: such a mailer cannot be made."""

    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: SmtpTls = SmtpTls.NONE
    ca_file: str | None = None
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if (self.username or self.password) and self.tls == SmtpTls.NONE:
            raise InsecureMailSettings(
                "IW_SMTP_USERNAME/IW_SMTP_PASSWORD are set but IW_SMTP_TLS is none: the password would "
                "cross the network in the clear. Set IW_SMTP_TLS=implicit (port 465) or starttls."
            )

    def send(self, message: EmailMessage) -> None:
        with self._connect() as smtp:
            if self.tls == SmtpTls.STARTTLS:
                # Raises when the server offers no STARTTLS: nothing, the password least, goes in the clear.
                smtp.starttls(context=self._tls_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                raise MessageRejected(str(error)) from error

    def _connect(self) -> smtplib.SMTP:
        if self.tls == SmtpTls.IMPLICIT:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls_context())
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)


@dataclass(frozen=True)
class FileMailer:
    """Writes each message to ``directory`` as ``<message id>.eml`` (a re-send overwrites its own
    file). Any mail program opens them."""

    directory: Path

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9@._-]", "_", str(message["Message-ID"] or "").strip("<> ")) or "message"
        # Written aside, then renamed: a reader never sees half a message.
        fd, partial = tempfile.mkstemp(dir=self.directory, suffix=".partial")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(message.as_bytes())
            os.replace(partial, self.directory / f"{name}.eml")
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise

    def remove_written_before(self, moment: datetime) -> int:
        """Delete the messages last written before ``moment``; returns how many. They hold what
        the stored emails no longer do (cancel links), so they go by the same retention."""
        removed = 0
        for path in self.directory.glob("*.eml") if self.directory.is_dir() else ():
            if path.stat().st_mtime < moment.timestamp():
                path.unlink(missing_ok=True)
                removed += 1
        return removed


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when ``IW_SMTP_HOST`` is set; otherwise .eml files under ``instance/mail/``. Raises
    :class:`InsecureMailSettings` for a password without TLS (checked at start-up too)."""
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            tls=SmtpTls(settings.smtp_tls),
            ca_file=settings.smtp_ca_file,
            timeout=settings.smtp_timeout,
        )
    return mail_files(settings)


def mail_files(settings: Settings) -> FileMailer:
    """The directory of .eml files: the embedded mode's mail, and what is left of it after a
    switch to SMTP (the retention job empties it either way)."""
    return FileMailer(settings.instance_path / "mail")
