"""The sending side of Celery: put a job on the broker. Used by the API, the CLI and the workers themselves."""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

from core.errors import BackendUnavailable
from core.metrics import count_backend_error
from core.uow import Job


class CeleryTaskQueue:
    name = "celery"

    def __init__(self, broker_url: str, queue_name: str) -> None:
        # A client-only app: the API never imports the worker's task code or OCR engine.
        self.app = Celery("casefile-client", broker=broker_url)
        self.app.conf.broker_connection_retry_on_startup = True
        self.app.conf.task_default_queue = queue_name  # the queue the workers consume (-Q)
        self.queue_name = queue_name

    def start(self) -> None:
        """Workers consume elsewhere; the beat schedule there sweeps for lost jobs."""

    def stop(self) -> None:
        self.app.close()

    def send(self, job: Job) -> None:
        try:
            self.app.send_task(
                job.name, args=[job.key], retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2}
            )
        except OperationalError as error:
            count_backend_error("queue", "send")
            raise BackendUnavailable(f"the task broker is unreachable: {error}") from error

    def depth(self) -> int:
        try:
            with self.app.connection_for_read() as connection:
                channel: Any = connection.default_channel  # kombu's Redis channel holds the redis client
                return int(channel.client.llen(self.queue_name))
        except Exception as error:  # a metric must never break the scrape
            raise BackendUnavailable(f"the task broker is unreachable: {error}") from error

    def ping(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except OperationalError as error:
            raise BackendUnavailable(f"the task broker is unreachable: {error}") from error
