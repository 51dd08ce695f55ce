"""The mail interface: one message to one address; a backend that cannot deliver now raises BackendUnavailable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    body: str


class MailBackend(Protocol):
    name: str

    @property
    def enabled(self) -> bool:
        """False when nothing is ever sent (no SMTP configured): callers skip the work of building messages."""

    def send(self, message: MailMessage) -> None:
        """Deliver the message, or raise BackendUnavailable (the job retries; delivery is at least once)."""
