"""A search within one document: which of its pages a query matches, for the page viewer's next and previous hit.

The engine answers (the same analysis, stemming and walls as the search page), restricted to the document by the
document_id filter. No audit record of its own: the page view that asks is recorded (ingest.service.record_page_view).
"""

from __future__ import annotations

from access import policy
from access.schemas import Principal
from core.models import Document
from search.backends.base import SearchIndex
from search.query import Clause
from search.schemas import SearchFilters
from search.service import MAX_RESULT_WINDOW


def matching_pages(index: SearchIndex, actor: Principal, document: Document, query: Clause | None) -> list[int]:
    """The numbers of the document's pages that the query matches and the caller may see, in page order; [] without
    a query. Bounded by the engines' result window (a document has at most settings.max_pages pages)."""
    if query is None:
        return []
    filters = SearchFilters(case_id=document.case_id, document_id=document.id, readers=policy.principal_keys(actor))
    limit = min(max(document.page_count or 0, 1), MAX_RESULT_WINDOW)
    result = index.search(query, filters, offset=0, limit=limit)
    return sorted({hit.page for hit in result.hits if hit.document_id == document.id})
