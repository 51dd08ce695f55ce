"""Case endpoints: cases, their documents, assignments and grants. Access checks are the deps' job."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from access import service as access_service
from access.schemas import AssignmentCreate, AssignmentOut, GrantCreate, GrantOut, PlainText
from api.deps import (
    BackendsDep,
    ManageableCase,
    Reader,
    SessionDep,
    SettingsDep,
    VisibleCase,
    WritableCase,
    Writer,
)
from api.errors import problem_for
from cases import service
from cases.schemas import CaseCreate, CaseFilters, CaseList, CaseListItem, CaseOut, CaseUpdate
from core.models import CaseStatus, DocType
from ingest import service as documents
from ingest.schemas import DocumentList, DocumentOut
from search.query import parse_query

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED)
def create_case(data: CaseCreate, session: SessionDep, user: Writer) -> CaseOut:
    return CaseOut.model_validate(service.create_case(session, user, data))


@router.get("")
def list_cases(
    session: SessionDep,
    backends: BackendsDep,
    user: Reader,
    q: Annotated[str | None, Query(description="Full-text query over case metadata and documents")] = None,
    court: str | None = None,
    status: CaseStatus | None = None,
    case_type: str | None = None,
    officer_id: Annotated[str | None, Query(description="Cases assigned to this officer (a user id)")] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CaseList:
    filters = CaseFilters(court=court, status=status, case_type=case_type, officer_id=officer_id)
    query = parse_query(q)
    if query is None:
        cases, total = service.list_cases(session, user, filters, page, size)
        items = [CaseListItem.model_validate(case) for case in cases]
    else:
        matches, total = service.search_cases(session, backends.index, user, query, filters, page, size, q)
        items = [
            CaseListItem.model_validate(case).model_copy(update={"matched_documents": count}) for case, count in matches
        ]
    return CaseList(items=items, total=total, page=page, size=size)


@router.get("/{case_id}")
def read_case(case: VisibleCase, session: SessionDep, user: Reader) -> CaseOut:
    service.record_read(session, user, case)
    return CaseOut.model_validate(case)


@router.patch("/{case_id}")
def update_case(
    case: WritableCase, data: CaseUpdate, session: SessionDep, backends: BackendsDep, user: Writer
) -> CaseOut:
    return CaseOut.model_validate(service.update_case(session, backends.index, user, case.id, data))


@router.post(
    "/{case_id}/documents",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentOut,
    responses={200: {"description": "The same bytes are already in this case: the existing document"}},
)
def upload_document(
    request: Request,
    case: WritableCase,
    file: Annotated[UploadFile, File(description="The document: PDF, TIFF, PNG, JPEG or plain text")],
    session: SessionDep,
    backends: BackendsDep,
    user: Writer,
    response: Response,
    title: Annotated[PlainText | None, Form(max_length=500)] = None,
    doc_type: Annotated[DocType, Form()] = DocType.other,
    filed_on: Annotated[date | None, Form()] = None,
    language: Annotated[str | None, Form(description="Tesseract languages, e.g. 'urd' or 'eng+urd'")] = None,
) -> DocumentOut | JSONResponse:
    upload = documents.UploadRequest(
        case_id=case.id,
        filename=file.filename,
        source=file.file,
        metadata=documents.UploadMetadata(title=title, doc_type=doc_type, filed_on=filed_on, language=language),
    )
    outcome = documents.upload_document(session, backends, user, upload)
    if outcome.rejection is not None:
        # Returned, not raised: the kept original and its `failed` row must commit with the answer.
        return problem_for(request, outcome.rejection)
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return DocumentOut.model_validate(outcome.document)


@router.get("/{case_id}/documents")
def list_documents(case: VisibleCase, session: SessionDep, user: Reader) -> DocumentList:
    items = [DocumentOut.model_validate(doc) for doc in documents.case_documents(session, user, case)]
    return DocumentList(items=items, total=len(items))


@router.post("/{case_id}/assignments", status_code=status.HTTP_201_CREATED)
def assign(
    case: ManageableCase,
    data: AssignmentCreate,
    session: SessionDep,
    backends: BackendsDep,
    settings: SettingsDep,
    user: Writer,
) -> AssignmentOut:
    """Assign a lead officer (the default when the case has none) or an assisting one, with a note; the first
    officer moves an intake case to assigned (decision 0021)."""
    officer = access_service.get_user(session, data.user_id)
    within = timedelta(days=settings.acknowledge_within_days)
    assignment = service.assign_officer(session, user, case, officer, data.role, data.note, within)
    service.refresh_index(session, backends.index, case)
    return AssignmentOut.model_validate(assignment)


@router.delete("/{case_id}/assignments/{assignment_id}", status_code=status.HTTP_204_NO_CONTENT)
def unassign(
    case: ManageableCase,
    assignment_id: str,
    session: SessionDep,
    backends: BackendsDep,
    user: Writer,
    reason: Annotated[PlainText | None, Query(max_length=1000, description="Kept with the ended assignment")] = None,
) -> Response:
    service.unassign_officer(session, user, case, assignment_id, reason)
    service.refresh_index(session, backends.index, case)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{case_id}/grants", status_code=status.HTTP_201_CREATED)
def grant(
    case: ManageableCase, data: GrantCreate, session: SessionDep, backends: BackendsDep, user: Writer
) -> GrantOut:
    grantee = access_service.get_user(session, data.user_id) if data.user_id else None
    unit = access_service.get_unit(session, data.unit_id) if data.unit_id else None
    created = service.add_grant(session, user, case, grantee, unit, data.access)
    service.refresh_index(session, backends.index, case)
    return GrantOut.model_validate(created)


@router.delete("/{case_id}/grants/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_grant(
    case: ManageableCase, grant_id: str, session: SessionDep, backends: BackendsDep, user: Writer
) -> Response:
    service.remove_grant(session, user, case, grant_id)
    service.refresh_index(session, backends.index, case)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
