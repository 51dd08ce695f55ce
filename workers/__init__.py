"""Task queues that run document processing: in-process threads, or Celery on Redis."""

from __future__ import annotations

from core.backends import Backends
from workers.base import TaskQueue


def get_task_queue(backends: Backends) -> TaskQueue:
    if backends.settings.broker_url:
        from workers.celery_queue import CeleryTaskQueue

        return CeleryTaskQueue(backends.settings.broker_url, backends.settings.task_queue_name)
    from workers.inprocess import InProcessTaskQueue

    return InProcessTaskQueue(backends)


__all__ = ["TaskQueue", "get_task_queue"]
