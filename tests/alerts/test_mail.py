"""The mail backend and its settings: SMTP against a real server (aiosmtpd), nothing without a URL, and no
placeholder password in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr, ValidationError

from core.config import Settings
from core.errors import BackendUnavailable
from mail import MailMessage, get_mail_backend
from mail.null import NullMail
from mail.smtp import SmtpMail
from tests.smtp import Inbox, free_port, smtp_server


@pytest.fixture
def server() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


def test_smtp_delivers_to_a_real_server(server: tuple[Inbox, int]) -> None:
    inbox, port = server
    mail = get_mail_backend(Settings(environment="test", smtp_url=SecretStr(f"smtp://127.0.0.1:{port}"),
                                     mail_from="alerts@law.gov.pk"))  # fmt: skip
    assert isinstance(mail, SmtpMail) and mail.enabled
    mail.send(MailMessage(to="officer@law.gov.pk", subject="Casefile: a match", body="Open it: /documents/x/pages/1"))
    (message,) = inbox.messages
    assert (message["From"], message["To"], message["Subject"]) == (
        "alerts@law.gov.pk", "officer@law.gov.pk", "Casefile: a match"
    )  # fmt: skip
    assert "/documents/x/pages/1" in message.get_payload()


def test_a_server_that_does_not_answer_is_a_retryable_outage() -> None:
    mail = SmtpMail(f"smtp://127.0.0.1:{free_port()}", "alerts@law.gov.pk")
    with pytest.raises(BackendUnavailable):
        mail.send(MailMessage(to="officer@law.gov.pk", subject="s", body="b"))


def test_without_a_url_nothing_is_sent() -> None:
    mail = get_mail_backend(Settings(environment="test"))
    assert isinstance(mail, NullMail) and not mail.enabled


def test_smtp_urls_are_parsed_and_placeholder_passwords_refused_in_production() -> None:
    mail = SmtpMail("smtps://alerts%40law:s3cret@mail.law.gov.pk", "alerts@law.gov.pk")
    assert (mail.host, mail.port, mail.tls, mail.user, mail.password) == (
        "mail.law.gov.pk", 465, True, "alerts@law", "s3cret"
    )  # fmt: skip
    assert SmtpMail("smtp://mail:587?starttls=1", "a@b").starttls
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMail("http://mail", "a@b")
    with pytest.raises(ValidationError, match="SMTP_URL"):
        Settings(environment="production", smtp_url=SecretStr("smtp://alerts:changethis@mail.law.gov.pk"))
    Settings(environment="development", smtp_url=SecretStr("smtp://alerts:changethis@localhost"))  # fine in dev
    Settings(environment="production", smtp_url=SecretStr("smtp://alerts:a-real-secret@mail.law.gov.pk"))
