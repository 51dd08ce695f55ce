"""API shapes of the precedent graph (decision 0019) and of the extraction endpoint (issue 11's contract)."""

from __future__ import annotations

from pydantic import BaseModel, Field

# The extraction endpoint reads at most this much text: a long judgment is ~200 kB, a whole paper book a few MB.
MAX_EXTRACT_CHARS = 1_000_000


class ExtractIn(BaseModel):
    text: str = Field(max_length=MAX_EXTRACT_CHARS)


class CitationOut(BaseModel):
    raw: str
    normalized: str
    reporter: str
    year: int
    court: str | None
    volume: int | None
    page: int


class CaseNumberOut(BaseModel):
    raw: str
    normalized: str


class ExtractOut(BaseModel):
    citations: list[CitationOut]
    case_numbers: list[CaseNumberOut]


class ReportedDocument(BaseModel):
    """A document in Casefile marked as a reported judgment of the authority (documents.reported_as)."""

    document_id: str
    case_id: str
    case_number: str
    court: str
    title: str | None
    filename: str


class CitedByDocument(BaseModel):
    document_id: str
    case_id: str
    case_number: str
    court: str
    year: int | None  # the document's filing year (else its case's); None when neither is known
    title: str | None
    filename: str
    doc_type: str
    pages: list[int]  # the pages that cite the authority


class CitedByCount(BaseModel):
    value: str | int | None  # a court's name, or a year (None: not known)
    documents: int
    pages: int


class CitedByOut(BaseModel):
    citation: str  # the authority, normalised
    total_documents: int
    total_pages: int
    by_court: list[CitedByCount]
    by_year: list[CitedByCount]
    documents: list[CitedByDocument]
    page: int
    size: int
    reported_as: list[ReportedDocument]  # the authority itself, where Casefile holds it
    truncated: bool = False  # more than the engines' window of pages cite it: counts cover the first 10,000


class CitedAuthority(BaseModel):
    normalized: str
    reporter: str | None
    year: int | None
    court: str | None
    volume: int | None
    page: int | None
    pages: list[int]  # the document's pages that cite it
    resolved: list[ReportedDocument]  # documents in Casefile reported as this authority, that the caller may see


class CitesOut(BaseModel):
    document_id: str
    reported_as: list[str]
    citations: list[CitedAuthority]
