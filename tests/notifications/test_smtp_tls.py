"""SMTP over TLS, against a real SMTP server (aiosmtpd) with a certificate from a test CA
(trustme): implicit TLS (SMTPS, port 465) and STARTTLS, the certificate verified, and never a
password in the clear."""

from __future__ import annotations

import dataclasses
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from innovationsweek.config import ConfigurationError, Settings
from innovationsweek.notifications.mailer import InsecureMailSettings, SmtpMailer, SmtpTls, mailer_for
from innovationsweek.runtime import Runtime
from tests.notifications.test_email import SmtpServer, free_port


@dataclasses.dataclass
class Login:
    login: bytes
    password: bytes
    encrypted: bool


@dataclasses.dataclass
class TlsServer:
    smtp: SmtpServer
    ca_file: str
    logins: list[Login]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@contextmanager
def serve(ca_file: str, **options: Any) -> Iterator[TlsServer]:
    logins: list[Login] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append(Login(data.login, data.password, server.transport.get_extra_info("cipher") is not None))
        return AuthResult(success=data.password == b"hemligt")

    smtp = SmtpServer(free_port(), authenticator=authenticator, **options)
    smtp.start()
    try:
        yield TlsServer(smtp, ca_file, logins)
    finally:
        smtp.stop()


@pytest.fixture
def smtps(ca: trustme.CA, ca_file: str) -> Iterator[TlsServer]:
    """TLS from the first byte. (aiosmtpd only counts STARTTLS as TLS for AUTH, so it is told not
    to insist; each login records whether it came encrypted.)"""
    with serve(ca_file, ssl_context=server_context(ca), auth_require_tls=False) as server:
        yield server


@pytest.fixture
def starttls(ca: trustme.CA, ca_file: str) -> Iterator[TlsServer]:
    """Plain at first; AUTH and MAIL only after STARTTLS."""
    with serve(ca_file, tls_context=server_context(ca), require_starttls=True) as server:
        yield server


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "noreply@innovationsweek.invalid", "anna@example.org", "Hej"
    mail.set_content("Din aktivitet är godkänd.")
    return mail


def settings_for(server: TlsServer, tls: str, tmp_path: Path, **changes: Any) -> Settings:
    settings = Settings(
        instance_path=tmp_path / "instance",
        smtp_host="127.0.0.1",
        smtp_port=server.smtp.port,
        smtp_username="iw",
        smtp_password="hemligt",
        smtp_tls=tls,
        smtp_ca_file=server.ca_file,
    )
    return dataclasses.replace(settings, **changes)


def test_implicit_tls_verifies_the_server_and_logs_in_encrypted(smtps, tmp_path):
    mailer_for(settings_for(smtps, "implicit", tmp_path)).send(message())

    assert smtps.logins == [Login(b"iw", b"hemligt", encrypted=True)]
    assert [m["Subject"] for m in smtps.smtp.messages] == ["Hej"]


def test_starttls_encrypts_before_logging_in(starttls, tmp_path):
    mailer_for(settings_for(starttls, "starttls", tmp_path)).send(message())

    assert starttls.logins == [Login(b"iw", b"hemligt", encrypted=True)]
    assert [m["Subject"] for m in starttls.smtp.messages] == ["Hej"]


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_a_certificate_no_trusted_ca_signed_is_refused_before_any_password(smtps, starttls, tmp_path, tls):
    server = smtps if tls == "implicit" else starttls

    with pytest.raises(ssl.SSLCertVerificationError):
        mailer_for(settings_for(server, tls, tmp_path, smtp_ca_file=None)).send(message())

    assert (server.logins, server.smtp.messages) == ([], [])


def test_a_server_without_starttls_gets_no_password(ca_file, tmp_path):
    with serve(ca_file, auth_require_tls=False) as plain:  # it would even take one in the clear
        with pytest.raises(smtplib.SMTPNotSupportedError):
            mailer_for(settings_for(plain, "starttls", tmp_path)).send(message())
        assert (plain.logins, plain.smtp.messages) == ([], [])


def test_a_password_without_tls_is_refused_at_start_up_and_by_the_mailer(tmp_path):
    insecure = Settings(instance_path=tmp_path, smtp_host="smtp.example.org", smtp_username="iw", smtp_password="hemligt")

    with pytest.raises(InsecureMailSettings, match="IW_SMTP_TLS") as refused:
        Runtime(insecure)
    assert "IW_SMTP_PASSWORD" in str(refused.value) and "hemligt" not in str(refused.value)
    with pytest.raises(InsecureMailSettings):
        SmtpMailer("smtp.example.org", 25, username="iw", password="hemligt", tls=SmtpTls.NONE)
    # Without a password a relay on the local network needs no TLS.
    assert mailer_for(dataclasses.replace(insecure, smtp_username=None, smtp_password=None)) == SmtpMailer("smtp.example.org", 25)


@pytest.mark.parametrize(
    ("env", "tls", "port"),
    [
        ({"IW_SMTP_TLS": "implicit"}, "implicit", 465),
        ({"IW_SMTP_PORT": "465"}, "implicit", 465),
        ({"IW_SMTP_TLS": "STARTTLS", "IW_SMTP_PORT": "587"}, "starttls", 587),
        ({"IW_SMTP_STARTTLS": "true"}, "starttls", 25),  # the older setting still works
        ({}, "none", 25),
    ],
)
def test_the_tls_setting_and_its_default_port(monkeypatch, tmp_path, env, tls, port):
    monkeypatch.setenv("IW_SMTP_HOST", "smtp.example.org")
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    settings = Settings.from_env(instance_path=tmp_path)

    assert (settings.smtp_tls, settings.smtp_port) == (tls, port)


def test_an_unknown_tls_setting_is_refused_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("IW_SMTP_TLS", "yes")

    with pytest.raises(ConfigurationError, match="IW_SMTP_TLS"):
        Settings.from_env(instance_path=tmp_path)
