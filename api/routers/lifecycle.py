"""The case lifecycle (decision 0021): assignment (acknowledgement, reassignment, suggestions), statuses and their
history, decisions (with the limitation helper's suggestions, decision 0022), the timeline, comments and requests for
comments. Walls come from the case dependencies."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from access import service as access_service
from access.schemas import AssignmentOut, UserOut
from api.deps import (
    BackendsDep,
    ManageableCase,
    Manager,
    Reader,
    SessionDep,
    SettingsDep,
    VisibleCase,
    WritableCase,
    Writer,
)
from cases import comments, lifecycle, timeline
from cases import service as cases_service
from cases.lifecycle_schemas import (
    AssignmentItem,
    AssignmentItems,
    AssignmentList,
    CommentCreate,
    CommentList,
    CommentOut,
    CommentRequestCreate,
    CommentRequestList,
    CommentRequestOut,
    DecisionCreate,
    DecisionOut,
    ReassignRequest,
    SpecialisationsUpdate,
    StatusChangeOut,
    StatusHistory,
    SuggestionList,
    SuggestionOut,
    Timeline,
    TimelineItem,
)
from core.config import Settings
from core.models import CaseComment, CommentRequest, utcnow
from litigation import service as litigation_service
from litigation.schemas import DecisionRecorded

router = APIRouter(tags=["lifecycle"])


def acknowledge_within(settings: Settings) -> timedelta:
    return timedelta(days=settings.acknowledge_within_days)


# --- assignment ------------------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/assignments")
def case_assignments(case: VisibleCase) -> AssignmentList:
    history = [each for each in case.assignment_history if each.ended_at is not None]
    return AssignmentList(
        current=[AssignmentOut.model_validate(each) for each in case.assignments],
        history=[AssignmentOut.model_validate(each) for each in history],
    )


@router.post("/cases/{case_id}/reassign", status_code=status.HTTP_201_CREATED)
def reassign(
    case: ManageableCase,
    data: ReassignRequest,
    session: SessionDep,
    backends: BackendsDep,
    settings: SettingsDep,
    user: Writer,
) -> AssignmentOut:
    officer = access_service.get_user(session, data.to_user_id)
    assignment = lifecycle.reassign(session, user, case, data.from_user_id, officer, data.reason, data.note,
                                    acknowledge_within(settings))  # fmt: skip
    cases_service.refresh_index(session, backends.index, case)
    return AssignmentOut.model_validate(assignment)


@router.get("/cases/{case_id}/assignment-suggestions")
def assignment_suggestions(case: ManageableCase, session: SessionDep) -> SuggestionList:
    found = lifecycle.suggestions(session, case)
    return SuggestionList(items=[SuggestionOut(**vars(each)) for each in found])


@router.post("/assignments/{assignment_id}/acknowledge")
def acknowledge(assignment_id: str, session: SessionDep, user: Writer) -> AssignmentOut:
    return AssignmentOut.model_validate(lifecycle.acknowledge(session, user, assignment_id))


@router.get("/assignments")
def list_assignments(
    session: SessionDep,
    user: Reader,
    unacknowledged: Annotated[bool, Query(description="Only those past their time to acknowledge")] = False,
    officer_id: Annotated[str | None, Query(max_length=36, description="An officer sees only their own")] = None,
) -> AssignmentItems:
    """Current assignments on the cases the caller sees (an officer's own), oldest first."""
    found = lifecycle.current_assignments(session, user, officer_id, unacknowledged)
    items = [
        AssignmentItem(
            **AssignmentOut.model_validate(each).model_dump(),
            case_number=each.case.number,
            case_title=each.case.title,
            officer_name=each.user.full_name,
        )
        for each in found
    ]
    return AssignmentItems(items=items, total=len(items))


@router.put("/users/{user_id}/specialisations")
def set_specialisations(user_id: str, data: SpecialisationsUpdate, session: SessionDep, user: Manager) -> UserOut:
    person = access_service.get_user(session, user_id)
    return UserOut.model_validate(lifecycle.set_specialisations(session, user, person, data.specialisations))


# --- statuses and decisions ------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/status-history")
def status_history(case: VisibleCase, session: SessionDep) -> StatusHistory:
    return StatusHistory(
        status=case.status,
        allowed=lifecycle.allowed_next(case.status),
        history=[StatusChangeOut.model_validate(each) for each in lifecycle.status_history(session, case)],
    )


@router.post("/cases/{case_id}/decision", status_code=status.HTTP_201_CREATED)
def record_decision(
    case: WritableCase, data: DecisionCreate, session: SessionDep, backends: BackendsDep, user: Writer
) -> DecisionRecorded:
    """Record the decision and decide the case; the answer carries the limitation helper's suggestions counted from
    the decision's date (decision 0022). They are suggestions only: no deadline is created."""
    decision = lifecycle.record_decision(session, user, case, data.decided_on, data.outcome,
                                         data.judgment_document_id, data.note)  # fmt: skip
    cases_service.refresh_index(session, backends.index, case)  # the status is an index field
    # Composed here, not in cases/lifecycle.py: litigation already imports cases (its service the case walls).
    suggested = litigation_service.suggest_after_decision(session, decision)
    return DecisionRecorded(**DecisionOut.model_validate(decision).model_dump(),
                            limitation_suggestions=suggested.suggestions)  # fmt: skip


@router.get("/cases/{case_id}/timeline")
def case_timeline(case: VisibleCase, session: SessionDep, user: Reader) -> Timeline:
    entries = timeline.build(session, user, case)
    return Timeline(case_id=case.id, items=[TimelineItem(**vars(entry)) for entry in entries])


# --- comments --------------------------------------------------------------------------------------------------


def comment_out(session: Session, comment: CaseComment) -> CommentOut:
    names = comments.usernames(session, comment.mentioned_user_ids)
    return CommentOut(id=comment.id, case_id=comment.case_id, body=comment.body, document_ids=comment.document_ids,
                      mentions=[names[each] for each in comment.mentioned_user_ids if each in names],
                      request_id=comment.request_id, user_id=comment.user_id, actor=comment.actor,
                      created_at=comment.created_at)  # fmt: skip


def request_out(request: CommentRequest, today: date) -> CommentRequestOut:
    out = CommentRequestOut.model_validate(request)
    return out.model_copy(update={"overdue": comments.is_overdue(request, today)})


@router.post("/cases/{case_id}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(case: VisibleCase, data: CommentCreate, session: SessionDep, user: Reader) -> CommentOut:
    comment = comments.add_comment(session, user, case, data.body, data.document_ids, data.request_id)
    return comment_out(session, comment)


@router.get("/cases/{case_id}/comments")
def list_comments(case: VisibleCase, session: SessionDep, user: Reader) -> CommentList:
    return CommentList(items=[comment_out(session, each) for each in comments.comments_of(session, case)])


@router.post("/cases/{case_id}/comment-requests", status_code=status.HTTP_201_CREATED)
def request_comments(
    case: WritableCase, data: CommentRequestCreate, session: SessionDep, user: Writer
) -> CommentRequestOut:
    request = comments.request_comments(session, user, case, data.question, data.due_on)
    return request_out(request, utcnow().date())


@router.get("/cases/{case_id}/comment-requests")
def case_comment_requests(case: VisibleCase, session: SessionDep, user: Reader) -> CommentRequestList:
    today = utcnow().date()
    return CommentRequestList(items=[request_out(each, today) for each in comments.requests_of(session, case)])


@router.get("/comment-requests")
def open_comment_requests(
    session: SessionDep,
    user: Reader,
    overdue: Annotated[bool, Query(description="Only those past their due date")] = False,
) -> CommentRequestList:
    """Unanswered requests for comments on the cases the caller sees, soonest due first."""
    today = utcnow().date()
    found = comments.open_requests(session, user, today, overdue)
    return CommentRequestList(items=[request_out(each, today) for each in found])
