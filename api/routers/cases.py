"""Case endpoints, and uploading documents into a case."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import JSONResponse

from api.deps import BackendsDep, Reader, SessionDep, Writer
from api.errors import problem_for
from cases import service
from cases.schemas import CaseCreate, CaseFilters, CaseList, CaseListItem, CaseOut, CaseUpdate
from core.models import CaseStatus, DocType
from ingest import repository as documents_repository
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
    assigned_officer: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CaseList:
    filters = CaseFilters(court=court, status=status, case_type=case_type, assigned_officer=assigned_officer)
    query = parse_query(q)
    if query is None:
        cases, total = service.list_cases(session, filters, page, size)
        items = [CaseListItem.model_validate(case) for case in cases]
    else:
        matches, total = service.search_cases(session, backends.index, query, filters, page, size)
        items = [
            CaseListItem.model_validate(case).model_copy(update={"matched_documents": count}) for case, count in matches
        ]
    return CaseList(items=items, total=total, page=page, size=size)


@router.get("/{case_id}")
def read_case(case_id: str, session: SessionDep, user: Reader) -> CaseOut:
    return CaseOut.model_validate(service.get_case(session, case_id))


@router.patch("/{case_id}")
def update_case(case_id: str, data: CaseUpdate, session: SessionDep, backends: BackendsDep, user: Writer) -> CaseOut:
    return CaseOut.model_validate(service.update_case(session, backends.index, user, case_id, data))


@router.post(
    "/{case_id}/documents",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DocumentOut,
    responses={200: {"description": "The same bytes are already in this case: the existing document"}},
)
def upload_document(
    request: Request,
    case_id: str,
    file: Annotated[UploadFile, File(description="The document: PDF, TIFF, PNG, JPEG or plain text")],
    session: SessionDep,
    backends: BackendsDep,
    user: Writer,
    response: Response,
    title: Annotated[str | None, Form(max_length=500)] = None,
    doc_type: Annotated[DocType, Form()] = DocType.other,
    filed_on: Annotated[date | None, Form()] = None,
    language: Annotated[str | None, Form(description="Tesseract languages, e.g. 'urd' or 'eng+urd'")] = None,
) -> DocumentOut | JSONResponse:
    upload = documents.UploadRequest(
        case_id=case_id,
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
def list_documents(case_id: str, session: SessionDep, user: Reader) -> DocumentList:
    service.get_case(session, case_id)
    items = [DocumentOut.model_validate(doc) for doc in documents_repository.list_case_documents(session, case_id)]
    return DocumentList(items=items, total=len(items))
