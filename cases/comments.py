"""Coordination on a case (decision 0021): comments between the ministry's focal person and the law officers, with
the case's documents they refer to and @mentions that notify, and requests for comments the ministry must answer."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Permission, Principal
from access.service import principal_for
from alerts.service import queue_mail
from core.errors import Forbidden, InvalidInput, NotFound
from core.models import Case, CaseComment, CommentRequest, Document, Notification, Role, User, utcnow

MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.\-]{1,100})")


def may_comment(session: Session, actor: Principal, case: Case) -> bool:
    """Whoever may change the case, and the focal persons who see it (the access table: "writes: comments only")."""
    if not actor.can(Permission.read) or actor.read_only:
        return False
    if actor.role is Role.focal_person:
        return True  # the case came through VisibleCase
    visible_writable = select(Case.id).where(Case.id == case.id, policy.writable_cases(actor))
    return session.scalar(visible_writable) is not None


def commentable_case(session: Session, actor: Principal, case: Case) -> Case:
    if not may_comment(session, actor, case):
        raise Forbidden(f"the {actor.role.value} role may not comment on this case")
    return case


def _sees_case(session: Session, user: User, case_id: str) -> bool:
    principal = principal_for(user)
    return session.scalar(select(Case.id).where(Case.id == case_id, policy.visible_cases(principal))) is not None


def mentioned_users(session: Session, case: Case, body: str) -> list[User]:
    """The active users named @username in the body who can see the case; others are not told of it."""
    names = {found.rstrip(".") for found in MENTION.findall(body)}
    if not names:
        return []
    users = session.scalars(select(User).where(User.username.in_(names), User.active.is_(True))).all()
    return sorted((user for user in users if _sees_case(session, user, case.id)), key=lambda user: user.username)


def add_comment(
    session: Session,
    actor: Principal,
    case: Case,
    body: str,
    document_ids: Sequence[str] = (),
    request_id: str | None = None,
    now: datetime | None = None,
) -> CaseComment:
    commentable_case(session, actor, case)
    if not body.strip():
        raise InvalidInput("a comment needs a body")
    wanted = list(dict.fromkeys(document_ids))
    if wanted:
        found = set(session.scalars(select(Document.id).where(
            Document.id.in_(wanted), Document.case_id == case.id, policy.visible_documents(actor))))  # fmt: skip
        missing = [each for each in wanted if each not in found]
        if missing:
            raise InvalidInput(f"no document {missing[0]} in this case")
    request = None
    if request_id is not None:
        request = session.get(CommentRequest, request_id)
        if request is None or request.case_id != case.id:
            raise InvalidInput(f"no request for comments {request_id} in this case")
    mentioned = mentioned_users(session, case, body)
    moment = now or utcnow()
    comment = CaseComment(case_id=case.id, body=body.strip(), document_ids=wanted,
                          mentioned_user_ids=[user.id for user in mentioned], request_id=request_id,
                          user_id=actor.user_id, actor=actor.label, created_at=moment)  # fmt: skip
    session.add(comment)
    session.flush()
    if request is not None and request.answered_at is None:
        request.answered_at = moment
        request.answer_comment_id = comment.id
    notices = [
        # Through the alerts package's table: the notice shows in the user's notifications like any other.
        Notification(user_id=user.id, kind="mention", source=comment.id,
                     title=f"{actor.name} mentioned you on {case.number}"[:500],
                     body=comment.body[:2000], case_id=case.id, document_id=None, created_at=moment)
        for user in mentioned
        if user.id != actor.user_id
    ]  # fmt: skip
    session.add_all(notices)
    session.flush()
    queue_mail(session, [notice.id for notice in notices], moment)  # mailed when SMTP is set (alerts/tasks.py)
    audit.record(session, actor, "case.comment", "case", case.id, comment_id=comment.id,
                 mentions=[user.username for user in mentioned], request_id=request_id)  # fmt: skip
    return comment


def comments_of(session: Session, case: Case) -> Sequence[CaseComment]:
    query = select(CaseComment).where(CaseComment.case_id == case.id)
    return session.scalars(query.order_by(CaseComment.created_at, CaseComment.id)).all()


def usernames(session: Session, user_ids: Sequence[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(User.id, User.username).where(User.id.in_(list(user_ids))))
    return {user_id: username for user_id, username in rows}


# --- requests for comments -------------------------------------------------------------------------------------


def request_comments(
    session: Session, actor: Principal, case: Case, question: str, due_on: date, now: datetime | None = None
) -> CommentRequest:
    """A question the ministry must answer by due_on (the caller already holds WritableCase)."""
    if not question.strip():
        raise InvalidInput("a request for comments needs a question")
    request = CommentRequest(case_id=case.id, question=question.strip(), due_on=due_on, user_id=actor.user_id,
                             actor=actor.label, created_at=now or utcnow())  # fmt: skip
    session.add(request)
    session.flush()
    audit.record(session, actor, "case.comment_request", "case", case.id, request_id=request.id,
                 due_on=due_on.isoformat())  # fmt: skip
    return request


def is_overdue(request: CommentRequest, today: date) -> bool:
    return request.answered_at is None and request.due_on < today


def requests_of(session: Session, case: Case) -> Sequence[CommentRequest]:
    query = select(CommentRequest).where(CommentRequest.case_id == case.id)
    return session.scalars(query.order_by(CommentRequest.due_on, CommentRequest.created_at)).all()


def open_requests(
    session: Session, actor: Principal, today: date, overdue_only: bool = False, limit: int = 500
) -> Sequence[CommentRequest]:
    """Unanswered requests on the cases the caller sees, soonest due first."""
    query = (
        select(CommentRequest)
        .join(Case, Case.id == CommentRequest.case_id)
        .where(CommentRequest.answered_at.is_(None), policy.visible_cases(actor))
    )
    if overdue_only:
        query = query.where(CommentRequest.due_on < today)
    return session.scalars(query.order_by(CommentRequest.due_on, CommentRequest.id).limit(limit)).all()


def get_request(session: Session, case: Case, request_id: str) -> CommentRequest:
    request = session.get(CommentRequest, request_id)
    if request is None or request.case_id != case.id:
        raise NotFound(f"no request for comments {request_id} in this case")
    return request
