"""Email notifications: recorded in the caller's transaction, sent by a job after it commits.

``send_mail`` writes the email and its outbox message together, so a committed email is always
sent (later, if the mail server or the queue is down) and a rolled-back one never is. ``deliver``
sends a recorded email once, however often its job runs (only a crash between the send and its
commit repeats it, with the same Message-ID).

A secret in an email (a cancel or an erasure link) is kept beside its text, not in it, and only
until the email is sent: the stored text has a placeholder (:func:`secret_placeholder`), the
message as sent has the secret, and sending forgets it. A stored email is then a record of what
was said, never a working link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from innovationsweek import outbox
from innovationsweek.config import Settings
from innovationsweek.db import utcnow
from innovationsweek.notifications.mailer import Mailer, MessageRejected
from innovationsweek.notifications.models import Attachment, Email, new_message_id

__all__ = ["Attachment", "DeliveryFailed", "compose", "deliver", "secret_placeholder", "send_mail", "unsent_emails"]

DEFAULT_SENDER = Settings.mail_from
MAX_ERROR_LENGTH = 2000


class DeliveryFailed(Exception):
    """Sending failed. The attempt and its error are recorded on the session: commit it, then
    let this propagate (a job raises it, so that RQ retries)."""

    def __init__(self, email_id: int, error: BaseException) -> None:
        super().__init__(f"email {email_id} was not sent: {describe(error)}")
        self.email_id = email_id
        self.error = error

    @property
    def rejected(self) -> bool:
        """The server refused this message only; others may still be sent."""
        return isinstance(self.error, MessageRejected)


def send_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    text: str,
    attachments: Sequence[Attachment] = (),
    secrets: Mapping[str, str] | None = None,
) -> Email:
    """Record an email to ``to`` and schedule its sending for when this transaction commits.

    Only flushes: the caller commits (or rolls back, and nothing is sent). ``to`` must be one
    plain address (``name@example.org``); line breaks in ``subject`` become spaces. ``secrets``
    maps names to the secrets that ``text`` holds as ``secret_placeholder(name)``: they are sent,
    never kept once sent.
    """
    for name in secrets or {}:
        if secret_placeholder(name) not in text:
            raise ValueError(f"the text has no place for the secret {name!r}: put secret_placeholder({name!r}) in it")
    email = Email(
        to_address=_plain_address(to),
        subject=" ".join(subject.split()),
        text=text,
        secrets=dict(secrets) if secrets else None,
        attachments=[attachment.to_json() for attachment in attachments],
        message_id=new_message_id(),
        attempts=0,
    )
    session.add(email)
    session.flush()
    outbox.schedule(session, "send_email", email.id)
    return email


def deliver(session: Session, email_id: int, mailer: Mailer, *, sender: str = DEFAULT_SENDER) -> bool:
    """Send one recorded email unless it was sent already. Returns whether it was sent now.

    The email's row stays locked until the caller's transaction ends, so two runs of the job at
    once send it once. A failure is counted and recorded on the session, then raised as
    :class:`DeliveryFailed`: the caller commits the record before letting the error go on. (Should
    the commit after a successful send fail, the next run sends again, with the same Message-ID.)
    """
    email = session.execute(
        sa.select(Email)
        .where(Email.id == email_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if email is None or email.sent_at is not None:
        return False
    email.attempts += 1
    try:
        mailer.send(compose(email, sender=sender))
    except Exception as error:
        email.last_error = describe(error)[:MAX_ERROR_LENGTH]
        session.flush()
        raise DeliveryFailed(email.id, error) from error
    email.sent_at = utcnow()
    email.secrets = None  # they are in the message now, and only there
    session.flush()
    return True


def unsent_emails(
    session: Session, *, created_before: datetime, created_after: datetime | None = None, limit: int = 100
) -> list[int]:
    """Ids of emails not sent yet, recorded in the given window: the least tried first, so that
    one message a server keeps refusing does not hold up the others."""
    query = (
        sa.select(Email.id)
        .where(Email.sent_at.is_(None), Email.created_at < created_before)
        .order_by(Email.attempts, Email.id)
        .limit(limit)
    )
    if created_after is not None:
        query = query.where(Email.created_at >= created_after)
    return list(session.scalars(query))


def compose(email: Email, *, sender: str = DEFAULT_SENDER) -> EmailMessage:
    """The message as sent, its secrets in place: the same headers on every attempt (Date is when
    it was recorded)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.created_at)
    message["Message-ID"] = email.message_id
    # Quoted-printable keeps å, ä and ö intact through servers without 8BITMIME.
    message.set_content(_with_secrets(email.text, email.secrets or {}), charset="utf-8", cte="quoted-printable")
    for attachment in email.attached:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message


def secret_placeholder(name: str) -> str:
    """What a stored email's text says where the secret ``name`` goes (and keeps saying once
    the secret is forgotten)."""
    return f"[{name}: only in the email as sent]"


def _with_secrets(text: str, secrets: Mapping[str, str]) -> str:
    for name, secret in secrets.items():
        text = text.replace(secret_placeholder(name), secret)
    return text


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _plain_address(to: str) -> str:
    try:
        address = Address(addr_spec=to.strip())
    except (ValueError, IndexError, HeaderParseError) as error:  # IndexError: the parser, on ""
        raise ValueError(f"not a single plain email address: {to!r}") from error
    if not address.username or not address.domain:
        raise ValueError(f"not a single plain email address: {to!r}")
    return address.addr_spec
