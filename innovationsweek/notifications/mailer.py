"""Mailers: what hands a finished message to the world. Chosen by configuration, so SMTP, a
directory of .eml files or a test's own mailer swap without code changes."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from innovationsweek.config import Settings


class MessageRejected(Exception):
    """The mail server refused this message (its recipient or its content), not mail as a whole:
    other messages may still go. A 4xx refusal (greylisting, a full mailbox) may pass later."""


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` on, or raise. Raises :class:`MessageRejected` when only this message
        was refused; any other error means nothing can be sent just now."""


@dataclass(frozen=True)
class SmtpMailer:
    """One SMTP connection per message: mail is rare here, and a connection is never left open
    between jobs."""

    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = 10.0

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            try:
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                raise MessageRejected(str(error)) from error


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


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when ``IW_SMTP_HOST`` is set; otherwise .eml files under ``instance/mail/``."""
    if settings.smtp_host:
        return SmtpMailer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return FileMailer(settings.instance_path / "mail")
