"""Saved searches and notifications pages, the unread count in the header, and a document's similar documents, all
through alerts/service.py like /api/v1 (each person's own; the walls of the search engine and of SQL)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from access.schemas import Permission
from alerts import service
from alerts.schemas import SavedSearchCreate, SavedSearchFilters
from api.deps import BackendsDep, SessionDep
from core.errors import CasefileError, Forbidden, InvalidInput
from ingest import service as documents_service
from web.deps import WebViewer
from web.templating import render

router = APIRouter()
PAGE_SIZE = 20
SIMILAR_SHOWN = 8
FILTER_NAMES = ("court", "status", "case_type", "doc_type", "filed_from", "filed_to")
Field = Annotated[str, Form(max_length=2000)]


def _search_url(q: str, filters: dict[str, Any]) -> str:
    return "/search?" + urlencode({"q": q} | {name: str(value) for name, value in filters.items() if value})


def _saved_page(request: Request, session: SessionDep, viewer: WebViewer, problem: str | None, status: int) -> Response:
    if not viewer.principal.can(Permission.read):
        raise Forbidden(f"the {viewer.role} role does not search case papers, so keeps no saved searches")
    listing = service.list_saved_searches(session, viewer.principal)
    rows = [{"saved": saved, "url": _search_url(saved.q, saved.filters)} for saved in listing.items]
    return render(request, "alerts/saved.html", status_code=status, active="saved", rows=rows, problem=problem)


@router.get("/saved-searches")
def saved_searches_page(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    return _saved_page(request, session, viewer, None, 200)


@router.post("/saved-searches")
def save_search(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    name: Field = "",
    q: Field = "",
    alert: Annotated[str, Form(max_length=10)] = "",
    court: Field = "",
    status: Field = "",
    case_type: Field = "",
    doc_type: Field = "",
    filed_from: Field = "",
    filed_to: Field = "",
) -> Response:
    values = {"court": court, "status": status, "case_type": case_type, "doc_type": doc_type,
              "filed_from": filed_from, "filed_to": filed_to}  # fmt: skip
    try:
        try:
            filters = SavedSearchFilters(**{key: value for key, value in values.items() if value})
            data = SavedSearchCreate(name=name.strip() or q.strip(), q=q, filters=filters, alert=bool(alert))
        except ValidationError as error:
            raise InvalidInput("; ".join(str(item["msg"]) for item in error.errors())) from error
        service.create_saved_search(session, viewer.principal, data)
    except CasefileError as error:
        if error.status_code not in (400, 422):
            raise
        return _saved_page(request, session, viewer, error.detail, error.status_code)
    return RedirectResponse("/saved-searches", status_code=303)


@router.post("/saved-searches/{saved_search_id}/delete")
def delete_saved_search(saved_search_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    service.delete_saved_search(session, viewer.principal, saved_search_id)
    return RedirectResponse("/saved-searches", status_code=303)


@router.get("/notifications")
def notifications_page(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    unread: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[str, Query(max_length=10)] = "1",
) -> Response:
    number = int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1
    listing = service.list_notifications(session, viewer.principal, bool(unread), number, PAGE_SIZE)
    last_page = max(1, -(-listing.total // PAGE_SIZE))
    return render(request, "alerts/notifications.html", active="notifications", listing=listing,
                  unread_only=bool(unread), last_page=last_page)  # fmt: skip


@router.get("/notifications/unread-count")
def unread_count(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    """The header's count (htmx, on every page)."""
    return render(request, "alerts/_unread.html", count=service.unread_count(session, viewer.principal))


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    notification = service.mark_read(session, viewer.principal, notification_id)
    return RedirectResponse(notification.link, status_code=303)


@router.post("/notifications/read-all")
def mark_all_read(session: SessionDep, viewer: WebViewer) -> Response:
    service.mark_all_read(session, viewer.principal)
    return RedirectResponse("/notifications", status_code=303)


@router.get("/documents/{document_id}/similar")
def similar_documents(
    request: Request, document_id: str, session: SessionDep, backends: BackendsDep, viewer: WebViewer
) -> Response:
    """The viewer's "Similar documents" (an htmx fragment)."""
    document = documents_service.visible_document(session, viewer.principal, document_id)
    found = service.similar_documents(session, backends.index, viewer.principal, document, SIMILAR_SHOWN)
    return render(request, "alerts/_similar.html", document=document, items=found.items)
