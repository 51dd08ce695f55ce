"""The precedent graph (decision 0019): extract citations, who cites an authority, what a document cites."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import BackendsDep, Reader, SessionDep, VisibleDocument
from citations import service
from citations.schemas import CitedByOut, CitesOut, ExtractIn, ExtractOut

router = APIRouter(tags=["citations"])


@router.post("/citations/extract")
def extract_citations(body: ExtractIn, user: Reader) -> ExtractOut:
    """The citations and case numbers in a text, as issue 11's contract names them (pure: nothing is stored)."""
    return service.extract(body.text)


@router.get("/citations/{citation:path}/cited-by")
def cited_by(
    citation: str,
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CitedByOut:
    """The documents and pages the caller may see that cite the authority, typed in any spelling (normalised)."""
    return service.cited_by(session, backends.index, user, citation, page, size)


@router.get("/documents/{document_id}/cites")
def document_cites(document: VisibleDocument, session: SessionDep, user: Reader) -> CitesOut:
    """What a document cites, each authority resolved to the documents in Casefile reported as it."""
    return service.cites(session, user, document)
