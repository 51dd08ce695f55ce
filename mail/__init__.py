"""Outgoing mail: a MailBackend interface, SMTP when CASEFILE_SMTP_URL is set, else nothing is sent."""

from __future__ import annotations

from core.config import Settings
from mail.base import MailBackend, MailMessage


def get_mail_backend(settings: Settings) -> MailBackend:
    if settings.smtp_url is not None:
        from mail.smtp import SmtpMail

        return SmtpMail(settings.smtp_url.get_secret_value(), settings.mail_from)
    from mail.null import NullMail

    return NullMail()


__all__ = ["MailBackend", "MailMessage", "get_mail_backend"]
