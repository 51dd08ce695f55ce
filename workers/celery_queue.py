"""The API side of Celery: send a document id to the broker."""

from __future__ import annotations

from celery import Celery
from kombu.exceptions import OperationalError

from core.errors import BackendUnavailable

PROCESS_DOCUMENT = "casefile.process_document"


class CeleryTaskQueue:
    name = "celery"

    def __init__(self, broker_url: str, queue_name: str) -> None:
        # A client-only app: the API never imports the worker's task code or OCR engine.
        self.app = Celery("casefile-client", broker=broker_url)
        self.app.conf.broker_connection_retry_on_startup = True
        self.app.conf.task_default_queue = queue_name  # the queue the workers consume (-Q)

    def start(self) -> None:
        """Workers consume; acks_late redelivers what a lost worker held, so nothing to resume here."""

    def stop(self) -> None:
        self.app.close()

    def enqueue_document(self, document_id: str) -> None:
        try:
            self.app.send_task(
                PROCESS_DOCUMENT, args=[document_id], retry=True, retry_policy={"max_retries": 3, "interval_start": 0.5}
            )
        except OperationalError as error:
            raise BackendUnavailable(f"the task broker is unreachable: {error}") from error

    def wait_until_idle(self, timeout: float) -> bool:
        return True

    def ping(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except OperationalError as error:
            raise BackendUnavailable(f"the task broker is unreachable: {error}") from error
