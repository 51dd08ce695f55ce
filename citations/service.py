"""The precedent graph's use-cases (decision 0019): what a page cites, what a document is reported as, who cites an
authority and what a document cites, each inside the caller's walls. Plain functions the API, UI and workers call."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Principal
from citations import repository
from citations.extract import extract_case_numbers, extract_citations, normalize_citation
from citations.schemas import (
    CaseNumberOut,
    CitationOut,
    CitedAuthority,
    CitedByCount,
    CitedByDocument,
    CitedByOut,
    CitesOut,
    ExtractOut,
    ReportedDocument,
)
from core.errors import InvalidInput, MalformedQuery
from core.models import Case, Document
from search.backends.base import SearchIndex
from search.query import And, Cites, Clause, Or, parse_query, words_of
from search.schemas import SearchFilters, SearchHitOut

# A reported judgment prints its own citation at the head of its first page, above the court, the bench and the
# headnote; the judgment's body begins at a heading like these. Only lines before it, and at most this many, count.
HEADNOTE_LINES = 15
BODY_STARTS = re.compile(
    r"^\s*(?:J\s*U\s*D\s*G\s*M\s*E\s*N\s*T|O\s*R\s*D\s*E\s*R|JUDGMENT|ORDER|SHORT ORDER|ORDER SHEET)\b[\s:.\-]*$"
    r"|^\s*[A-Z][A-Za-z .,']{1,60},\s*(?:C\.?\s*J|J)\.?\s*[:.\-]{1,3}\s*\S",  # "MUHAMMAD ALI, J.- The petitioner …"
    re.IGNORECASE,
)
# Pages fetched per request while gathering an authority's citing pages; the walk stops at the engines' window.
CITED_BY_BATCH = 100
CITED_BY_LIMIT = 10_000


def page_citations(text: str) -> list[str]:
    """The page's normalised citations, each once, in order of first appearance (what pages.citations stores)."""
    return list(dict.fromkeys(citation.normalized for citation in extract_citations(text)))


def detect_reported_as(first_page: str) -> list[str]:
    """The citations a reported judgment is reported as: those that begin a line of its first page's head, before
    the judgment's body begins and within its first HEADNOTE_LINES non-empty lines (decision 0019). A citation
    that a headnote's text refers to ("… PLD 2010 SC 1 ref.") does not begin its line, so it is not taken."""
    head: list[str] = []
    for line in first_page.splitlines():
        if not line.strip():
            continue
        if BODY_STARTS.match(line) or len(head) >= HEADNOTE_LINES:
            break
        head.append(line)
    text = "\n".join(head)
    starts = {0} | {match.end() for match in re.finditer(r"\n", text)}
    found: list[str] = []
    for citation in extract_citations(text):
        line_start = max(start for start in starts if start <= citation.start)
        before = text[line_start : citation.start]
        # Only brackets, spaces, "=" (a judgment reported in two series) or an earlier citation before it.
        if not before.strip(" \t[](){}=,;") or (found and line_start < citation.start and _only_citations(before)):
            found.append(citation.normalized)
    return list(dict.fromkeys(found))


def _only_citations(text: str) -> bool:
    rest = text
    for citation in reversed(extract_citations(text)):
        rest = rest[: citation.start] + rest[citation.end :]
    return not rest.strip(" \t[](){}=,;")


def normalized_or_422(text: str, what: str = "citation") -> str:
    normalized = normalize_citation(text)
    if normalized is None:
        raise InvalidInput(f"{text!r} is not a citation Casefile can read", field=what)
    return normalized


def normalize_reported_as(values: Sequence[str]) -> list[str]:
    """A PATCH's reported_as, each value normalised; a value that is not a citation is a 422."""
    return list(dict.fromkeys(normalized_or_422(value, "reported_as") for value in values))


def extract(text: str) -> ExtractOut:
    return ExtractOut(
        citations=[
            CitationOut(
                raw=c.raw,
                normalized=c.normalized,
                reporter=c.reporter,
                year=c.year,
                court=c.court,
                volume=c.volume,
                page=c.page,
            )
            for c in extract_citations(text)
        ],
        case_numbers=[CaseNumberOut(raw=n.raw, normalized=n.normalized) for n in extract_case_numbers(text)],
    )


def with_citations(query_text: str | None, query: Clause | None) -> Clause | None:
    """A free-text query in which citations are typed, widened to find pages that cite them in any spelling
    (decision 0019): the query as typed, OR the rest of the query (the citations' text cut out) AND pages whose
    citations field holds every detected citation. Nothing changes when no citation is found, or when the citations
    sit inside quotes, or when cutting them out leaves a query that cannot be parsed."""
    if query is None or not query_text or '"' in query_text or "citation:" in query_text.lower():
        return query
    # People type citations in lower case in a search box; the tables read capitals (offsets kept: same length).
    upper = query_text.upper()
    found = extract_citations(upper if len(upper) == len(query_text) else query_text)
    if not found:
        return query
    rest = query_text
    for citation in reversed(found):
        rest = rest[: citation.start] + " " + rest[citation.end :]
    cited: list[Clause] = [Cites(normalized) for normalized in dict.fromkeys(c.normalized for c in found)]
    try:
        remainder = parse_query(rest) if rest.strip() and words_of(rest) else None
    except MalformedQuery:
        return query
    if remainder is not None:
        cited.insert(0, remainder)
    return Or((query, cited[0] if len(cited) == 1 else And(tuple(cited))))


def _reported(document: Document, case: Case) -> ReportedDocument:
    return ReportedDocument(document_id=document.id, case_id=case.id, case_number=case.number, court=case.court,
                            title=document.title, filename=document.filename)  # fmt: skip


def _walls(actor: Principal) -> ColumnElement[bool]:
    return and_(policy.visible_cases(actor), policy.visible_documents(actor))


def citing_pages(index: SearchIndex, actor: Principal, citation: str) -> tuple[list[SearchHitOut], bool]:
    """Every page that cites the authority and that the caller may see: the engine applies the walls inside the
    query (decision 0011), so nothing outside them is fetched, let alone counted. Up to the engines' window."""
    filters = SearchFilters(readers=policy.principal_keys(actor))  # never from the caller's input
    hits: list[SearchHitOut] = []
    total = None
    while len(hits) < CITED_BY_LIMIT and (total is None or len(hits) < total):
        result = index.search(Cites(citation), filters, offset=len(hits), limit=CITED_BY_BATCH)
        total = result.total
        if not result.hits:
            break
        hits.extend(result.hits)
    return hits, (total or 0) > len(hits)


def cited_by(session: Session, index: SearchIndex, actor: Principal, typed: str, page: int, size: int) -> CitedByOut:
    """The documents and pages that cite an authority (typed in any spelling), with counts per court and year of
    the citing documents, and the documents in Casefile reported as it. Counted after the walls, never before."""
    citation = normalized_or_422(typed)
    hits, truncated = citing_pages(index, actor, citation)
    # The database confirms each document against the same walls in SQL: an index a moment behind a seal or a
    # revoke never shows a page. Counting comes after both.
    known = repository.documents_with_cases(session, [hit.document_id for hit in hits], _walls(actor))
    pages: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        # A reported judgment prints its own citation in its headnote: it is the authority, not a citing document.
        if hit.document_id in known and citation not in (known[hit.document_id][0].reported_as or []):
            pages[hit.document_id].append(hit.page)
    listed: list[CitedByDocument] = []
    for document_id, numbers in pages.items():
        document, case = known[document_id]
        filed = document.filed_on or case.filed_on
        listed.append(CitedByDocument(
            document_id=document.id, case_id=case.id, case_number=case.number, court=case.court,
            year=filed.year if filed else None, title=document.title, filename=document.filename,
            doc_type=document.doc_type.value, pages=sorted(numbers),
        ))  # fmt: skip
    # Newest first; then by case and document, so paging is stable.
    listed.sort(key=lambda item: (-(item.year or 0), item.case_number, item.title or "", item.document_id))
    reported = repository.reported_documents(session, [citation], _walls(actor))
    audit.record(session, actor, "citation.cited_by", citation=citation, documents=len(listed))
    return CitedByOut(
        citation=citation,
        total_documents=len(listed),
        total_pages=sum(len(item.pages) for item in listed),
        by_court=_counts(listed, lambda item: item.court),
        by_year=_counts(listed, lambda item: item.year),
        documents=listed[(page - 1) * size : page * size],
        page=page,
        size=size,
        reported_as=[_reported(document, case) for document, case in reported],
        truncated=truncated,
    )


CountKey = Callable[[CitedByDocument], str | int | None]


def _counts(listed: Sequence[CitedByDocument], key: CountKey) -> list[CitedByCount]:
    documents: Counter[str | int | None] = Counter()
    pages: Counter[str | int | None] = Counter()
    for item in listed:
        documents[key(item)] += 1
        pages[key(item)] += len(item.pages)
    order = sorted(documents, key=lambda value: (-documents[value], str(value)))
    return [CitedByCount(value=value, documents=documents[value], pages=pages[value]) for value in order]


def cites(session: Session, actor: Principal, document: Document) -> CitesOut:
    """What a visible document cites, each authority with the pages that cite it and the documents in Casefile
    reported as it that the caller may see (the document itself left out)."""
    on_pages: dict[str, list[int]] = defaultdict(list)
    itself = set(document.reported_as or [])  # a reported judgment's headnote prints its own citation
    for number, stored, text in repository.page_citations(session, document.id):
        for citation in stored if stored is not None else page_citations(text or ""):
            if citation not in itself:
                on_pages[citation].append(number)
    reported: dict[str, list[ReportedDocument]] = defaultdict(list)
    for other, case in repository.reported_documents(session, list(on_pages), _walls(actor)):
        if other.id == document.id:
            continue
        for citation in other.reported_as or []:
            if citation in on_pages:
                reported[citation].append(_reported(other, case))
    authorities = []
    for citation, numbers in on_pages.items():
        parsed = extract_citations(citation)
        fields = parsed[0] if parsed and parsed[0].normalized == citation else None
        authorities.append(CitedAuthority(
            normalized=citation, reporter=fields.reporter if fields else None, year=fields.year if fields else None,
            court=fields.court if fields else None, volume=fields.volume if fields else None,
            page=fields.page if fields else None, pages=numbers, resolved=reported.get(citation, []),
        ))  # fmt: skip
    audit.record(session, actor, "document.cites", "document", document.id, case_id=document.case_id)
    return CitesOut(document_id=document.id, reported_as=document.reported_as or [], citations=authorities)
