"""What goes into the page index and what comes back out of a search."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from search.urdu import normalise_urdu

FACET_FIELDS = ("court", "case_type", "doc_type", "status")

# How an index field is stored: "body" is the page text (the only field either engine tokenises for search),
# "text" is analysed but never filtered on, "keyword"/"keywords" are exact values (one, or a list),
# "integer" and "date" (ISO 8601) are typed values, "flag" is yes or no (Elasticsearch `boolean`, FTS5 0/1).
FieldKind = Literal["body", "text", "keyword", "keywords", "integer", "date", "flag"]
IndexValue = str | int | bool | list[str] | None

# The one list of an index entry's fields. Both engines build their schema (FTS5 columns, Elasticsearch
# mapping) and every written entry from it; each name is an attribute of PageEntry or of its CaseFields.
# The order is the FTS5 table's column order; new fields go at the end. An index whose table or mapping lacks a
# field is brought up to date by the engine's ensure_ready (decision 0011).
INDEX_FIELDS: dict[str, FieldKind] = {
    "text": "body",
    "document_id": "keyword",
    "page_number": "integer",
    "case_id": "keyword",
    "case_number": "keyword",
    "court": "keyword",
    "status": "keyword",
    "case_type": "keyword",
    "doc_type": "keyword",
    "filed_on": "date",
    "title": "text",
    "filename": "keyword",
    "language": "keyword",
    "parties": "keywords",
    # The walls (decision 0011): who may see the page, for an ordinary and for a sealed document, and whether the
    # page's document is sealed. Every search carries the caller's keys and matches only pages they open.
    "readers": "keywords",
    "sealed_readers": "keywords",
    "sealed": "flag",
    # The normalised citations on the page (decision 0019): the precedent graph's edges, found by citation in any
    # spelling (search.query.Cites), and carried by each hit.
    "citations": "keywords",
}


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
    # The walls (access/policy.py): the access keys that may see the case's pages, for its ordinary documents
    # and for its sealed ones. A search carries the caller's keys (SearchFilters.readers) and matches only pages
    # whose list holds one of them.
    readers: tuple[str, ...] = ()
    sealed_readers: tuple[str, ...] = ()

    def record(self) -> dict[str, IndexValue]:
        """The case's fields as the index stores them (a case edit rewrites exactly these)."""
        return {name: _index_value(getattr(self, name)) for name in CASE_INDEX_FIELDS}


CASE_INDEX_FIELDS = tuple(item.name for item in fields(CaseFields))


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
    sealed: bool = False  # the document is sealed: only the case's sealed_readers see this page
    citations: tuple[str, ...] = ()  # the page's normalised citations (citations.extract_citations)

    @property
    def key(self) -> str:
        return page_key(self.document_id, self.page_number)

    @property
    def access(self) -> tuple[str, ...]:
        """The keys that open this page: the case's sealed_readers if its document is sealed, else its readers."""
        return page_access(self.case, self.sealed)

    def record(self) -> dict[str, IndexValue]:
        """The entry as the index stores it: every INDEX_FIELDS name, in order, dates as ISO text, lists as lists."""
        record = {
            name: _index_value(getattr(self.case if name in CASE_INDEX_FIELDS else self, name)) for name in INDEX_FIELDS
        }
        # Both engines index the Urdu-normalised text, as queries are normalised (decision 0018).
        record["text"] = normalise_urdu(self.text)
        return record


def page_access(case: CaseFields, sealed: bool) -> tuple[str, ...]:
    """Who may see a page of this case: the one rule both engines apply (sealed pages: sealed_readers only)."""
    return case.sealed_readers if sealed else case.readers


def _index_value(value: object) -> IndexValue:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if value is None or isinstance(value, str | int):  # bool is an int: a flag stays True/False
        return value
    raise TypeError(f"cannot index a {type(value).__name__}")


@dataclass(frozen=True)
class SearchFilters:
    case_id: str | None = None
    document_id: str | None = None  # one document's pages (the page viewer's next and previous hit)
    court: str | None = None
    status: str | None = None
    case_type: str | None = None
    doc_type: str | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    # The caller's access keys (access.policy.principal_keys). A page matches only if one of them is among its
    # readers (sealed_readers when its document is sealed); engines apply this inside the query, so totals,
    # facets and pages count only what the caller may see. None: no restriction (an admin or the system);
    # (): nothing matches.
    readers: tuple[str, ...] | None = None


class FacetCount(BaseModel):
    value: str
    count: int


class BoxOut(TypedDict):
    """A word's box on the page image (decision 0014): x, y its top-left corner, w, h its size, all fractions of the
    image's width and height (0..1), the image as GET /documents/{id}/pages/{n}/image renders it. A TypedDict, not
    a model: a page of hits carries a thousand boxes, and building a model for each cost a third of the search."""

    x: float
    y: float
    w: float
    h: float
    text: str


class PageBoxesOut(BaseModel):
    document_id: str
    page: int
    boxes: list[BoxOut]


class SearchHitOut(BaseModel):
    """One page that matched: what both engines return and what the API sends."""

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
    # The boxes of the page's words that the query matches; [] for a page without word boxes (decision 0014).
    boxes: list[BoxOut] = Field(default_factory=list)
    # The normalised citations on the page (decision 0019); [] for pages indexed before they were kept.
    citations: list[str] = Field(default_factory=list)


@dataclass
class PageSearchResult:
    total: int
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class SearchResponse(BaseModel):
    query: str | None
    total: int
    page: int
    size: int
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetCount]]
