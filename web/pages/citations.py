"""The precedent graph's pages (decision 0019): who cites an authority (/citations/{citation}), with counts per court
and year, and what a document cites (/documents/{id}/citations), each resolved to the reported judgments Casefile
holds. The same services as GET /api/v1/citations/{citation}/cited-by and /documents/{id}/cites: the walls, the
counts and the audit records are the API's own."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from access.schemas import Permission
from api.deps import BackendsDep, SessionDep
from citations import service
from citations.extract import normalize_citation
from core.errors import Forbidden, InvalidInput, NotFound
from ingest import service as documents
from web.deps import WebViewer
from web.templating import render

router = APIRouter()

PAGE_SIZE = 20


def citation_url(citation: str, page: int = 1) -> str:
    return f"/citations/{quote(citation, safe='')}" + (f"?page={page}" if page > 1 else "")


def _may_read(viewer: WebViewer) -> None:
    if not viewer.principal.can(Permission.read):
        raise Forbidden(f"the {viewer.role} role may not read case papers")


@router.get("/citations")
def look_up(request: Request, viewer: WebViewer, citation: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The look-up form, and where it goes: the authority's page under its normalised name."""
    _may_read(viewer)
    normalized = normalize_citation(citation) if citation.strip() else None
    if normalized is not None:
        return RedirectResponse(citation_url(normalized), status_code=303)
    problem = f"“{citation}” is not a citation Casefile can read (for example PLD 2019 SC 1)." if citation else None
    return render(request, "citations/cited_by.html", active="search", typed=citation, problem=problem, result=None,
                  status_code=422 if problem else 200)  # fmt: skip


@router.get("/citations/{citation:path}")
def cited_by_page(
    request: Request,
    citation: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> Response:
    _may_read(viewer)
    normalized = normalize_citation(citation)
    if normalized is None:
        raise InvalidInput(f"“{citation}” is not a citation Casefile can read (for example PLD 2019 SC 1).")
    if normalized != citation:  # one address per authority, whatever spelling was typed
        return RedirectResponse(citation_url(normalized, page), status_code=303)
    result = service.cited_by(session, backends.index, viewer.principal, normalized, page, PAGE_SIZE)
    pages = max(1, -(-result.total_documents // PAGE_SIZE))
    return render(
        request, "citations/cited_by.html", active="search", typed=normalized, problem=None, result=result,
        previous_url=citation_url(normalized, page - 1) if page > 1 else None,
        next_url=citation_url(normalized, page + 1) if page < pages else None, pages=pages,
    )  # fmt: skip


@router.get("/documents/{document_id}/citations")
def document_citations(request: Request, document_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    """What a document cites, and what it is reported as."""
    _may_read(viewer)
    try:
        document = documents.visible_document(session, viewer.principal, document_id)
    except NotFound:
        raise NotFound("There is no such document, or it has not been shared with you.") from None
    cites = service.cites(session, viewer.principal, document)
    return render(request, "citations/document.html", active="search", document=document, case=document.case,
                  cites=cites, citation_url=citation_url)  # fmt: skip
