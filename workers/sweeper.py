"""The sweeper, the same on both workers (a thread in the in-process worker, Celery beat's sweep task): the jobs a
broker outage or a dead worker lost are sent again, so work is late, never lost (decisions 0010 and 0020)."""

from __future__ import annotations

from alerts import tasks as alert_tasks
from core.backends import Backends
from core.uow import JobSender
from ingest import tasks as ingest_tasks


def sweep(backends: Backends, jobs: JobSender, everything: bool = False) -> int:
    """Documents' processing jobs, then their alerts and mail jobs; `everything` sends all those owed at once (a
    process restart). Returns how many documents' processing was sent again."""
    resumed = ingest_tasks.sweep(backends, jobs, everything)
    alert_tasks.sweep(backends, jobs, everything)
    return resumed
