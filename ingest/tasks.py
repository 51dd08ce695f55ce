"""Task bodies, shared by the in-process worker and Celery. Each is keyed by an id and idempotent.

A backend outage raises BackendUnavailable so the runner retries with backoff; on the final attempt the
document is marked `failed` with the reason instead. Nothing here commits: each step is a unit of work.
"""

from __future__ import annotations

import structlog

from cases import service as cases_service
from core.backends import Backends
from core.errors import BackendUnavailable, CasefileError
from core.models import utcnow
from core.uow import JobSender, unit_of_work
from ingest import service

log = structlog.get_logger(__name__)


def process_document(backends: Backends, jobs: JobSender | None, document_id: str, final_attempt: bool) -> None:
    settings = backends.settings
    try:
        with unit_of_work(settings, jobs) as session:
            job = service.start_processing(session, document_id, settings)
        if job is None:
            return
        log.info("document.processing", document_id=document_id, content_type=job.content_type)
        pages = service.extract_document(job, backends.store, backends.ocr, settings)
        # Two steps, so that `indexed` is only ever said of pages the index holds: the pages are saved, the
        # index is written after that commit, and only then is the document marked indexed.
        with unit_of_work(settings, jobs) as session:
            service.save_pages(session, backends.index, document_id, pages)
        with unit_of_work(settings, jobs) as session:
            service.mark_indexed(session, document_id)
    except BackendUnavailable as error:
        if not final_attempt:
            raise
        _fail(backends, document_id, f"gave up after repeated backend errors: {error.detail}")
    except CasefileError as error:  # the file itself is unusable: retrying cannot help
        _fail(backends, document_id, error.detail)
    except Exception as error:  # a bug or an unforeseen file: fail this document, keep the worker alive
        log.exception("document.crashed", document_id=document_id)
        _fail(backends, document_id, f"unexpected error while processing: {type(error).__name__}: {error}")
    else:
        log.info("document.indexed", document_id=document_id, pages=len(pages))


def _fail(backends: Backends, document_id: str, reason: str) -> None:
    with unit_of_work(backends.settings) as session:
        service.mark_failed(session, document_id, reason)


def sync_case_index(backends: Backends, case_id: str) -> None:
    """Copy a case's fields from the database into its index entries (after a write whose index update failed)."""
    with unit_of_work(backends.settings) as session:
        cases_service.sync_index(session, backends.index, case_id)


def sweep(backends: Backends, jobs: JobSender, everything: bool = False) -> int:
    """Send again the jobs of documents left `queued` too long or `processing` past their lease: a job lost to a
    broker outage or a dead worker is late, never lost. `everything` resumes all of them (a process restart)."""
    with unit_of_work(backends.settings, jobs) as session:
        return len(service.requeue_stale_documents(session, backends.settings, utcnow(), everything))
