"""The task-queue interface: enqueue document ids (never objects), after the transaction commits."""

from __future__ import annotations

from typing import Protocol


class TaskQueue(Protocol):
    name: str

    def start(self) -> None:
        """Begin consuming (in-process) and resume documents left queued or processing."""

    def stop(self) -> None: ...

    def enqueue_document(self, document_id: str) -> None: ...

    def wait_until_idle(self, timeout: float) -> bool:
        """Block until nothing is queued or running here; False on timeout (in-process only)."""

    def depth(self) -> int:
        """How many jobs wait in the queue (for metrics)."""

    def ping(self) -> None:
        """Raise BackendUnavailable if the queue cannot accept work."""
