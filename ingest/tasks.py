"""The processing task body, shared by the in-process worker and Celery. Keyed by document id, idempotent."""

from __future__ import annotations

import enum

import structlog

from core.backends import Backends
from core.db import session_scope
from core.errors import BackendUnavailable, CasefileError
from ingest import service

log = structlog.get_logger(__name__)


class TaskOutcome(enum.Enum):
    finished = "finished"  # indexed, failed for good, or nothing to do
    retry = "retry"  # a backend was down: run again later


def process_document(backends: Backends, document_id: str, final_attempt: bool) -> TaskOutcome:
    settings = backends.settings
    with session_scope(settings) as session:
        job = service.start_processing(session, document_id, max_attempts=settings.task_max_retries + 2)
    if job is None:
        return TaskOutcome.finished
    log.info("document.processing", document_id=document_id, content_type=job.content_type)
    try:
        pages = service.extract_document(job, backends.store, backends.ocr, settings)
        with session_scope(settings) as session:
            service.save_and_index(session, backends.index, document_id, pages)
    except BackendUnavailable as error:
        if not final_attempt:
            log.warning("document.retry", document_id=document_id, reason=error.detail)
            return TaskOutcome.retry
        _fail(backends, document_id, f"gave up after repeated backend errors: {error.detail}")
    except CasefileError as error:  # the file itself is unusable: retrying cannot help
        _fail(backends, document_id, error.detail)
    except Exception as error:  # a bug or an unforeseen file: fail this document, keep the worker alive
        log.exception("document.crashed", document_id=document_id)
        _fail(backends, document_id, f"unexpected error while processing: {type(error).__name__}: {error}")
    else:
        log.info("document.indexed", document_id=document_id, pages=len(pages))
    return TaskOutcome.finished


def _fail(backends: Backends, document_id: str, reason: str) -> None:
    with session_scope(backends.settings) as session:
        service.mark_failed(session, document_id, reason)
