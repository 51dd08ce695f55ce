"""The task-queue interface: jobs carry ids (never objects) and are sent by the unit of work after its commit."""

from __future__ import annotations

from typing import Protocol

from core.config import Settings
from core.uow import Job


class TaskQueue(Protocol):
    name: str

    def start(self) -> None:
        """Begin consuming and sweeping (in-process); a client of remote workers has nothing to start."""

    def stop(self) -> None: ...

    def send(self, job: Job) -> None:
        """Hand a job to the workers; raise BackendUnavailable if the queue cannot take it."""

    def depth(self) -> int:
        """How many jobs wait in the queue (for metrics)."""

    def ping(self) -> None:
        """Raise BackendUnavailable if the queue cannot accept work."""


def retry_delay(settings: Settings, attempt: int) -> float:
    """Seconds before retry number `attempt` (0-based) after a backend outage: exponential, capped."""
    return float(min(settings.task_retry_backoff_seconds * 2**attempt, 600.0))
