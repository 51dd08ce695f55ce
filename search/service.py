"""Page search: parse once, let the configured engine run it, record who searched for what."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Principal
from core.errors import InvalidInput
from search.backends.base import SearchIndex
from search.query import parse_query
from search.schemas import FacetCount, SearchFilters, SearchResponse

# Engines cap deep paging (Elasticsearch's max_result_window); both stacks share the cap.
MAX_RESULT_WINDOW = 10_000


def search_pages(
    session: Session,
    index: SearchIndex,
    actor: Principal,
    query_text: str | None,
    filters: SearchFilters,
    page: int,
    size: int,
) -> SearchResponse:
    if page * size > MAX_RESULT_WINDOW:
        raise InvalidInput(f"page × size may not exceed {MAX_RESULT_WINDOW}; narrow the search instead")
    if filters.filed_from and filters.filed_to and filters.filed_from > filters.filed_to:
        raise InvalidInput("filed_from is after filed_to")
    query = parse_query(query_text)
    walled = dataclasses.replace(filters, readers=policy.principal_keys(actor))  # never from the caller's input
    result = index.search(query, walled, offset=(page - 1) * size, limit=size)
    audit.record(
        session,
        actor,
        "search",
        query=query_text,
        filters={key: str(value) for key, value in vars(filters).items() if value is not None and key != "readers"},
        total=result.total,
    )
    return SearchResponse(
        query=query_text,
        total=result.total,
        page=page,
        size=size,
        hits=result.hits,
        facets={
            field: [FacetCount(value=value, count=count) for value, count in counts.items()]
            for field, counts in result.facets.items()
        },
    )
