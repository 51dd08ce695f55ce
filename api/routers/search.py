"""Full-text page search."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import BackendsDep, Reader, SessionDep
from core.models import CaseStatus, DocType
from search import service
from search.schemas import SearchFilters, SearchResponse

router = APIRouter(tags=["search"])


@router.get("/search")
def search(
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    q: Annotated[str | None, Query(description='words, "phrases", OR, -exclude, prefix*')] = None,
    case_id: str | None = None,
    court: str | None = None,
    status: CaseStatus | None = None,
    case_type: str | None = None,
    doc_type: DocType | None = None,
    filed_from: date | None = None,
    filed_to: date | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResponse:
    filters = SearchFilters(
        case_id=case_id,
        court=court,
        status=status.value if status else None,
        case_type=case_type,
        doc_type=doc_type.value if doc_type else None,
        filed_from=filed_from,
        filed_to=filed_to,
    )
    return service.search_pages(session, backends.index, user, q, filters, page, size)
