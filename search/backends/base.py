"""The search-index interface. Both engines index one entry per page and compile the same query AST."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from search.query import Clause
from search.schemas import CaseFields, PageEntry, PageSearchResult, SearchFilters

MARK_START, MARK_END = "\x02", "\x03"  # placeholders, so highlighted text can be HTML-escaped safely


@dataclass(frozen=True)
class IndexedDocument:
    """What the index holds for one document: how many pages, and the case fields its pages carry."""

    document_id: str
    case_id: str
    page_count: int
    case_number: str
    court: str
    status: str
    case_type: str | None


@dataclass(frozen=True)
class SimilarDocument:
    """A document whose text is like another's (more like this): its best page's score."""

    document_id: str
    case_id: str
    score: float


# How much of a document's text "more like this" reads to pick its distinctive terms, and how many it keeps.
SIMILAR_TEXT_CHARS = 200_000
SIMILAR_QUERY_TERMS = 25
# FTS5 ranks pages: this many of them per document asked for are read to find the best documents.
SIMILAR_PAGES_PER_DOCUMENT = 20


class SearchIndex(Protocol):
    name: str

    def ensure_ready(self) -> None:
        """Create the index (and its mapping) if it does not exist."""

    def replace_document(
        self, document_id: str, pages: Sequence[PageEntry], previous_page_count: int | None = None
    ) -> None:
        """Make the document's pages in the index exactly these (idempotent): pages it had beyond them are removed.
        Raises IndexRejected if the engine refuses an entry for good, BackendUnavailable if it may work later.
        previous_page_count is deprecated and ignored; it goes once every caller passes two arguments."""

    def delete_document(self, document_id: str) -> None:
        """Remove every page of the document (nothing to remove is fine): `casefile verify --repair` drops
        index entries whose document is gone."""

    def update_case_fields(self, case: CaseFields) -> None:
        """Copy changed case metadata into every page of the case."""

    def search(self, query: Clause | None, filters: SearchFilters, offset: int, limit: int) -> PageSearchResult:
        """One page of hits, the total and the facets. A search that runs past the budget set at construction
        (settings.search_timeout_seconds) is stopped and raises BackendUnavailable (503), on both engines."""

    def matching_documents_per_case(self, query: Clause, filters: SearchFilters) -> dict[str, int]:
        """How many distinct documents of each case match the query (every case, however many); same budget."""

    def similar_documents(
        self, document_id: str, text: str, filters: SearchFilters, limit: int
    ) -> list[SimilarDocument]:
        """The documents (never document_id itself) whose pages are most like `text` (the document's own text), best
        first: Elasticsearch's more_like_this, or FTS5's distinctive terms by tf-idf OR'd and ranked by bm25. The walls
        in filters.readers apply inside the engine, as for search; same budget."""

    def rebuild(self, batches: Iterable[Sequence[PageEntry]]) -> str:
        """Build a fresh index from these pages and swap it in atomically; return the new version's name,
        `<index name>-v<N>` on both engines (N counts the rebuilds)."""

    def indexed_documents(self) -> Iterator[IndexedDocument]:
        """Every document in the index (for `casefile verify`); a document's pages must agree on the case fields,
        so engines may read them from any one page."""

    def ping(self) -> None:
        """Raise BackendUnavailable if the engine does not answer."""
