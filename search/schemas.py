"""What goes into the page index and what comes back out of a search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel

FACET_FIELDS = ("court", "case_type", "doc_type", "status")


def page_key(document_id: str, page_number: int) -> str:
    """A page's id in the search index."""
    return f"{document_id}:{page_number}"


@dataclass(frozen=True)
class CaseFields:
    """Case metadata copied into every page entry, so filters and facets need no join."""

    case_id: str
    case_number: str
    court: str
    status: str
    case_type: str | None
    parties: tuple[str, ...]


@dataclass(frozen=True)
class PageEntry:
    document_id: str
    page_number: int
    text: str
    case: CaseFields
    doc_type: str
    filed_on: date | None
    title: str | None
    filename: str
    language: str

    @property
    def key(self) -> str:
        return page_key(self.document_id, self.page_number)


@dataclass(frozen=True)
class SearchFilters:
    case_id: str | None = None
    court: str | None = None
    status: str | None = None
    case_type: str | None = None
    doc_type: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None


@dataclass
class PageHit:
    document_id: str
    case_id: str
    case_number: str
    page: int
    score: float
    snippets: list[str]
    title: str | None
    filename: str
    court: str
    doc_type: str


@dataclass
class PageSearchResult:
    total: int
    hits: list[PageHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class FacetCount(BaseModel):
    value: str
    count: int


class SearchHitOut(BaseModel):
    document_id: str
    case_id: str
    case_number: str
    page: int
    score: float
    snippets: list[str]
    title: str | None
    filename: str
    court: str
    doc_type: str


class SearchResponse(BaseModel):
    query: str | None
    total: int
    page: int
    size: int
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetCount]]
