"""No mail configured: notifications stay in the app."""

from __future__ import annotations

from mail.base import MailMessage


class NullMail:
    name = "none"

    @property
    def enabled(self) -> bool:
        return False

    def send(self, message: MailMessage) -> None:
        """Nothing to send through."""
