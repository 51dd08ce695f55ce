"""A case's timeline (decision 0021): filings, assignments (acknowledgements, endings), hearings, deadlines, status
changes, decisions, comments and requests for comments, merged in time order. The caller's walls apply: documents
they may not see (sealed) are left out, like everywhere else."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import core.models as models
from access.schemas import Principal
from cases import comments, lifecycle
from core.models import Case, User
from ingest import service as documents


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # filing | assigned | acknowledged | assignment_ended | status | decision | comment | comment_request
    # | hearing | deadline
    summary: str
    actor: str | None = None
    ref_id: str | None = None  # the document, assignment, hearing, deadline, comment... it is about
    document_id: str | None = None


def _day(on: date, at: str | None = None) -> datetime:
    """A dated event (a hearing, a deadline) placed on its day; a hearing's time when it has one."""
    clock = time(0, 0)
    if at:
        with contextlib.suppress(ValueError):  # a time typed oddly: the day is still right
            clock = time.fromisoformat(at)
    return datetime.combine(on, clock, tzinfo=UTC)


def _label(value: Any) -> str:
    return str(getattr(value, "value", value)).replace("_", " ")


def build(session: Session, actor: Principal, case: Case) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    for document in documents.case_documents(session, actor, case):
        name = document.title or document.filename
        entries.append(TimelineEntry(document.created_at, "filing", f"{_label(document.doc_type)} filed: {name}",
                                     ref_id=document.id, document_id=document.id))  # fmt: skip
    people = {assignment.user_id for assignment in case.assignment_history}
    names = {
        user_id: name for user_id, name in session.execute(select(User.id, User.full_name).where(User.id.in_(people)))
    }
    for assignment in case.assignment_history:
        who = names.get(assignment.user_id, assignment.user_id)
        entries.append(TimelineEntry(assignment.created_at, "assigned", f"{who} assigned as {assignment.role.value}"
                                     + (f": {assignment.note}" if assignment.note else ""),
                                     assignment.assigned_by, assignment.id))  # fmt: skip
        if assignment.acknowledged_at is not None:
            entries.append(TimelineEntry(assignment.acknowledged_at, "acknowledged", f"{who} acknowledged",
                                         who, assignment.id))  # fmt: skip
        if assignment.ended_at is not None:
            reason = f": {assignment.ended_reason}" if assignment.ended_reason else ""
            entries.append(TimelineEntry(assignment.ended_at, "assignment_ended", f"{who} no longer assigned{reason}",
                                         assignment.ended_by, assignment.id))  # fmt: skip
    for change in lifecycle.status_history(session, case):
        moved = f"{change.from_status.value} → {change.to_status.value}" if change.from_status else change.to_status
        reason = f": {change.reason}" if change.reason else ""
        entries.append(TimelineEntry(change.at, "status", f"status {_label(moved)}{reason}", change.actor, change.id))
    for decision in lifecycle.decisions_of(session, case):
        entries.append(TimelineEntry(decision.created_at, "decision",
                                     f"decided on {decision.decided_on.isoformat()}: {_label(decision.outcome)}",
                                     decision.actor, decision.id, decision.judgment_document_id))  # fmt: skip
    for comment in comments.comments_of(session, case):
        entries.append(TimelineEntry(comment.created_at, "comment", comment.body, comment.actor, comment.id))
    for request in comments.requests_of(session, case):
        entries.append(TimelineEntry(request.created_at, "comment_request",
                                     f"comments requested by {request.due_on.isoformat()}: {request.question}",
                                     request.actor, request.id))  # fmt: skip
    # Hearings and deadlines (their own package, decision 0022), when the schema has them.
    hearing_model = getattr(models, "Hearing", None)
    if hearing_model is not None:
        for hearing in session.scalars(select(hearing_model).where(hearing_model.case_id == case.id)):
            outcome = f", {_label(hearing.outcome)}" if hearing.outcome else ""
            entries.append(TimelineEntry(_day(hearing.date, hearing.time), "hearing",
                                         f"hearing before {hearing.court}: {hearing.purpose}{outcome}",
                                         None, hearing.id))  # fmt: skip
    deadline_model = getattr(models, "Deadline", None)
    if deadline_model is not None:
        for deadline in session.scalars(select(deadline_model).where(deadline_model.case_id == case.id)):
            entries.append(TimelineEntry(_day(deadline.due_on), "deadline",
                                         f"{_label(deadline.kind)} due ({_label(deadline.status)})",
                                         None, deadline.id))  # fmt: skip
    entries.sort(key=lambda entry: (entry.at, entry.kind, entry.ref_id or ""))
    return entries
