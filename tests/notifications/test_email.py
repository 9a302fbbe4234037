"""Email notifications: recorded with the change that causes them, relayed through the outbox,
sent by the RQ job to a real SMTP server running in this process (aiosmtpd)."""

from __future__ import annotations

import dataclasses
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry

from innovationsweek import migrate, outbox
from innovationsweek.app import create_app
from innovationsweek.config import Settings
from innovationsweek.db import utcnow
from innovationsweek.jobs.notifications import send_email, send_pending_emails
from innovationsweek.notifications.mailer import FileMailer, SmtpMailer, SmtpTls, mailer_for
from innovationsweek.notifications.models import Email
from innovationsweek.notifications.service import Attachment, DeliveryFailed, deliver, secret_placeholder, send_mail
from innovationsweek.outbox import OutboxMessage
from innovationsweek.queue import queues, run_worker
from innovationsweek.runtime import Runtime

ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nEND:VCALENDAR\r\n"
REFUSED = "finns.inte@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives. Its port is chosen up front,
    so it can be stopped and started again where the application expects it."""

    def __init__(self, port: int, **smtp_options: Any) -> None:
        self.port = port
        self.smtp_options = smtp_options
        self.received: list[Received] = []
        self._controller: Controller | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Lines end in CRLF on the wire; stored, as a mail program would, with plain LF.
        message = BytesParser(policy=email.policy.default).parsebytes(envelope.content.replace(b"\r\n", b"\n"))
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **self.smtp_options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.received]


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)


def record_mail(runtime: Runtime, to: str = "anna@example.org", **kwargs: Any) -> Email:
    values: dict[str, Any] = {"subject": "Godkänd: Öppet hus", "text": "Din aktivitet är godkänd.\nVälkomna!"}
    values.update(kwargs)
    with runtime.database.unit_of_work() as session:
        return send_mail(session, to=to, **values)


def work(runtime: Runtime) -> None:
    SimpleWorker(queues(runtime.redis), connection=runtime.redis).work(burst=True)


def email_row(runtime: Runtime, email_id: int) -> Email:
    with runtime.database.sessions() as session:
        return session.get_one(Email, email_id)


def age(runtime: Runtime, email_id: int, by: timedelta) -> None:
    with runtime.database.unit_of_work() as session:
        session.execute(sa.update(Email).where(Email.id == email_id).values(created_at=utcnow() - by))


def outbox_rows(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.database.sessions() as session:
        return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_committed_email_is_relayed_at_once_and_the_worker_sends_it_over_smtp(app, runtime, smtp):
    mail = record_mail(
        runtime,
        subject="Godkänd: Öppet hus på Kommunhuset",
        text="Hej!\n\nDin aktivitet är godkänd och ingår nu i programmet.",
        attachments=[Attachment("öppet-hus.ics", "text/calendar", ICS)],
    )

    [message] = outbox_rows(runtime)
    assert (message.job, message.args) == ("send_email", [mail.id])
    assert message.enqueued_at is not None  # relayed by the after-commit hook, no clock needed
    assert Queue("notifications", connection=runtime.redis).job_ids == [message.job_id]
    assert smtp.received == []

    work(runtime)

    [received] = smtp.received
    assert received.rcpt_tos == ["anna@example.org"]
    assert received.mail_from == "noreply@innovationsweek.invalid"
    sent = received.message
    assert sent["To"] == "anna@example.org"
    assert sent["From"] == "Innovationsveckan <noreply@innovationsweek.invalid>"
    assert sent["Subject"] == "Godkänd: Öppet hus på Kommunhuset"
    assert sent["Message-ID"] == mail.message_id
    assert sent["Date"] is not None
    body = sent.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    assert body.get_content() == "Hej!\n\nDin aktivitet är godkänd och ingår nu i programmet.\n"
    [attachment] = sent.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "öppet-hus.ics"
    assert attachment.get_payload(decode=True) == ICS

    row = email_row(runtime, mail.id)
    assert row.sent_at is not None
    assert (row.attempts, row.last_error) == (1, None)


def test_rolled_back_email_is_neither_kept_nor_sent(app, runtime, smtp):
    with pytest.raises(RuntimeError), runtime.database.unit_of_work() as session:
        send_mail(session, to="anna@example.org", subject="Godkänd", text="Din aktivitet är godkänd.")
        raise RuntimeError("the decision failed after the mail was recorded")

    work(runtime)

    assert smtp.received == []
    assert outbox_rows(runtime) == []
    with runtime.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Email)) == 0
    assert Queue("notifications", connection=runtime.redis).count == 0


def test_send_email_job_run_twice_sends_once(app, runtime, smtp):
    mail = record_mail(runtime)

    assert send_email(mail.id) is True
    assert send_email(mail.id) is False
    work(runtime)  # and the relayed job, a third run

    assert len(smtp.received) == 1
    assert email_row(runtime, mail.id).attempts == 1


def test_two_runs_at_once_send_once_the_second_waits_for_the_first(app, runtime, settings, smtp):
    mail = record_mail(runtime)
    sending, release = threading.Event(), threading.Event()

    class SlowMailer:
        def send(self, message: EmailMessage) -> None:
            sending.set()
            release.wait(5)
            mailer_for(settings).send(message)

    results: dict[str, bool] = {}

    def run(name: str, mailer: Any) -> None:
        with runtime.database.sessions() as session:
            results[name] = deliver(session, mail.id, mailer)
            session.commit()

    first = threading.Thread(target=run, args=("first", SlowMailer()))
    second = threading.Thread(target=run, args=("second", mailer_for(settings)))
    first.start()
    assert sending.wait(5)
    second.start()
    second.join(0.3)
    assert second.is_alive()  # held at the email's row lock while the first one sends
    release.set()
    first.join(5)
    second.join(5)

    assert results == {"first": True, "second": False}
    assert len(smtp.received) == 1


def test_smtp_down_fails_the_job_keeps_the_email_and_the_sweep_sends_it_once_smtp_is_back(app, runtime, smtp):
    smtp.stop()
    mail = record_mail(runtime)

    work(runtime)

    job = Job.fetch(f"outbox-{outbox_rows(runtime)[0].id}", connection=runtime.redis)
    assert job.get_status() == JobStatus.SCHEDULED  # RQ retries it in 30 s
    assert job.retries_left == 4
    row = email_row(runtime, mail.id)
    assert row.sent_at is None
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectionRefusedError")

    # RQ's retries are used up; later the mail server is back.
    smtp.start()
    age(runtime, mail.id, timedelta(hours=2))
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    # The retry RQ still holds then finds the work done.
    ScheduledJobRegistry(queue=Queue("notifications", connection=runtime.redis)).requeue(job)
    work(runtime)

    assert job.get_status(refresh=True) == JobStatus.FINISHED
    assert job.return_value() is False
    [received] = smtp.received
    assert received.message["Message-ID"] == mail.message_id
    row = email_row(runtime, mail.id)
    assert row.sent_at is not None
    assert row.attempts == 2
    assert row.last_error.startswith("ConnectionRefusedError")  # kept, as a record


def test_sweep_leaves_young_emails_to_their_job_and_gives_up_after_a_week(app, runtime, smtp):
    young = record_mail(runtime, to="ung@example.org")
    due = record_mail(runtime, to="sen@example.org")
    stale = record_mail(runtime, to="gammal@example.org")
    age(runtime, due.id, timedelta(hours=1))
    age(runtime, stale.id, timedelta(days=8))

    assert send_pending_emails() == 1

    assert [r.rcpt_tos for r in smtp.received] == [["sen@example.org"]]
    assert email_row(runtime, young.id).sent_at is None
    assert email_row(runtime, stale.id).sent_at is None


def test_sweep_stops_at_the_first_sign_that_the_server_is_down(app, runtime, smtp):
    smtp.stop()
    first, second = record_mail(runtime), record_mail(runtime)
    for mail in (first, second):
        age(runtime, mail.id, timedelta(hours=1))

    with pytest.raises(DeliveryFailed):
        send_pending_emails()

    assert [email_row(runtime, m.id).attempts for m in (first, second)] == [1, 0]


def test_sweep_passes_over_a_message_the_server_refuses(app, runtime, smtp):
    refused = record_mail(runtime, to=REFUSED)
    accepted = record_mail(runtime, to="anna@example.org")
    for mail in (refused, accepted):
        age(runtime, mail.id, timedelta(hours=1))

    assert send_pending_emails() == 1

    assert [r.rcpt_tos for r in smtp.received] == [["anna@example.org"]]
    row = email_row(runtime, refused.id)
    assert row.sent_at is None
    assert row.last_error.startswith("MessageRejected") and "550" in row.last_error
    # Next time the least tried goes first: the refused one no longer holds up the rest.
    assert row.attempts == 1


def test_redis_down_at_commit_keeps_the_outbox_message_until_a_relay_enqueues_it(app, runtime, settings, smtp):
    no_redis = Runtime(dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/15"))
    try:
        mail = record_mail(no_redis)
    finally:
        no_redis.close()

    [message] = outbox_rows(runtime)
    assert message.enqueued_at is None
    assert Queue("notifications", connection=runtime.redis).count == 0

    assert outbox.relay(runtime.database.engine, runtime.redis) == 1
    work(runtime)

    [received] = smtp.received
    assert received.message["Message-ID"] == mail.message_id
    assert outbox_rows(runtime)[0].enqueued_at is not None


def test_embedded_mode_writes_each_email_as_an_eml_file_under_instance_mail(tmp_path: Path):
    embedded = Runtime(Settings(instance_path=tmp_path / "instance"))
    try:
        migrate.upgrade(embedded.database.engine)
        create_app(runtime=embedded)  # installs the runtime the job uses
        mail = record_mail(embedded, attachments=[Attachment("aktivitet.ics", "text/calendar", ICS)])
        run_worker(embedded, burst=True)
        assert send_email(mail.id) is False
    finally:
        embedded.close()

    [path] = (tmp_path / "instance" / "mail").iterdir()
    assert path.suffix == ".eml"
    message = BytesParser(policy=email.policy.default).parsebytes(path.read_bytes())
    assert message["Message-ID"] == mail.message_id
    assert message["To"] == "anna@example.org"
    assert message["Subject"] == "Godkänd: Öppet hus"
    assert message.get_body(preferencelist=("plain",)).get_content() == "Din aktivitet är godkänd.\nVälkomna!\n"
    [attachment] = message.iter_attachments()
    assert attachment.get_payload(decode=True) == ICS


def test_mailer_is_smtp_only_when_a_host_is_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    embedded = Settings(instance_path=tmp_path)
    assert mailer_for(embedded) == FileMailer(tmp_path / "mail")

    for name, value in {
        "IW_SMTP_HOST": "smtp.example.org",
        "IW_SMTP_PORT": "587",
        "IW_SMTP_USERNAME": "iw",
        "IW_SMTP_PASSWORD": "hemligt",
        "IW_SMTP_TLS": "starttls",
        "IW_SMTP_CA_FILE": "/etc/ssl/iw-ca.pem",
        "IW_MAIL_FROM": "Innovationsveckan <info@example.org>",
    }.items():
        monkeypatch.setenv(name, value)
    configured = Settings.from_env(instance_path=tmp_path)
    assert mailer_for(configured) == SmtpMailer(
        "smtp.example.org", 587, username="iw", password="hemligt", tls=SmtpTls.STARTTLS, ca_file="/etc/ssl/iw-ca.pem"
    )
    assert configured.mail_from == "Innovationsveckan <info@example.org>"
    assert "hemligt" not in repr(configured)


def test_a_secret_is_in_the_message_as_sent_and_nowhere_once_sent(app, runtime, smtp):
    link = "https://innovationsveckan.example/api/v1/registrations/iwr_hemlig"
    mail = record_mail(runtime, text=f"Avboka här:\n{secret_placeholder('cancel link')}", secrets={"cancel link": link})
    assert email_row(runtime, mail.id).secrets == {"cancel link": link}  # until it is sent, to survive a crash

    work(runtime)

    [received] = smtp.received
    assert received.message.get_body(("plain",)).get_content() == f"Avboka här:\n{link}\n"
    row = email_row(runtime, mail.id)
    assert (row.secrets, row.text) == (None, "Avboka här:\n[cancel link: only in the email as sent]")
    with pytest.raises(sa.exc.IntegrityError), runtime.database.unit_of_work() as session:
        session.execute(sa.update(Email).where(Email.id == mail.id).values(secrets={"cancel link": link}))


def test_a_secret_needs_its_placeholder_in_the_text(runtime):
    with runtime.database.sessions() as session, pytest.raises(ValueError, match="secret_placeholder"):
        send_mail(session, to="anna@example.org", subject="Hej", text="Avboka här.", secrets={"cancel link": "https://x"})


def test_send_mail_takes_one_plain_address_and_a_one_line_subject(runtime):
    with runtime.database.sessions() as session:
        for bad in (
            "",
            "anna",
            "anna@",
            "@example.org",
            "Anna <anna@example.org>",
            "anna@example.org, bo@example.org",
            "anna@example.org\nBcc: x@example.org",
        ):
            with pytest.raises(ValueError):
                send_mail(session, to=bad, subject="Hej", text="...")
        mail = send_mail(session, to=" anna@example.org ", subject="Godkänd:\r\n Öppet hus", text="...")
        assert (mail.to_address, mail.subject) == ("anna@example.org", "Godkänd: Öppet hus")
        assert mail.message_id.startswith("<") and mail.message_id.endswith("@innovationsweek>")
        session.rollback()
