"""In-process worker: one background thread processes documents; OCR inside fans out per page."""

from __future__ import annotations

import queue
import threading
import time

import structlog

from core.backends import Backends
from core.db import session_scope
from core.errors import BackendUnavailable
from ingest import service
from ingest.tasks import TaskOutcome, process_document

log = structlog.get_logger(__name__)


class InProcessTaskQueue:
    name = "in-process"

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._pending: set[str] = set()  # queued or running here: enqueueing twice is a no-op
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="casefile-worker", daemon=True)
        self._thread.start()
        with session_scope(self.backends.settings) as session:
            leftovers = service.documents_to_resume(session)
        for document_id in leftovers:
            self.enqueue_document(document_id)
        if leftovers:
            log.info("worker.resumed", documents=len(leftovers))

    def stop(self) -> None:
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._thread = None

    def enqueue_document(self, document_id: str) -> None:
        with self._lock:
            if document_id in self._pending:
                return
            self._pending.add(document_id)
        self._queue.put(document_id)

    def wait_until_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def ping(self) -> None:
        if self._thread is not None and not self._thread.is_alive():
            raise BackendUnavailable("the in-process worker thread has stopped")

    def _run(self) -> None:
        while (document_id := self._queue.get()) is not None:
            try:
                self._process_with_retries(document_id)
            except Exception:  # never let one document stop the worker
                log.exception("worker.error", document_id=document_id)
            finally:
                with self._lock:
                    self._pending.discard(document_id)
                    self._lock.notify_all()

    def _process_with_retries(self, document_id: str) -> None:
        settings = self.backends.settings
        for attempt in range(settings.task_max_retries + 1):
            final = attempt == settings.task_max_retries
            if process_document(self.backends, document_id, final_attempt=final) is TaskOutcome.finished:
                return
            time.sleep(settings.task_retry_backoff_seconds * 2**attempt)
