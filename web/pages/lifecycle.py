"""The case lifecycle on the case page (decision 0021): officers with their acknowledgement, reassignment with a
reason, suggestions with their reasons, a status control offering only the allowed moves, the decision form, the
timeline, comments with @mentions and requests for comments; and acknowledging from the home page. A recorded
decision leads to the limitation helper's suggestions from its date (decision 0022). Every write calls the services
the API calls (cases/lifecycle.py, cases/comments.py); a refusal (409, 422) shows the case page again with the
service's words, which for a status name what is allowed."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from access import service as access_service
from access.schemas import Principal
from api.deps import BackendsDep, SessionDep, SettingsDep
from cases import comments, lifecycle, timeline
from cases import service as cases_service
from cases.lifecycle_schemas import CommentCreate, CommentRequestCreate, DecisionCreate
from core.errors import CasefileError
from core.models import AssignmentRole, Case, CaseStatus, DecisionOutcome, Document, utcnow
from web.deps import Viewer, WebViewer

router = APIRouter()
Text = Annotated[str, Form(max_length=5000)]
Id = Annotated[str, Form(max_length=36)]

OUTCOME_LABELS = {
    DecisionOutcome.in_favour: "In favour (of the government)",
    DecisionOutcome.against: "Against",
    DecisionOutcome.partly: "Partly in favour",
    DecisionOutcome.withdrawn: "Withdrawn",
    DecisionOutcome.dismissed_as_withdrawn: "Dismissed as withdrawn",
    DecisionOutcome.disposed_of: "Disposed of",
}


def case_context(
    session: Session, principal: Principal, case: Case, documents: list[Document], can_write: bool, can_manage: bool
) -> dict[str, Any]:
    """What the case page shows of the lifecycle, within the walls the page already applied."""
    today = utcnow().date()
    history = [each for each in case.assignment_history if each.ended_at is not None]
    said = comments.comments_of(session, case)
    mentioned = comments.usernames(session, [user for each in said for user in each.mentioned_user_ids])
    return {
        "assignment_history": history,
        "suggestions": lifecycle.suggestions(session, case, 5) if can_manage else [],
        "allowed_statuses": lifecycle.allowed_next(case.status) if can_write else [],
        "can_decide": can_write and CaseStatus.decided in lifecycle.allowed_next(case.status),
        "decisions": lifecycle.decisions_of(session, case),
        "outcomes": OUTCOME_LABELS,
        "roles": list(AssignmentRole),
        "timeline": timeline.build(session, principal, case),
        "comments": said,
        "mentioned": mentioned,
        "comment_requests": comments.requests_of(session, case),
        "may_comment": comments.may_comment(session, principal, case),
        "today": today,
        "documents_by_id": {document.id: document for document in documents},
    }


def _refused(request: Request, session: Session, viewer: Viewer, case_id: str, problem: str, status: int) -> Response:
    from web.pages import cases as case_pages  # the case page renders this module's context: imported late

    return case_pages.render_case_page(request, session, viewer, case_id, problem=problem, status_code=status)


def _messages(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, item['loc'])) or 'form'}: {item['msg']}" for item in error.errors())


def _back(case_id: str, anchor: str) -> Response:
    return RedirectResponse(f"/cases/{case_id}#{anchor}", status_code=303)


@router.post("/cases/{case_id}/reassign")
def reassign(
    request: Request,
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    settings: SettingsDep,
    viewer: WebViewer,
    from_user_id: Id = "",
    to_user_id: Id = "",
    reason: Text = "",
) -> Response:
    case = cases_service.manageable_case(session, viewer.principal, case_id)
    officer = access_service.get_user(session, to_user_id)
    try:
        lifecycle.reassign(session, viewer.principal, case, from_user_id, officer, reason, None,
                           timedelta(days=settings.acknowledge_within_days))  # fmt: skip
    except CasefileError as error:
        if error.status_code not in (404, 409, 422):
            raise
        # An officer not on the case (the form was stale) is the form's mistake here, not a missing page.
        status = 422 if error.status_code == 404 else error.status_code
        return _refused(request, session, viewer, case.id, error.detail, status)
    cases_service.refresh_index(session, backends.index, case)
    return _back(case.id, "people")


@router.post("/assignments/{assignment_id}/acknowledge")
def acknowledge(
    assignment_id: str, session: SessionDep, viewer: WebViewer, back: Annotated[str, Form(max_length=10)] = ""
) -> Response:
    """The assigned officer acknowledges, from their home page (back "home") or the case page."""
    assignment = lifecycle.acknowledge(session, viewer.principal, assignment_id)
    if back == "home":
        return RedirectResponse("/", status_code=303)
    return _back(assignment.case_id, "people")


@router.post("/cases/{case_id}/status")
def change_status(
    request: Request,
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    status: Annotated[str, Form(max_length=32)] = "",
    reason: Text = "",
) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    if status not in CaseStatus.__members__:
        return _refused(request, session, viewer, case.id, f"no status {status!r}", 422)
    try:
        lifecycle.change_status(session, viewer.principal, case, CaseStatus(status), reason.strip() or None)
    except CasefileError as error:
        if error.status_code != 409:
            raise
        return _refused(request, session, viewer, case.id, error.detail, 409)
    cases_service.refresh_index(session, backends.index, case)  # the status is an index field
    return _back(case.id, "lifecycle")


@router.post("/cases/{case_id}/decision")
def record_decision(
    request: Request,
    case_id: str,
    session: SessionDep,
    backends: BackendsDep,
    viewer: WebViewer,
    decided_on: Annotated[str, Form(max_length=20)] = "",
    outcome: Annotated[str, Form(max_length=32)] = "",
    judgment_document_id: Id = "",
) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    try:
        data = DecisionCreate.model_validate({"decided_on": decided_on, "outcome": outcome,
                                              "judgment_document_id": judgment_document_id or None})  # fmt: skip
        decision = lifecycle.record_decision(session, viewer.principal, case, data.decided_on, data.outcome,
                                             data.judgment_document_id)  # fmt: skip
    except ValidationError as error:
        return _refused(request, session, viewer, case.id, _messages(error), 422)
    except CasefileError as error:
        if error.status_code not in (409, 422):
            raise
        return _refused(request, session, viewer, case.id, error.detail, error.status_code)
    cases_service.refresh_index(session, backends.index, case)
    # The case page's deadlines section then shows the limitation helper's suggestions from this decision's date,
    # each with its "add as a deadline" button (web/pages/hearings.py): suggested, never created here.
    return RedirectResponse(f"/cases/{case.id}?decision={decision.id}#after-decision", status_code=303)


@router.post("/cases/{case_id}/comments")
def add_comment(
    request: Request,
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    body: Annotated[str, Form(max_length=20_000)] = "",
    document_ids: Annotated[list[str] | None, Form(max_length=50)] = None,
    request_id: Id = "",
) -> Response:
    case = cases_service.visible_case(session, viewer.principal, case_id)
    comments.commentable_case(session, viewer.principal, case)
    try:
        chosen = [each for each in document_ids or [] if each]
        data = CommentCreate.model_validate({"body": body, "document_ids": chosen, "request_id": request_id or None})
        comments.add_comment(session, viewer.principal, case, data.body, data.document_ids, data.request_id)
    except ValidationError as error:
        return _refused(request, session, viewer, case.id, _messages(error), 422)
    except CasefileError as error:
        if error.status_code != 422:
            raise
        return _refused(request, session, viewer, case.id, error.detail, 422)
    return _back(case.id, "comments")


@router.post("/cases/{case_id}/comment-requests")
def request_comments(
    request: Request,
    case_id: str,
    session: SessionDep,
    viewer: WebViewer,
    due_on: Annotated[str, Form(max_length=20)] = "",
    question: Text = "",
) -> Response:
    case = cases_service.writable_case(session, viewer.principal, case_id)
    try:
        data = CommentRequestCreate.model_validate({"due_on": due_on, "question": question})
        comments.request_comments(session, viewer.principal, case, data.question, data.due_on)
    except ValidationError as error:
        return _refused(request, session, viewer, case.id, _messages(error), 422)
    return _back(case.id, "comments")
