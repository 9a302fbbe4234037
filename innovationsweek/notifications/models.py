"""An email the service recorded: sent by a job after the transaction that wrote it commits."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from innovationsweek.db import Base, utcnow


def new_message_id() -> str:
    """A Message-ID made once, when the email is recorded: every attempt sends the same one, so
    a recipient (or their mail server) can recognise a re-send."""
    return f"<{uuid4()}@innovationsweek>"


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email, e.g. an .ics calendar entry (``text/calendar``)."""

    filename: str
    content_type: str
    content: bytes

    def __post_init__(self) -> None:
        if not self.filename or any(c in self.filename for c in "\r\n/\\"):
            raise ValueError(f"not a plain file name: {self.filename!r}")
        maintype, _, subtype = self.content_type.partition("/")
        if not maintype or not subtype or any(c in self.content_type for c in " ;\r\n"):
            raise ValueError(f"not a MIME type of the form type/subtype: {self.content_type!r}")

    @property
    def maintype(self) -> str:
        return self.content_type.partition("/")[0]

    @property
    def subtype(self) -> str:
        return self.content_type.partition("/")[2]

    def to_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content_base64": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attachment:
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except binascii.Error as error:
            raise ValueError(f"attachment {data.get('filename')!r} is not valid base64") from error
        return cls(filename=data["filename"], content_type=data["content_type"], content=content)


class Email(Base):
    __tablename__ = "emails"
    __table_args__ = (
        # What the sweep for unsent mail reads; sent mail (nearly every row) stays out of it.
        sa.Index(
            "ix_emails_unsent",
            "created_at",
            postgresql_where=sa.text("sent_at IS NULL"),
            sqlite_where=sa.text("sent_at IS NULL"),
        ),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # A sent email keeps no working link: its secrets went with the message, and only there.
        sa.CheckConstraint("sent_at IS NULL OR secrets IS NULL", name="sent_keeps_no_secrets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.Text)
    # The plain-text body, with a placeholder (see service.secret_placeholder) where a secret
    # such as a cancel link goes.
    text: Mapped[str] = mapped_column(sa.Text)
    # The secrets the placeholders stand for, by name: kept only until the email is sent, so
    # that no stored email holds a working link (the message as sent has them).
    secrets: Mapped[dict[str, str] | None] = mapped_column(sa.JSON(none_as_null=True))
    # [{"filename", "content_type", "content_base64"}]: see Attachment.
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True, default=new_message_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Attempts to hand the email to the mail server, failed ones included.
    attempts: Mapped[int] = mapped_column(default=0)
    # The error of the last failed attempt (kept after a later success, as a record).
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def attached(self) -> list[Attachment]:
        return [Attachment.from_json(item) for item in self.attachments]
