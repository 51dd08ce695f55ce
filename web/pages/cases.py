"""Case pages: the list with filters and case-level search, create and edit, the case page with its documents,
assignments, grants and access log, and the live document rows the uploads poll.

Every read and write calls the same service functions as api/routers/cases.py and api/routers/documents.py, so
the walls and the audit trail are the API's: a case the viewer may not see is the service's NotFound (the same
page as a case that does not exist), and opening a case page records `case.read` as GET /api/v1/cases/{id} does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from access import audit
from access import repository as access_repository
from access import service as access_service
from access.schemas import Principal
from api.deps import BackendsDep, SessionDep, SettingsDep
from cases import lifecycle, overview
from cases import service as cases_service
from cases.schemas import CaseCreate, CaseFilters, CaseUpdate
from core.errors import CasefileError, Forbidden, NotFound
from core.models import Access, AssignmentRole, Case, CaseStatus, Document, DocumentStatus, Role, User
from ingest import service as documents_service
from search.query import parse_query
from web.deps import Viewer, WebViewer, may
from web.pages import lifecycle as lifecycle_pages
from web.templating import render

router = APIRouter()
PAGE_SIZE = 20
TERMINAL = (DocumentStatus.indexed, DocumentStatus.failed)


# --- shared helpers ------------------------------------------------------------------------------------------


def may_create_cases(viewer: Viewer) -> bool:
    return viewer.can("write") and viewer.principal.role in (Role.admin, Role.clerk)


def active_officers(session: Session) -> list[User]:
    return [user for user in access_repository.list_users(session) if user.role is Role.officer and user.active]


def parse_parties(text: str) -> list[dict[str, str]]:
    """One party a line, "role: name" ("petitioner: Muhammad Aslam"); a line without a role is a party."""
    parties = []
    for line in text.splitlines():
        role, colon, name = line.partition(":")
        if not colon:
            role, name = "party", role
        if name.strip():
            parties.append({"role": " ".join(role.split()) or "party", "name": " ".join(name.split())})
    return parties


def parties_text(parties: list[dict[str, Any]]) -> str:
    return "\n".join(f"{party['role']}: {party['name']}" for party in parties)


def form_errors(error: ValidationError) -> list[str]:
    labels = {"number": "Case number", "title": "Title", "court": "Court", "case_type": "Case type",
              "parties": "Parties", "filed_on": "Filing date", "next_hearing_on": "Next hearing",
              "status": "Status"}  # fmt: skip
    messages = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        messages.append(f"{labels.get(field, field or 'The form')}: {item['msg']}")
    return messages


@dataclass
class CaseForm:
    """What the case form shows: the values typed (kept when the form is sent back with errors)."""

    number: str = ""
    title: str = ""
    court: str = ""
    case_type: str = ""
    status: str = CaseStatus.intake.value
    parties: str = ""
    filed_on: str = ""
    next_hearing_on: str = ""
    unit_id: str = ""
    sealed: str = ""  # the checkbox: "on" when ticked, "" when not (a browser sends nothing then)
    seal_reason: str = ""

    @classmethod
    def of(cls, case: Case) -> CaseForm:
        return cls(
            number=case.number, title=case.title, court=case.court, case_type=case.case_type or "",
            status=case.status.value, parties=parties_text(case.parties),
            filed_on=case.filed_on.isoformat() if case.filed_on else "",
            next_hearing_on=case.next_hearing_on.isoformat() if case.next_hearing_on else "",
            unit_id=case.unit_id or "", sealed="on" if case.sealed else "", seal_reason=case.seal_reason or "",
        )  # fmt: skip

    def fields(self) -> dict[str, Any]:
        """The values as the API's case schemas take them: blanks are "not given"."""
        return {
            "number": self.number,
            "title": self.title,
            "court": self.court,
            "case_type": self.case_type.strip() or None,
            "status": self.status,
            "parties": parse_parties(self.parties),
            "filed_on": self.filed_on or None,
            "next_hearing_on": self.next_hearing_on or None,
        }


Text = Annotated[str, Form(max_length=5000)]


def case_form(
    number: Text = "",
    title: Text = "",
    court: Text = "",
    case_type: Text = "",
    status: Text = CaseStatus.intake.value,
    parties: Annotated[str, Form(max_length=60_000)] = "",
    filed_on: Text = "",
    next_hearing_on: Text = "",
    unit_id: Text = "",
    sealed: Text = "",
    seal_reason: Text = "",
) -> CaseForm:
    return CaseForm(number, title, court, case_type, status, parties, filed_on, next_hearing_on, unit_id, sealed,
                    seal_reason)  # fmt: skip


def render_form(
    request: Request,
    session: Session,
    viewer: Viewer,
    form: CaseForm,
    case: Case | None,
    errors: list[str],
    status: int,
) -> Response:
    units = access_repository.list_units(session) if viewer.principal.role is Role.admin and case is None else []
    # Editing offers the case's status and the moves the lifecycle allows from it (decision 0021).
    statuses = [case.status, *lifecycle.allowed_next(case.status)] if case is not None else list(CaseStatus)
    return render(request, "cases/form.html", status_code=status, active="cases", form=form, case=case,
                  errors=errors, statuses=statuses, units=units)  # fmt: skip


# --- the list ------------------------------------------------------------------------------------------------


@router.get("/cases")
def list_cases(
    request: Request,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    q: Annotated[str, Query(max_length=1000)] = "",
    court: Annotated[str, Query(max_length=200)] = "",
    status: Annotated[str, Query(max_length=32)] = "",
    case_type: Annotated[str, Query(max_length=100)] = "",
    officer_id: Annotated[str, Query(max_length=36)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    chosen_status = CaseStatus(status) if status in CaseStatus.__members__ else None
    filters = CaseFilters(court=court.strip() or None, status=chosen_status, case_type=case_type.strip() or None,
                          officer_id=officer_id or None)  # fmt: skip
    error = None
    matches: list[tuple[Case, int | None]] = []
    total = 0
    try:
        query = parse_query(q) if q.strip() else None
        if query is None:
            cases, total = cases_service.list_cases(session, viewer.principal, filters, page, PAGE_SIZE)
            matches = [(case, None) for case in cases]
        else:
            found, total = cases_service.search_cases(session, backends.index, viewer.principal, query, filters, page,
                                                      PAGE_SIZE, q)  # fmt: skip
            matches = [(case, count) for case, count in found]
    except CasefileError as problem:  # a malformed query: say why, keep the form
        if problem.status_code != 400:
            raise
        error = problem.detail
    kept = {"q": q, "court": court, "status": status, "case_type": case_type, "officer_id": officer_id}
    kept = {key: value for key, value in kept.items() if value}
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request, "cases/list.html", active="cases", matches=matches, total=total, page=page, pages=pages,
        filters=kept, statuses=list(CaseStatus), officers=active_officers(session), error=error,
        page_link=lambda number: "/cases?" + urlencode({**kept, "page": number}),
        can_create=may_create_cases(viewer),
    )  # fmt: skip


# --- create and edit -----------------------------------------------------------------------------------------


@router.get("/cases/new")
def new_case_page(request: Request, session: SessionDep, viewer: WebViewer) -> Response:
    if not may_create_cases(viewer):
        raise Forbidden(f"the {viewer.role} role may not create cases")
    return render_form(request, session, viewer, CaseForm(unit_id=viewer.principal.unit_id or ""), None, [], 200)


@router.post("/cases/new")
def create_case(
    request: Request, session: SessionDep, viewer: WebViewer, form: Annotated[CaseForm, Depends(case_form)]
) -> Response:
    try:
        unit_id = form.unit_id if viewer.principal.role is Role.admin and form.unit_id else None
        data = CaseCreate.model_validate({**form.fields(), "unit_id": unit_id})
        case = cases_service.create_case(session, viewer.principal, data)
    except ValidationError as error:
        return render_form(request, session, viewer, form, None, form_errors(error), 422)
    except CasefileError as error:
        if error.status_code not in (409, 422):
            raise
        return render_form(request, session, viewer, form, None, [error.detail], error.status_code)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/cases/{case_id}/edit")
def edit_case_page(request: Request, case_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    return render_form(request, session, viewer, CaseForm.of(case), case, [], 200)


@router.post("/cases/{case_id}/edit")
def edit_case(
    request: Request,
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    form: Annotated[CaseForm, Depends(case_form)],
) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    try:
        # Only admins get the seal controls: a clerk who sealed their unit's case would lose sight of it at once,
        # and a form without the controls must not unseal a case by leaving the box unticked.
        seal = {"sealed": bool(form.sealed), "seal_reason": form.seal_reason.strip() or None}
        fields = form.fields() | (seal if viewer.principal.role is Role.admin else {})
        data = CaseUpdate.model_validate(fields)
        cases_service.update_case(session, backends.index, viewer.principal, case.id, data)
    except ValidationError as error:
        return render_form(request, session, viewer, form, case, form_errors(error), 422)
    except CasefileError as error:
        if error.status_code not in (409, 422):
            raise
        return render_form(request, session, viewer, form, case, [error.detail], error.status_code)
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


# --- the case page -------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    return render_case_page(request, session, viewer, case_id)


def render_case_page(
    request: Request, session: Session, viewer: Viewer, case_id: str, problem: str | None = None, status_code: int = 200
) -> Response:
    """The case page; after a refused lifecycle form (web/pages/lifecycle.py), with the refusal's words."""
    principal = viewer.principal
    case = cases_service.visible_case(session, principal, case_id)
    if problem is not None:
        session.refresh(case)  # the refused change left nothing behind
    cases_service.record_read(session, principal, case)  # as GET /api/v1/cases/{id} records it
    documents = list(documents_service.case_documents(session, principal, case))
    can_write = may(cases_service.writable_case, session, principal, case.id)
    can_manage = may(cases_service.manageable_case, session, principal, case.id)
    viewers = None
    try:  # who has seen the case: admins, auditors and its assigned officers, as GET .../access-log allows
        audit.check_access_log(session, principal, case.id)
        viewers = audit.case_viewers(session, case.id)
        audit.record(session, principal, "case.access_log", "case", case.id)
    except NotFound:
        pass
    people = {user.id: user for user in access_repository.list_users(session)}
    units = {unit.id: unit for unit in access_repository.list_units(session)}
    return render(
        request, "cases/case.html", status_code=status_code, active="cases", case=case, documents=documents,
        confidence=overview.ocr_confidence(session, [document.id for document in documents]),
        can_write=can_write, can_manage=can_manage, viewers=viewers, people=people, units=units,
        officers=active_officers(session) if can_manage else [], accesses=list(Access), problem=problem,
        **lifecycle_pages.case_context(session, principal, case, documents, can_write, can_manage),
    )  # fmt: skip


def case_document(session: Session, principal: Principal, case_id: str, document_id: str) -> Document:
    """A document of this case that the viewer may see; anything else is the same 404."""
    document = documents_service.visible_document(session, principal, document_id)
    if document.case_id != case_id:
        raise NotFound(f"no document with id {document_id}")
    return document


def document_row(
    request: Request, session: Session, viewer: Viewer, document: Document, with_case: bool = False
) -> Response:
    can_write = may(cases_service.writable_case, session, viewer.principal, document.case_id)
    return render(request, "cases/_document_row.html", document=document, can_write=can_write, with_case=with_case,
                  confidence=overview.ocr_confidence(session, [document.id]))  # fmt: skip


@router.get("/cases/{case_id}/documents/{document_id}/row")
def document_row_fragment(
    request: Request, case_id: str, document_id: str, session: SessionDep, viewer: WebViewer, with_case: bool = False
) -> Response:
    """One document's row, polled by the page while it is queued or processing (the row stops polling once
    indexed or failed); `with_case` adds the case column the home page shows. Not audited, like
    GET /api/v1/cases/{id}/documents: the status of a document in a case the viewer may see."""
    document = case_document(session, viewer.principal, case_id, document_id)
    return document_row(request, session, viewer, document, with_case)


@router.post("/cases/{case_id}/documents/{document_id}/reprocess")
def reprocess(request: Request, case_id: str, document_id: str, session: SessionDep, viewer: WebViewer) -> Response:
    case_document(session, viewer.principal, case_id, document_id)
    document = documents_service.request_reprocess(session, viewer.principal, document_id)
    if "HX-Request" in request.headers:
        return document_row(request, session, viewer, document)
    return RedirectResponse(f"/cases/{case_id}#documents", status_code=303)


# --- assignments and grants: admins and the owning unit's clerks (cases_service.manageable_case) ---------------


def back_to_case(case_id: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}#people", status_code=303)


@router.post("/cases/{case_id}/assignments")
def assign(
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    settings: SettingsDep,
    viewer: WebViewer,
    request: Request,
    user_id: Annotated[str, Form(max_length=36)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    case = cases_service.manageable_case(session, viewer.principal, case_id)
    officer = access_service.get_user(session, user_id)
    chosen = AssignmentRole(role) if role in AssignmentRole.__members__ else None
    within = timedelta(days=settings.acknowledge_within_days)
    try:
        cases_service.assign_officer(session, viewer.principal, case, officer, chosen, note.strip() or None, within)
    except CasefileError as error:  # a second lead, or not an officer: the page says why
        if error.status_code not in (409, 422):
            raise
        return render_case_page(request, session, viewer, case.id, error.detail, error.status_code)
    cases_service.refresh_index(session, backends.index, case)
    return back_to_case(case.id)


@router.post("/cases/{case_id}/assignments/{assignment_id}/remove")
def unassign(
    case_id: str,
    assignment_id: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    case = cases_service.manageable_case(session, viewer.principal, case_id)
    cases_service.unassign_officer(session, viewer.principal, case, assignment_id, reason.strip() or None)
    cases_service.refresh_index(session, backends.index, case)
    return back_to_case(case.id)


@router.post("/cases/{case_id}/grants")
def grant(
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    grantee: Annotated[str, Form(max_length=50)] = "",
    access: Annotated[Access, Form()] = Access.read,
) -> Response:
    """`grantee` is "user:<id>" or "unit:<id>", as the grant form's one select sends it."""
    case = cases_service.manageable_case(session, viewer.principal, case_id)
    kind, _, grantee_id = grantee.partition(":")
    user = access_service.get_user(session, grantee_id) if kind == "user" else None
    unit = access_service.get_unit(session, grantee_id) if kind == "unit" else None
    cases_service.add_grant(session, viewer.principal, case, user, unit, access)
    cases_service.refresh_index(session, backends.index, case)
    return back_to_case(case.id)


@router.post("/cases/{case_id}/grants/{grant_id}/remove")
def revoke_grant(
    case_id: str, grant_id: str, session: SessionDep, backends: BackendsDep, viewer: WebViewer
) -> Response:
    case = cases_service.manageable_case(session, viewer.principal, case_id)
    cases_service.remove_grant(session, viewer.principal, case, grant_id)
    cases_service.refresh_index(session, backends.index, case)
    return back_to_case(case.id)


# --- who has seen this case, for auditors too (who never see the case itself) ----------------------------------


@router.get("/cases/{case_id}/access-log")
def access_log_page(
    request: Request,
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    audit.check_access_log(session, viewer.principal, case_id)
    viewers = audit.case_viewers(session, case_id)
    rows, total = audit.list_events(session, audit.AuditFilters(case_id=case_id), page, 50)
    audit.record(session, viewer.principal, "case.access_log", "case", case_id)
    return render(request, "cases/access_log.html", active="audit" if viewer.role == "auditor" else "cases",
                  case_id=case_id, viewers=viewers, rows=rows, total=total, page=page,
                  pages=max(1, -(-total // 50)))  # fmt: skip
