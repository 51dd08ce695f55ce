"""Document endpoints: metadata, the original bytes, page texts, reprocessing."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, status
from fastapi.responses import StreamingResponse

from access import service as audit
from api.deps import BackendsDep, Downloader, Reader, SessionDep, Writer
from api.ranges import parse_range
from ingest import repository, service
from ingest.schemas import DocumentOut, PageList, PageOut

router = APIRouter(prefix="/documents", tags=["documents"])


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback and the exact UTF-8 name (RFC 6266), never header-breaking."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{document_id}")
def read_document(document_id: str, session: SessionDep, user: Reader) -> DocumentOut:
    return DocumentOut.model_validate(service.get_document(session, document_id))


@router.get(
    "/{document_id}/file",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, 206: {"description": "Partial content"}},
)
def download_file(
    document_id: str,
    session: SessionDep,
    backends: BackendsDep,
    user: Downloader,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> StreamingResponse:
    document = service.get_document(session, document_id)
    byte_range = parse_range(range_header, document.size)
    start, end = byte_range or (0, document.size - 1)
    chunks = backends.store.read_range(document.storage_key, start, end)
    audit.record(session, user, "document.download", "document", document.id, range=range_header)
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
def read_pages(document_id: str, session: SessionDep, user: Reader) -> PageList:
    document = service.get_document(session, document_id)
    return PageList(
        document_id=document.id,
        items=[PageOut.model_validate(page) for page in repository.list_pages(session, document.id)],
    )


@router.post("/{document_id}/reprocess", status_code=status.HTTP_202_ACCEPTED)
def reprocess(document_id: str, session: SessionDep, user: Writer) -> DocumentOut:
    return DocumentOut.model_validate(service.request_reprocess(session, user, document_id))
