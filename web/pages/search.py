"""The search page: page hits (GET /api/v1/search) or case-level results (GET /api/v1/cases?q=), over the same
services, so the walls, the facets and the search's audit record are the API's own. The URL holds the whole search
(query, filters, dates, mode and page), so a search can be bookmarked and shared."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from access.schemas import Permission
from api.deps import BackendsDep, SessionDep
from cases import repository as cases_repository
from cases import service as cases_service
from cases.schemas import CaseFilters
from core.backends import Backends
from core.errors import CasefileError, Forbidden, InvalidInput
from core.models import CaseStatus, DocType
from search import service as search_service
from search.query import parse_query
from search.schemas import SearchFilters, SearchResponse
from web.deps import Viewer, WebViewer
from web.templating import render

router = APIRouter()

PAGE_SIZE = 20
MODES = ("pages", "cases")
FACET_LABELS = {"court": "Court", "status": "Case status", "case_type": "Case type", "doc_type": "Document type"}
# Filters that case-level results can apply (cases have no document type or filing date).
CASE_FILTERS = ("court", "status", "case_type")
MARK_TAG = re.compile(r"(</?mark>)")


def marked_snippet(snippet: str) -> Markup:
    """A snippet as safe HTML: only <mark> and </mark> survive as tags. The engines already escape the page text
    (search/highlight.py); this re-escapes every other part anyway (unescape, then escape: idempotent for escaped
    text, and a stray '<' from any engine becomes '&lt;'), and drops unbalanced marks."""
    out: list[str] = []
    open_marks = 0
    for part in MARK_TAG.split(snippet):
        if part == "<mark>":
            if open_marks == 0:
                out.append(part)
                open_marks = 1
        elif part == "</mark>":
            if open_marks == 1:
                out.append(part)
                open_marks = 0
        else:
            out.append(html.escape(html.unescape(part), quote=False))
    if open_marks:
        out.append("</mark>")
    return Markup("".join(out))


@dataclass(frozen=True)
class SearchForm:
    """What the URL says: every part of a search, as typed (strings), so the form can show it back."""

    q: str = ""
    court: str = ""
    status: str = ""
    case_type: str = ""
    doc_type: str = ""
    filed_from: str = ""
    filed_to: str = ""
    mode: str = "pages"
    page: int = 1

    def url(self, **changes: Any) -> str:
        """This search's address with some parts changed (a new filter or mode goes back to result page 1)."""
        if "page" not in changes:
            changes["page"] = 1
        form = replace(self, **changes)
        parts = [(name, str(getattr(form, name))) for name in self.__dataclass_fields__]
        defaults = (("mode", "pages"), ("page", "1"))
        kept = [(name, value) for name, value in parts if value and (name, value) not in defaults]
        return "/search" + ("?" + urlencode(kept) if kept else "")

    @property
    def active_filters(self) -> list[tuple[str, str]]:
        names = FACET_LABELS if self.mode == "pages" else CASE_FILTERS
        return [(name, getattr(self, name)) for name in names if getattr(self, name)]

    @property
    def is_empty(self) -> bool:
        filters = ("court", "status", "case_type", "doc_type", "filed_from", "filed_to")
        return not self.q.strip() and not any(getattr(self, name) for name in filters)


@dataclass
class Outcome:
    """What the page shows below the form."""

    total: int = 0
    hits: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    problem: str | None = None
    searched: bool = False


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None


def _choice(value: str, allowed: type[CaseStatus] | type[DocType], name: str) -> str | None:
    if not value:
        return None
    if value not in {member.value for member in allowed}:
        raise InvalidInput(f"{value!r} is not a {name}")
    return value


def _page_hits(session: Session, backends: Backends, viewer: Viewer, form: SearchForm) -> Outcome:
    filters = SearchFilters(
        court=form.court or None,
        status=_choice(form.status, CaseStatus, "case status"),
        case_type=form.case_type or None,
        doc_type=_choice(form.doc_type, DocType, "document type"),
        filed_from=_date(form.filed_from, "Filed from"),
        filed_to=_date(form.filed_to, "Filed to"),
    )
    result: SearchResponse = search_service.search_pages(
        session, backends.index, viewer.principal, form.q or None, filters, form.page, PAGE_SIZE
    )
    # Hits carry the case number; the case title comes from the cases themselves (all visible: hits are walled).
    titles = cases_repository.titles_of(session, {hit.case_id for hit in result.hits})
    hits = [
        {
            "hit": hit,
            "case_title": titles.get(hit.case_id, ""),
            "snippets": [marked_snippet(snippet) for snippet in hit.snippets],
            "viewer_url": f"/documents/{hit.document_id}/pages/{hit.page}"
            + (f"?{urlencode({'q': form.q})}" if form.q.strip() else ""),
        }
        for hit in result.hits
    ]
    facets = {name: [(item.value, item.count) for item in items] for name, items in result.facets.items() if items}
    return Outcome(total=result.total, hits=hits, facets=facets, searched=True)


def _case_results(session: Session, backends: Backends, viewer: Viewer, form: SearchForm) -> Outcome:
    filters = CaseFilters(
        court=form.court or None,
        status=CaseStatus(status) if (status := _choice(form.status, CaseStatus, "case status")) else None,
        case_type=form.case_type or None,
    )
    query = parse_query(form.q or None)
    rows: list[dict[str, Any]]
    if query is None:
        cases, total = cases_service.list_cases(session, viewer.principal, filters, form.page, PAGE_SIZE)
        rows = [{"case": case, "matched": None} for case in cases]
    else:
        matches, total = cases_service.search_cases(
            session, backends.index, viewer.principal, query, filters, form.page, PAGE_SIZE
        )
        rows = [{"case": case, "matched": count} for case, count in matches]
    return Outcome(total=total, cases=rows, searched=True)


@router.get("/search")
def search_page(
    request: Request,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    q: Annotated[str, Query(max_length=2000)] = "",
    court: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=50)] = "",
    case_type: Annotated[str, Query(max_length=200)] = "",
    doc_type: Annotated[str, Query(max_length=50)] = "",
    filed_from: Annotated[str, Query(max_length=20)] = "",
    filed_to: Annotated[str, Query(max_length=20)] = "",
    mode: Annotated[str, Query(max_length=10)] = "pages",
    page: Annotated[str, Query(max_length=10)] = "1",
) -> Response:
    if not viewer.principal.can(Permission.read):
        raise Forbidden(f"the {viewer.role} role may not search case papers")
    number = int(page) if page.isdigit() and 0 < int(page) <= search_service.MAX_RESULT_WINDOW else 1
    form = SearchForm(q, court, status, case_type, doc_type, filed_from, filed_to,
                      mode if mode in MODES else "pages", number)  # fmt: skip
    outcome = Outcome()
    status_code = 200
    if not form.is_empty:
        try:
            if form.mode == "cases":
                outcome = _case_results(session, backends, viewer, form)
            else:
                outcome = _page_hits(session, backends, viewer, form)
        except CasefileError as error:
            if error.status_code not in (400, 422):  # a backend outage is the error page's business
                raise
            outcome, status_code = Outcome(problem=error.detail), error.status_code
    last_page = max(1, min(-(-outcome.total // PAGE_SIZE), search_service.MAX_RESULT_WINDOW // PAGE_SIZE))
    return render(
        request,
        "search/search.html",
        status_code=status_code,
        active="search",
        form=form,
        outcome=outcome,
        last_page=last_page,
        first_shown=(form.page - 1) * PAGE_SIZE + 1,
        last_shown=min(form.page * PAGE_SIZE, outcome.total),
        facet_labels=FACET_LABELS,
        statuses=[member.value for member in CaseStatus],
        doc_types=[member.value for member in DocType],
    )
