"""Celery on Redis: `celery -A workers.celery_app worker --beat`. The tasks only wrap ingest.tasks.

Retries use Celery's own policy (autoretry_for with exponential backoff); the last attempt marks the document
`failed` with the reason instead of raising, so no document is left `processing` by a spent retry budget.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init, worker_process_shutdown

from alerts import tasks as alert_tasks
from core.backends import Backends, build_backends
from core.config import get_settings
from core.errors import BackendUnavailable
from core.logging import configure_logging
from core.metrics import mark_process_dead, serve_worker_metrics
from core.uow import EMAIL_NOTIFICATION, NOTIFY_DOCUMENT, PROCESS_DOCUMENT, SYNC_CASE_INDEX
from ingest import tasks
from litigation import tasks as litigation_tasks
from workers import sweeper
from workers.celery_queue import CeleryTaskQueue

SWEEP = "casefile.sweep"
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
    # The sweeper: jobs lost to a broker outage or a dead worker are sent again (run by `worker --beat`).
    # And the deadline reminders (decision 0022): hourly, idempotent by (deadline, kind, day).
    beat_schedule={
        SWEEP: {"task": SWEEP, "schedule": settings.sweeper_interval_seconds},
        litigation_tasks.SEND_REMINDERS: {
            "task": litigation_tasks.SEND_REMINDERS,
            "schedule": litigation_tasks.REMINDER_INTERVAL_SECONDS,
        },
    },
)
RETRY_POLICY: dict[str, Any] = {
    "autoretry_for": (BackendUnavailable,),
    "max_retries": settings.task_max_retries,
    "retry_backoff": max(1, round(settings.task_retry_backoff_seconds)),  # Celery takes whole seconds
    "retry_backoff_max": 600,
    "retry_jitter": False,
}


@lru_cache(maxsize=1)
def worker_backends() -> Backends:
    configure_logging(settings.log_level)
    return build_backends(settings)


@lru_cache(maxsize=1)
def job_sender() -> CeleryTaskQueue:
    return CeleryTaskQueue(app.conf.broker_url, settings.task_queue_name)


@app.task(name=PROCESS_DOCUMENT, bind=True, **RETRY_POLICY)
def process_document_task(self: Task[Any, Any], document_id: str) -> None:
    final = self.request.retries >= settings.task_max_retries
    tasks.process_document(worker_backends(), job_sender(), document_id, final_attempt=final)


@app.task(name=SYNC_CASE_INDEX, **RETRY_POLICY)
def sync_case_index_task(case_id: str) -> None:
    tasks.sync_case_index(worker_backends(), case_id)


@app.task(name=NOTIFY_DOCUMENT, **RETRY_POLICY)
def notify_document_task(document_id: str) -> None:
    alert_tasks.notify_document(worker_backends(), job_sender(), document_id)


@app.task(name=EMAIL_NOTIFICATION, **RETRY_POLICY)
def email_notification_task(notification_id: str) -> None:
    alert_tasks.email_notification(worker_backends(), notification_id)


@app.task(name=SWEEP)
def sweep_task() -> None:
    sweeper.sweep(worker_backends(), job_sender())


@app.task(name=litigation_tasks.SEND_REMINDERS, **RETRY_POLICY)
def send_reminders_task() -> None:
    backends = worker_backends()
    litigation_tasks.send_reminders(backends.settings, backends.mail)


@worker_init.connect
def _serve_metrics(**_: Any) -> None:
    if settings.worker_metrics_port:
        serve_worker_metrics(settings.worker_metrics_port, settings.worker_metrics_host)


@worker_process_shutdown.connect
def _pool_process_gone(pid: int | None = None, **_: Any) -> None:
    mark_process_dead(pid or os.getpid())
