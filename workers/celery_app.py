"""Celery on Redis: `celery -A workers.celery_app worker`. The task only wraps ingest.tasks.process_document."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery, Task

from core.backends import Backends, build_backends
from core.config import get_settings
from core.logging import configure_logging
from ingest.tasks import TaskOutcome, process_document
from workers.celery_queue import PROCESS_DOCUMENT

settings = get_settings()
app = Celery("casefile", broker=settings.broker_url or "redis://127.0.0.1:6379/0")
app.conf.update(
    task_acks_late=True,  # a task is acknowledged only when it ends, so a killed worker loses nothing
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,  # OCR tasks are long: do not hoard them on one worker
    broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout_seconds},
    task_default_queue=settings.task_queue_name,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
)


@lru_cache(maxsize=1)
def worker_backends() -> Backends:
    configure_logging(settings.log_level)
    return build_backends(settings)


@app.task(name=PROCESS_DOCUMENT, bind=True, max_retries=settings.task_max_retries)
def process_document_task(self: Task[Any, Any], document_id: str) -> None:
    final = self.request.retries >= settings.task_max_retries
    if process_document(worker_backends(), document_id, final_attempt=final) is TaskOutcome.retry:
        countdown = settings.task_retry_backoff_seconds * 2**self.request.retries
        raise self.retry(countdown=countdown)
