"""SMTP through the standard library: smtp://host:port (plain, or STARTTLS with ?starttls=1), smtps:// (TLS)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from core.errors import BackendUnavailable
from mail.base import MailMessage

TIMEOUT_SECONDS = 30


class SmtpMail:
    name = "smtp"

    def __init__(self, url: str, sender: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CASEFILE_SMTP_URL must look like smtp://[user:password@]host[:port]")
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = sender

    @property
    def enabled(self) -> bool:
        return True

    def send(self, message: MailMessage) -> None:
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = self.sender, message.to, message.subject
        email.set_content(message.body)
        try:
            smtp: smtplib.SMTP
            if self.tls:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS,
                                        context=ssl.create_default_context())  # fmt: skip
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            with smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user is not None:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            # One bad address must not hold back everyone else's mail: logged by the caller, not retried.
            raise UndeliverableAddress(f"the mail server refused {message.to}: {error.recipients}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise BackendUnavailable(
                f"the mail server {self.host}:{self.port} did not take the message: {error}"
            ) from error


class UndeliverableAddress(Exception):
    """The server refused this recipient for good."""
