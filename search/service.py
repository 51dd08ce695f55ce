"""Page search: parse once, let the configured engine run it, record who searched for what."""

from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Principal
from citations.service import with_citations
from core.errors import InvalidInput
from core.models import Document, Page
from search import repository
from search.backends.base import SearchIndex
from search.boxes import WordBox, boxes_for_pages, decode_boxes, matching_boxes
from search.query import Clause, parse_query
from search.schemas import BoxOut, FacetCount, PageBoxesOut, SearchFilters, SearchHitOut, SearchResponse

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
    # A citation typed in any spelling also finds the pages that cite it in another (decision 0019).
    query = with_citations(query_text, parse_query(query_text))
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
        hits=with_boxes(session, result.hits, query),
        facets={
            field: [FacetCount(value=value, count=count) for value, count in counts.items()]
            for field, counts in result.facets.items()
        },
    )


def box_out(box: WordBox) -> BoxOut:
    return {"x": round(box.x, 5), "y": round(box.y, 5), "w": round(box.w, 5), "h": round(box.h, 5), "text": box.text}


def with_boxes(session: Session, hits: list[SearchHitOut], query: Clause | None) -> list[SearchHitOut]:
    """Each hit with the boxes of its page's matching words (decision 0014): one query for every hit's page, and
    the same matching as the boxes endpoint. A search without words has nothing to mark."""
    if query is None or not hits:
        return hits
    stored = repository.word_boxes_of(session, [(hit.document_id, hit.page) for hit in hits])
    matched = boxes_for_pages(stored, query)
    for hit in hits:
        hit.boxes = [box_out(box) for box in matched.get((hit.document_id, hit.page), [])]
    return hits


def page_boxes(session: Session, actor: Principal, document: Document, page: Page, query_text: str) -> PageBoxesOut:
    """The boxes of the words on a page of a visible document that the query matches (decision 0014)."""
    query = parse_query(query_text)
    boxes = matching_boxes(decode_boxes(page.word_boxes), query)
    audit.record(session, actor, "document.page_boxes", "document", document.id, case_id=document.case_id,
                 page=page.number, query=query_text)  # fmt: skip
    return PageBoxesOut(document_id=document.id, page=page.number, boxes=[box_out(box) for box in boxes])
