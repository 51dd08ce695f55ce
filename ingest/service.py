"""Document use-cases: upload, process (extract, OCR, index), reprocess. Plain functions, no HTTP or Celery."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import structlog
from sqlalchemy import and_
from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Principal
from cases.service import case_fields, set_seal, writable_case
from citations.service import detect_reported_as, normalize_reported_as, page_citations
from core.backends import Backends
from core.config import Settings, normalise_languages
from core.errors import CasefileError, InvalidInput, NotFound
from core.models import Case, DocType, Document, DocumentStatus, Page, PageSource, utcnow
from core.uow import NOTIFY_DOCUMENT, PROCESS_DOCUMENT, Job, after_commit, enqueue_job
from ingest import page_images, repository
from ingest.extraction import ExtractedPage, extract_pages
from ingest.ocr import OcrEngine
from ingest.parsers import ParseLimits, parser_for
from ingest.schemas import DocumentUpdate
from ingest.sniff import sniff_content_type
from search.backends.base import SearchIndex
from search.boxes import encode_boxes
from search.schemas import PageEntry
from storage.base import BlobStore
from storage.staging import stage_upload

log = structlog.get_logger(__name__)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class UploadMetadata:
    title: str | None = None
    doc_type: DocType = DocType.other
    filed_on: date | None = None
    language: str | None = None


@dataclass(frozen=True)
class UploadRequest:
    """One file to add to a case, as the API, the CLI and the UI receive it."""

    case_id: str
    filename: str | None
    source: BinaryIO
    metadata: UploadMetadata = UploadMetadata()


@dataclass(frozen=True)
class UploadOutcome:
    document: Document
    created: bool
    # Set when the bytes were kept but cannot be processed; the API answers with this error.
    rejection: CasefileError | None = None


def parse_limits(settings: Settings) -> ParseLimits:
    return ParseLimits(max_pages=settings.max_pages, max_image_pixels=settings.max_image_pixels, dpi=settings.ocr_dpi)


def get_document(session: Session, document_id: str) -> Document:
    """A document by id, for the system (workers, maintenance); people go through visible_document."""
    document = repository.get_document(session, document_id)
    if document is None:
        raise NotFound(f"no document with id {document_id}")
    return document


def visible_document(session: Session, actor: Principal, document_id: str) -> Document:
    """The document if the caller may see it (its case, and the document's own seal); otherwise 404."""
    allowed = and_(policy.visible_cases(actor), policy.visible_documents(actor))
    document = repository.get_document(session, document_id, allowed)
    if document is None:
        raise NotFound(f"no document with id {document_id}")
    return document


def case_documents(session: Session, actor: Principal, case: Case) -> Sequence[Document]:
    return repository.list_case_documents(session, case.id, policy.visible_documents(actor))


def update_document(
    session: Session, index: SearchIndex, actor: Principal, document_id: str, data: DocumentUpdate
) -> Document:
    """Change a document's metadata or seal; after the commit its pages in the index follow."""
    document = visible_document(session, actor, document_id)
    case = writable_case(session, actor, document.case_id)
    changes = data.model_dump(exclude_unset=True)
    sealing, reason = changes.pop("sealed", None), changes.pop("seal_reason", None)
    if "reported_as" in changes:  # a correction: normalised, refused (422) if a value is not a citation
        changes["reported_as"] = normalize_reported_as(changes["reported_as"] or [])
    if changes.get("doc_type", "") is None:  # required: null means "leave it"
        changes.pop("doc_type")
    if sealing is not None and sealing != document.sealed:
        set_seal(session, actor, document, sealing, reason)
    for name, value in changes.items():
        setattr(document, name, value)
    if changes:
        audit.record(session, actor, "document.update", "document", document.id, case_id=case.id,
                     changed=sorted(changes))  # fmt: skip
    session.flush()
    if document.status == DocumentStatus.indexed:
        entries = page_entries(document, repository.list_pages(session, document.id))
        after_commit(session, lambda: index.replace_document(document.id, entries))
    return document


def viewer_page(
    session: Session, settings: Settings, document: Document, number: int, with_boxes: bool = False
) -> Page:
    """A page of a visible document, for the viewer: 404 for a page that does not exist (yet): out of range, or the
    document still processing or failed."""
    in_range = 1 <= number <= settings.max_pages  # and a number the database can hold
    page = repository.get_page(session, document.id, number, with_boxes) if in_range else None
    if page is None:
        raise NotFound(f"document {document.id} has no page {number}")
    return page


def record_page_view(session: Session, actor: Principal, document: Document, page: Page, image: bool = False) -> None:
    """Who looked at which page: the viewer's page (`document.view_page`), and every image answer, a 304 included
    (`document.view_image`: the viewer's own image request is not a second view of the page)."""
    action = "document.view_image" if image else "document.view_page"
    audit.record(session, actor, action, "document", document.id, case_id=document.case_id,
                 page=page.number)  # fmt: skip


def page_image(
    backends: Backends,
    document: Document,
    page: Page,
    width: int,
    image_format: page_images.ImageFormat,
) -> page_images.PageImage:
    """The page rendered upright at this width, from the disk cache or rendered into it (decision 0014)."""
    if not page_images.has_image(document):
        raise NotFound(f"page {page.number} has no image: the document is {document.content_type}")
    data_dir = backends.settings.data_dir
    cached = page_images.cached_image(data_dir, document, page, width, image_format)
    if cached is not None:
        return cached
    with backends.store.local_path(document.storage_key) as path:
        image = page_images.render_page(
            path, document.content_type, page.number, page.rotation, page.skew_degrees, width,
            parse_limits(backends.settings),
        )  # fmt: skip
    return page_images.store_image(data_dir, document, page, width, image_format, image)


def check_filename(raw: str | None) -> tuple[str, CasefileError | None]:
    """A display name safe to store, and an error if the client sent a path or control characters."""
    raw = unicodedata.normalize("NFC", raw or "")
    cleaned = CONTROL_CHARACTERS.sub("", raw).replace("\\", "/").split("/")[-1].strip(" .") or "upload"
    if CONTROL_CHARACTERS.search(raw) or "/" in raw or "\\" in raw:
        return cleaned[:255], InvalidInput(
            "the filename contains a path or control characters; send a plain file name", filename=cleaned
        )
    return cleaned[:255], None


def check_languages(requested: str | None, settings: Settings, ocr: OcrEngine) -> str:
    try:
        languages = normalise_languages(requested) if requested else settings.ocr_languages
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    missing = set(languages.split("+")) - ocr.available_languages()
    if missing:
        available = ", ".join(sorted(ocr.available_languages()))
        raise InvalidInput(f"OCR language(s) {', '.join(sorted(missing))} are not installed; available: {available}")
    return languages


def upload_document(session: Session, backends: Backends, actor: Principal, upload: UploadRequest) -> UploadOutcome:
    """Store the original and record it as queued; bytes that cannot be processed are kept as failed."""
    settings = backends.settings
    case = writable_case(session, actor, upload.case_id)
    languages = check_languages(upload.metadata.language, settings, backends.ocr)
    staged, blob = stage_upload(upload.source, staging_dir(settings), settings.max_upload_bytes)
    try:
        existing = repository.find_duplicate(session, case.id, blob.sha256)
        if existing is not None:
            return UploadOutcome(existing, created=False)
        safe_name, rejection = check_filename(upload.filename)
        content_type = sniff_content_type(staged)
        page_count = None
        if rejection is None:
            try:
                page_count = parser_for(content_type).inspect(staged, parse_limits(settings))
            except CasefileError as error:
                rejection = error
        backends.store.put(blob.key, staged, blob)  # before the row: a row never points at missing bytes
    finally:
        staged.unlink(missing_ok=True)
    document = repository.insert_unless_duplicate(
        session,
        Document(
            case_id=case.id,
            filename=safe_name,
            content_type=content_type,
            size=blob.size,
            sha256=blob.sha256,
            storage_key=blob.key,
            title=upload.metadata.title,
            doc_type=upload.metadata.doc_type,
            filed_on=upload.metadata.filed_on,
            language=languages,
            page_count=page_count,
            status=DocumentStatus.failed if rejection else DocumentStatus.queued,
            error=rejection.detail if rejection else None,
        ),
    )
    if document is None:  # a concurrent upload of the same bytes won the race: answer with its row
        winner = repository.find_duplicate(session, case.id, blob.sha256)
        assert winner is not None, "the unique index said the row exists"
        return UploadOutcome(winner, created=False)
    audit.record(
        session,
        actor,
        "document.upload",
        "document",
        document.id,
        case_id=case.id,
        filename=safe_name,
        sha256=blob.sha256,
        rejected=rejection.detail if rejection else None,
    )
    if rejection is not None:
        rejection.extra["document_id"] = document.id
    else:
        enqueue_job(session, Job(PROCESS_DOCUMENT, document.id))
    return UploadOutcome(document, created=True, rejection=rejection)


def staging_dir(settings: Settings) -> Path:
    return settings.data_dir / "staging"


def clean_stale_staging(settings: Settings, older_than_seconds: float = 3600) -> int:
    """Remove upload files left in staging by a process killed mid-upload; return how many."""
    directory = staging_dir(settings)
    if not directory.exists():
        return 0
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in directory.glob("upload-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another process cleaned it first
            continue
    return removed


def request_reprocess(session: Session, actor: Principal, document_id: str) -> Document:
    """Queue a document for processing again; the job goes out after the commit."""
    document = visible_document(session, actor, document_id)
    writable_case(session, actor, document.case_id)
    document.status = DocumentStatus.queued
    document.error = None
    document.attempts = 0
    document.lease_until = None
    audit.record(session, actor, "document.reprocess", "document", document.id, case_id=document.case_id)
    enqueue_job(session, Job(PROCESS_DOCUMENT, document.id))
    return document


# --- processing, called by the task bodies in ingest/tasks.py ------------------------------------------


@dataclass(frozen=True)
class ProcessingJob:
    document_id: str
    storage_key: str
    content_type: str
    languages: str


def start_processing(session: Session, document_id: str, settings: Settings) -> ProcessingJob | None:
    """Mark the document processing under a lease; None if there is nothing to do (gone, finished, or a poison
    file that keeps killing workers)."""
    document = repository.get_document(session, document_id)
    if document is None or document.status in (DocumentStatus.indexed, DocumentStatus.failed):
        return None
    max_attempts = settings.task_max_retries + 2
    if document.attempts >= max_attempts:
        mark_failed(session, document.id, f"processing was interrupted {document.attempts} times; giving up")
        return None
    document.status = DocumentStatus.processing
    document.attempts += 1
    document.lease_until = utcnow() + timedelta(seconds=settings.processing_lease_seconds)
    return ProcessingJob(document.id, document.storage_key, document.content_type, document.language)


def extract_document(job: ProcessingJob, store: BlobStore, ocr: OcrEngine, settings: Settings) -> list[ExtractedPage]:
    """The slow part: no database session is held while it runs."""
    with store.local_path(job.storage_key) as path:
        return extract_pages(
            path,
            job.content_type,
            job.languages,
            parse_limits(settings),
            ocr,
            settings.ocr_workers,
            settings.text_layer_min_chars,
        )


def save_pages(session: Session, index: SearchIndex, document_id: str, pages: Sequence[ExtractedPage]) -> None:
    """Store the pages; the index gets them after the commit. The document stays `processing` until
    mark_indexed, so a failed index write leaves it to be retried, never `indexed` and missing."""
    document = get_document(session, document_id)
    rows = [
        Page(
            document_id=document.id,
            number=page.number,
            text=page.text,
            source=page.source,
            ocr_confidence=page.ocr_confidence,
            rotation=page.rotation,
            skew_degrees=page.skew_degrees,
            word_boxes=encode_boxes(page.words) if page.words is not None else None,
            citations=page_citations(page.text),  # ~0.4 ms a page (decision 0016): no need to leave the unit
        )
        for page in pages
    ]
    repository.replace_pages(session, document.id, rows)
    document.page_count = len(pages)
    document.ocr_pages = sum(1 for page in pages if page.source == PageSource.ocr)
    if document.reported_as is None:  # looked at once; a correction by PATCH is never overwritten (decision 0019)
        first = next((page for page in pages if page.number == 1), None)
        document.reported_as = detect_reported_as(first.text) if first is not None else []
    session.flush()
    entries = page_entries(document, rows)
    after_commit(session, lambda: index.replace_document(document_id, entries))


def mark_indexed(session: Session, document_id: str) -> None:
    document = get_document(session, document_id)
    document.status = DocumentStatus.indexed
    document.error = None
    document.lease_until = None
    document.alerted_at = None  # owed until the alerts job has run: the sweeper resends it if the broker lost it
    enqueue_job(session, Job(NOTIFY_DOCUMENT, document_id))  # saved-search alerts and new-filing notices


def page_entries(document: Document, pages: Sequence[ExtractedPage] | Sequence[Page]) -> list[PageEntry]:
    fields = case_fields(document.case)
    filed_on = document.filed_on or document.case.filed_on
    return [
        PageEntry(
            document_id=document.id,
            page_number=page.number,
            text=page.text,
            case=fields,
            doc_type=document.doc_type.value,
            filed_on=filed_on,
            title=document.title,
            filename=document.filename,
            language=document.language,
            sealed=document.sealed,
            citations=tuple(_stored_citations(page)),
        )
        for page in pages
    ]


def _stored_citations(page: ExtractedPage | Page) -> list[str]:
    """The page's citations as stored; extracted from its text for a page from before they were (reindex)."""
    stored = page.citations if isinstance(page, Page) else None
    return stored if stored is not None else page_citations(page.text)


def indexed_page_entries(session: Session, documents_per_batch: int = 50) -> Iterator[list[PageEntry]]:
    """Every indexed document's pages, from the database (the source of truth), in batches."""
    ids = repository.ids_with_status(session, [DocumentStatus.indexed])
    for start in range(0, len(ids), documents_per_batch):
        batch: list[PageEntry] = []
        for document_id in ids[start : start + documents_per_batch]:
            document = get_document(session, document_id)
            batch.extend(page_entries(document, repository.list_pages(session, document_id)))
        yield batch
        session.expunge_all()  # keep memory flat over thousands of documents


def mark_failed(session: Session, document_id: str, reason: str) -> None:
    document = repository.get_document(session, document_id)
    if document is None:
        return
    document.status = DocumentStatus.failed
    document.error = reason
    document.lease_until = None
    log.warning("document.failed", document_id=document_id, reason=reason)


def requeue_stale_documents(session: Session, settings: Settings, now: datetime, everything: bool = False) -> list[str]:
    """Send again the jobs of documents `queued` for longer than requeue_after_seconds, or `processing` past their
    lease; with everything, of all queued and processing documents. Their clocks restart, so a document is sent
    once per interval, not at every sweep."""
    queued_before = now - timedelta(seconds=settings.requeue_after_seconds)
    stale = repository.stale_documents(session, queued_before, now, everything)
    for document in stale:
        if document.status == DocumentStatus.processing:
            document.status = DocumentStatus.queued
            document.lease_until = None
        document.updated_at = now
        enqueue_job(session, Job(PROCESS_DOCUMENT, document.id))
    if stale:
        log.info("sweeper.requeued", documents=len(stale))
    return [document.id for document in stale]


def failed_documents(session: Session) -> list[str]:
    return repository.ids_with_status(session, [DocumentStatus.failed])
