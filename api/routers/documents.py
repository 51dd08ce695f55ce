"""Document endpoints: metadata, the original bytes, page texts, reprocessing."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, status
from fastapi.responses import StreamingResponse

from access import audit
from api.deps import BackendsDep, Downloader, Reader, SessionDep, VisibleDocument, Writer
from api.ranges import parse_range
from ingest import repository, service
from ingest.schemas import DocumentOut, DocumentUpdate, PageList, PageOut

router = APIRouter(prefix="/documents", tags=["documents"])


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the exact UTF-8 name (RFC 6266), never header-breaking."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{document_id}")
def read_document(document: VisibleDocument, session: SessionDep, user: Reader) -> DocumentOut:
    audit.record(session, user, "document.read", "document", document.id, case_id=document.case_id)
    return DocumentOut.model_validate(document)


@router.patch("/{document_id}")
def update_document(
    document: VisibleDocument, data: DocumentUpdate, session: SessionDep, backends: BackendsDep, user: Writer
) -> DocumentOut:
    return DocumentOut.model_validate(service.update_document(session, backends.index, user, document.id, data))


@router.get(
    "/{document_id}/file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "Partial content"}},
)
def download_file(
    document: VisibleDocument,
    session: SessionDep,
    backends: BackendsDep,
    user: Downloader,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> StreamingResponse:
    byte_range = parse_range(range_header, document.size)
    start, end = byte_range or (0, document.size - 1)
    chunks = backends.store.read_range(document.storage_key, start, end)
    audit.record(session, user, "document.download", "document", document.id, case_id=document.case_id,
                 range=range_header)  # fmt: skip
    headers = {
        "Content-Disposition": content_disposition(document.filename),
        "Accept-Ranges": "bytes",
        "Content-Length": str(end - start + 1),
        "ETag": f'"{document.sha256}"',
        "X-Content-Type-Options": "nosniff",
    }
    if byte_range is not None:
        headers["Content-Range"] = f"bytes {start}-{end}/{document.size}"
    return StreamingResponse(
        chunks,
        status_code=status.HTTP_206_PARTIAL_CONTENT if byte_range else status.HTTP_200_OK,
        media_type=document.content_type,
        headers=headers,
    )


@router.get("/{document_id}/pages")
def read_pages(document: VisibleDocument, session: SessionDep, user: Reader) -> PageList:
    audit.record(session, user, "document.read_pages", "document", document.id, case_id=document.case_id)
    return PageList(
        document_id=document.id,
        items=[PageOut.model_validate(page) for page in repository.list_pages(session, document.id)],
    )


@router.post("/{document_id}/reprocess", status_code=status.HTTP_202_ACCEPTED)
def reprocess(document: VisibleDocument, session: SessionDep, user: Writer) -> DocumentOut:
    return DocumentOut.model_validate(service.request_reprocess(session, user, document.id))
