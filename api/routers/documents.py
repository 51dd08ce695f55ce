"""Document endpoints: metadata, the original bytes, page texts, reprocessing."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import StreamingResponse

from access import audit
from api.deps import BackendsDep, Downloader, Reader, SessionDep, VisibleDocument, Writer
from api.ranges import parse_range
from ingest import page_images, repository, service
from ingest.schemas import DocumentOut, DocumentUpdate, PageList, PageOut
from search import service as search_service
from search.schemas import PageBoxesOut

# Browsers may reuse a page image this long without asking; after that, a conditional request costs a 304.
PAGE_IMAGE_MAX_AGE = 3600

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
        items=[
            PageOut.model_validate(page).model_copy(update={"has_boxes": has_boxes})
            for page, has_boxes in repository.list_pages_with_box_flags(session, document.id)
        ],
    )


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in offered or "*" in offered


@router.get(
    "/{document_id}/pages/{number}/image",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "image/webp": {}}, "description": "The page, upright"},
        304: {"description": "Not modified: the If-None-Match ETag is current"},
        404: {"description": "No such page, or it has no image (a text document)"},
    },
)
def read_page_image(
    document: VisibleDocument,
    number: int,
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    width: Annotated[int, Query(ge=page_images.MIN_WIDTH, le=page_images.MAX_WIDTH)] = page_images.DEFAULT_WIDTH,
    image_format: Annotated[page_images.ImageFormat, Query(alias="format")] = "png",
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The page rendered upright (as OCR read it) `width` pixels wide: the frame word boxes are fractions of."""
    page = service.viewer_page(session, backends.settings, document, number)
    service.record_page_view(session, user, document, page, image=True)
    etag = page_images.etag_of(document, page, width, image_format)
    headers = {"ETag": etag, "Cache-Control": f"private, max-age={PAGE_IMAGE_MAX_AGE}"}
    if _matches(if_none_match, etag) and page_images.has_image(document):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    image = service.page_image(backends, document, page, width, image_format)
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(image.path.read_bytes(), media_type=image.media_type, headers=headers)


@router.get("/{document_id}/pages/{number}/boxes")
def read_page_boxes(
    document: VisibleDocument,
    number: int,
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    q: Annotated[str, Query(description='the search: words, "phrases", OR, -exclude, prefix*')],
) -> PageBoxesOut:
    """The boxes of the page's words that the query matches, as fractions of the page image."""
    page = service.viewer_page(session, backends.settings, document, number, with_boxes=True)
    return search_service.page_boxes(session, user, document, page, q)


@router.post("/{document_id}/reprocess", status_code=status.HTTP_202_ACCEPTED)
def reprocess(document: VisibleDocument, session: SessionDep, user: Writer) -> DocumentOut:
    return DocumentOut.model_validate(service.request_reprocess(session, user, document.id))
