"""In-process worker for the embedded default: one thread runs jobs, another sweeps for lost ones."""

from __future__ import annotations

import queue
import threading

import structlog

from alerts import tasks as alert_tasks
from core.backends import Backends
from core.db import refresh_statistics
from core.errors import BackendUnavailable
from core.uow import EMAIL_NOTIFICATION, NOTIFY_DOCUMENT, PROCESS_DOCUMENT, SYNC_CASE_INDEX, Job
from ingest import tasks
from litigation import tasks as litigation_tasks
from workers import sweeper
from workers.base import retry_delay

log = structlog.get_logger(__name__)


class InProcessTaskQueue:
    name = "in-process"

    def __init__(self, backends: Backends) -> None:
        self.backends = backends
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._pending: set[Job] = set()  # queued or running here: sending twice is a no-op
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self._threads:
            return
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._run, name="casefile-worker", daemon=True),
            threading.Thread(target=self._sweep_periodically, name="casefile-sweeper", daemon=True),
            threading.Thread(target=self._remind_periodically, name="casefile-reminders", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        # Nothing else runs these documents: whatever was queued or processing when the process stopped resumes.
        resumed = sweeper.sweep(self.backends, self, everything=True)
        if resumed:
            log.info("worker.resumed", documents=resumed)

    def stop(self) -> None:
        if not self._threads:
            return
        self._stopping.set()
        self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=30)
        self._threads = []

    def send(self, job: Job) -> None:
        if self._threads and not self._threads[0].is_alive():
            raise BackendUnavailable("the in-process worker thread has stopped")
        with self._lock:
            if job in self._pending:
                return
            self._pending.add(job)
        self._queue.put(job)

    def depth(self) -> int:
        return self._queue.qsize()

    def idle(self) -> bool:
        with self._lock:
            return not self._pending

    def ping(self) -> None:
        if self._threads and not self._threads[0].is_alive():
            raise BackendUnavailable("the in-process worker thread has stopped")

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            try:
                self._run_with_retries(job)
            except Exception:  # never let one job stop the worker
                log.exception("worker.error", job=job.name, key=job.key)
            finally:
                with self._lock:
                    self._pending.discard(job)

    def _run_with_retries(self, job: Job) -> None:
        settings = self.backends.settings
        for attempt in range(settings.task_max_retries + 1):
            try:
                self._run_once(job, final_attempt=attempt == settings.task_max_retries)
                return
            except BackendUnavailable as error:
                log.warning("job.retry", job=job.name, key=job.key, attempt=attempt, reason=error.detail)
                if self._stopping.wait(retry_delay(settings, attempt)):
                    return  # shutting down: the sweeper of the next start picks it up

    def _run_once(self, job: Job, final_attempt: bool) -> None:
        if job.name == PROCESS_DOCUMENT:
            tasks.process_document(self.backends, self, job.key, final_attempt=final_attempt)
        elif job.name == SYNC_CASE_INDEX:
            tasks.sync_case_index(self.backends, job.key)
        elif job.name == NOTIFY_DOCUMENT:
            alert_tasks.notify_document(self.backends, self, job.key)
        elif job.name == EMAIL_NOTIFICATION:
            alert_tasks.email_notification(self.backends, job.key)
        else:
            log.error("job.unknown", job=job.name)

    def _sweep_periodically(self) -> None:
        settings = self.backends.settings
        while not self._stopping.wait(settings.sweeper_interval_seconds):
            try:
                sweeper.sweep(self.backends, self)
            except Exception:  # a database hiccup: try again at the next interval
                log.exception("sweeper.error")

    def _remind_periodically(self) -> None:
        """The deadline reminders' scheduler on the embedded default (decision 0022): at start, then hourly. The
        database's statistics are refreshed at the same pace (the stack's PostgreSQL has autovacuum)."""
        while True:
            try:
                litigation_tasks.send_reminders(self.backends.settings, self.backends.mail)
            except Exception:  # a database or mail hiccup: the next run makes what this one missed
                log.exception("reminders.error")
            try:
                refresh_statistics(self.backends.settings)
            except Exception:  # a busy database: the next hour will do
                log.exception("statistics.error")
            if self._stopping.wait(litigation_tasks.REMINDER_INTERVAL_SECONDS):
                return
