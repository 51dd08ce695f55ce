"""`casefile verify`: do the database, the blob store and the index agree? With repair, mend what can be mended.

The database is the source of truth. The checks:
- every document's original is in the blob store, with the size and SHA-256 the row records;
- every `indexed` document's pages are in the index, as many as the database has, with the case's fields;
- a `failed` document has nothing in the index (a rebuild from the database would drop it too);
- no document in the index lacks a row; no blob lacks a row.

Repairs: a missing or wrong index entry is written again from the database's pages; orphan and stale index entries
are removed; a document whose original is missing or corrupt is marked failed with the reason (the bytes cannot be
mended: restore them from a backup); orphan blobs are only reported, unless the caller asks to delete them, and
then only those older than a grace period, since an upload stores its blob just before its row commits.

Documents `queued` or `processing` are in flight: their index entries are not judged.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select

from access import audit
from access.schemas import Principal
from core.backends import Backends
from core.db import new_session
from core.errors import NotFound
from core.models import Case, Document, DocumentStatus, Page, Role
from core.uow import unit_of_work
from ingest import repository as documents_repository
from ingest import service as documents
from search.backends.base import IndexedDocument
from storage.base import BlobInfo, hash_blob


def _log() -> structlog.typing.FilteringBoundLogger:
    # Resolved at each call, not cached: the CLI sends log lines to stderr while its command runs.
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger(__name__)
    return logger


VERIFIER = Principal(user_id=None, token_id=None, name="casefile verify", role=Role.admin)
DEFAULT_ORPHAN_GRACE = timedelta(hours=1)


class Kind(enum.StrEnum):
    original_missing = "original missing"
    original_corrupt = "original corrupt"
    index_missing = "index missing"
    index_wrong = "index wrong"
    index_stale = "index stale"
    index_orphan = "index orphan"
    blob_orphan = "blob orphan"


@dataclass
class Finding:
    kind: Kind
    subject: str  # a document id, or a blob key for orphan blobs
    detail: str
    action: str | None = None  # what the repair did
    resolved: bool = False  # the inconsistency is gone (a lost original never is)


@dataclass
class VerifyReport:
    documents: int = 0
    originals: int = 0  # distinct blobs checked (documents with the same bytes share one)
    indexed_documents: int = 0
    index_documents: int = 0
    blobs: int = 0
    findings: list[Finding] = field(default_factory=list)
    repaired: bool = False

    @property
    def unresolved(self) -> list[Finding]:
        return [finding for finding in self.findings if not finding.resolved]

    @property
    def ok(self) -> bool:
        return not self.unresolved

    def counts(self) -> Counter[Kind]:
        return Counter(finding.kind for finding in self.findings)


@dataclass(frozen=True)
class _Row:
    id: str
    case_id: str
    storage_key: str
    sha256: str
    size: int
    status: DocumentStatus
    error: str | None


@dataclass(frozen=True)
class _CaseRow:
    number: str
    court: str
    status: str
    case_type: str | None


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def verify(
    backends: Backends,
    *,
    repair: bool = False,
    delete_orphan_blobs: bool = False,
    orphan_grace: timedelta = DEFAULT_ORPHAN_GRACE,
    hash_workers: int = 4,
    progress: Progress | None = None,
) -> VerifyReport:
    report = VerifyReport(repaired=repair)
    # Blobs are listed before the rows are read: a blob stored after the listing is not seen, and one stored
    # before it has its row committed by the time the rows are read, unless its upload is still running.
    blobs = list(backends.store.iter_blobs())
    rows, cases, page_counts = _read_database(backends)
    in_index = {entry.document_id: entry for entry in backends.index.indexed_documents()}
    report.documents, report.blobs, report.index_documents = len(rows), len(blobs), len(in_index)
    report.indexed_documents = sum(1 for row in rows.values() if row.status == DocumentStatus.indexed)

    lost = _check_originals(backends, rows, report, hash_workers, progress)
    _check_index(rows, cases, page_counts, in_index, report)
    _check_orphan_blobs(blobs, rows, report, orphan_grace)

    if repair:
        _repair(backends, report, in_index, lost, delete_orphan_blobs, orphan_grace)
    _log().info(
        "verify.finished",
        documents=report.documents,
        findings=len(report.findings),
        unresolved=len(report.unresolved),
        repair=repair,
    )
    return report


def _read_database(backends: Backends) -> tuple[dict[str, _Row], dict[str, _CaseRow], dict[str, int]]:
    with new_session(backends.settings) as session:  # read only: closed without a commit
        rows = {
            row.id: _Row(row.id, row.case_id, row.storage_key, row.sha256, row.size, row.status, row.error)
            for row in session.execute(
                select(
                    Document.id,
                    Document.case_id,
                    Document.storage_key,
                    Document.sha256,
                    Document.size,
                    Document.status,
                    Document.error,
                )
            )
        }
        cases = {
            row.id: _CaseRow(row.number, row.court, row.status.value, row.case_type)
            for row in session.execute(select(Case.id, Case.number, Case.court, Case.status, Case.case_type))
        }
        page_counts = {
            document_id: int(count)
            for document_id, count in session.execute(select(Page.document_id, func.count()).group_by(Page.document_id))
        }
    return rows, cases, page_counts


def _check_originals(
    backends: Backends, rows: dict[str, _Row], report: VerifyReport, workers: int, progress: Progress | None
) -> dict[str, str]:
    """Hash every distinct original once; return {document id: reason} for those missing or corrupt."""
    by_key: dict[str, list[_Row]] = {}
    for row in rows.values():
        by_key.setdefault(row.storage_key, []).append(row)
    report.originals = len(by_key)

    def measure(key: str) -> tuple[str, tuple[int, str] | None]:
        try:
            return key, hash_blob(backends.store, key)
        except NotFound:
            return key, None

    lost: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for done, (key, measured) in enumerate(pool.map(measure, sorted(by_key)), start=1):
            if progress is not None:
                progress("originals", done, len(by_key))
            for row in by_key[key]:
                if measured is None:
                    reason = f"the original ({key}) is missing from the blob store"
                    report.findings.append(Finding(Kind.original_missing, row.id, reason))
                    lost[row.id] = reason
                elif measured != (row.size, row.sha256):
                    size, sha256 = measured
                    reason = (
                        f"the original ({key}) does not match its record: {size} bytes with SHA-256 {sha256[:12]}…, "
                        f"expected {row.size} bytes with {row.sha256[:12]}…"
                    )
                    report.findings.append(Finding(Kind.original_corrupt, row.id, reason))
                    lost[row.id] = reason
    return lost


def _check_index(
    rows: dict[str, _Row],
    cases: dict[str, _CaseRow],
    page_counts: dict[str, int],
    in_index: dict[str, IndexedDocument],
    report: VerifyReport,
) -> None:
    for row in rows.values():
        entry = in_index.get(row.id)
        if row.status == DocumentStatus.failed and entry is not None:
            report.findings.append(
                Finding(Kind.index_stale, row.id, f"failed, but {entry.page_count} page(s) are still searchable")
            )
        if row.status != DocumentStatus.indexed:
            continue
        expected_pages = page_counts.get(row.id, 0)
        if entry is None:
            if expected_pages:
                report.findings.append(
                    Finding(Kind.index_missing, row.id, f"indexed, but none of its {expected_pages} page(s) are")
                )
            continue
        case = cases[row.case_id]
        expected = {
            "page count": expected_pages,
            "case_id": row.case_id,
            "case_number": case.number,
            "court": case.court,
            "status": case.status,
            "case_type": case.case_type,
        }
        found = {
            "page count": entry.page_count,
            "case_id": entry.case_id,
            "case_number": entry.case_number,
            "court": entry.court,
            "status": entry.status,
            "case_type": entry.case_type,
        }
        differences = [
            f"{name} {found[name]!r}, not {value!r}" for name, value in expected.items() if found[name] != value
        ]
        if differences:
            report.findings.append(Finding(Kind.index_wrong, row.id, "the index has " + "; ".join(differences)))
    for document_id, entry in in_index.items():
        if document_id not in rows:
            report.findings.append(
                Finding(Kind.index_orphan, document_id, f"{entry.page_count} page(s) of a document with no row")
            )


def _check_orphan_blobs(
    blobs: Iterable[BlobInfo], rows: dict[str, _Row], report: VerifyReport, grace: timedelta
) -> None:
    referenced = {row.storage_key for row in rows.values()}
    now = datetime.now(UTC)
    for blob in blobs:
        if blob.key in referenced:
            continue
        recent = (
            " (stored within the grace period: perhaps an upload in progress)" if now - blob.modified < grace else ""
        )
        report.findings.append(
            Finding(Kind.blob_orphan, blob.key, f"{blob.size} bytes that no document refers to{recent}")
        )


def _repair(
    backends: Backends,
    report: VerifyReport,
    in_index: dict[str, IndexedDocument],
    lost: dict[str, str],
    delete_orphan_blobs: bool,
    orphan_grace: timedelta,
) -> None:
    # Listed again: an orphan's age is judged now, not when the check began.
    blob_ages = {blob.key: blob.modified for blob in backends.store.iter_blobs()} if delete_orphan_blobs else None
    deletable_before = datetime.now(UTC) - orphan_grace
    for finding in report.findings:
        try:
            _repair_one(backends, finding, in_index, lost, blob_ages, deletable_before)
        except Exception as error:  # one failed repair must not stop the others; the finding stays unresolved
            finding.action = f"repair failed: {error}"
            _log().warning("verify.repair_failed", kind=finding.kind.value, subject=finding.subject, reason=str(error))


def _repair_one(
    backends: Backends,
    finding: Finding,
    in_index: dict[str, IndexedDocument],
    lost: dict[str, str],
    blob_ages: dict[str, datetime] | None,
    deletable_before: datetime,
) -> None:
    kind, subject = finding.kind, finding.subject
    if kind in (Kind.original_missing, Kind.original_corrupt):
        _mark_lost(backends, subject, lost[subject])
        if subject in in_index:
            backends.index.delete_document(subject)
        finding.action = "marked failed" + (" and removed from the index" if subject in in_index else "")
    elif kind in (Kind.index_missing, Kind.index_wrong):
        if subject in lost:  # its original is gone: marked failed above, not put back into search
            finding.action, finding.resolved = "left out: its original is lost", True
            return
        _reindex_document(backends, subject)
        finding.action, finding.resolved = "re-indexed from the database", True
    elif kind in (Kind.index_stale, Kind.index_orphan):
        backends.index.delete_document(subject)
        finding.action, finding.resolved = "removed from the index", True
    elif kind is Kind.blob_orphan:
        if blob_ages is None:
            finding.action = "kept (--delete-orphan-blobs deletes it)"
        elif subject not in blob_ages:
            finding.action, finding.resolved = "already gone", True
        elif blob_ages[subject] > deletable_before:
            finding.action = "kept: too recent to delete"
        else:
            backends.store.delete(subject)
            finding.action, finding.resolved = "deleted", True


def _mark_lost(backends: Backends, document_id: str, reason: str) -> None:
    with unit_of_work(backends.settings) as session:
        document = documents_repository.get_document(session, document_id)
        if document is None or (document.status == DocumentStatus.failed and document.error == reason):
            return
        documents.mark_failed(session, document_id, reason)
        audit.record(session, VERIFIER, "document.verify_failed", "document", document_id, reason=reason)


def _reindex_document(backends: Backends, document_id: str) -> None:
    with new_session(backends.settings) as session:  # read only
        document = documents.get_document(session, document_id)
        if document.status != DocumentStatus.indexed:  # changed since the check: its own task indexes it
            return
        entries = documents.page_entries(document, documents_repository.list_pages(session, document_id))
    # The engine removes pages beyond these itself, so a wrong page count is mended too.
    backends.index.replace_document(document_id, entries)
