"""Queries for saved searches and notifications; every one is scoped to its owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from access import policy
from access.schemas import Principal
from core.models import Assignment, Case, Document, DocumentStatus, Notification, Role, SavedSearch, User


def saved_searches_of(session: Session, user_id: str) -> Sequence[SavedSearch]:
    query = select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.created_at, SavedSearch.id)
    return session.scalars(query).all()


def saved_search_of(session: Session, user_id: str, saved_search_id: str) -> SavedSearch | None:
    """The user's saved search; None for another user's id too (their ids are not ours to confirm)."""
    query = select(SavedSearch).where(SavedSearch.id == saved_search_id, SavedSearch.user_id == user_id)
    return session.scalars(query).first()


def alerting_searches(session: Session) -> Sequence[tuple[SavedSearch, User]]:
    """Every saved search with alerts on, and its owner, if the owner's account is active."""
    query = (
        select(SavedSearch, User)
        .join(User, User.id == SavedSearch.user_id)
        .where(SavedSearch.alert.is_(True), User.active.is_(True))
        .order_by(SavedSearch.created_at, SavedSearch.id)
    )
    return [(saved, user) for saved, user in session.execute(query)]


def assigned_officers(session: Session, case_id: str) -> Sequence[User]:
    query = (
        select(User)
        .join(Assignment, Assignment.user_id == User.id)
        .where(Assignment.case_id == case_id, Assignment.ended_at.is_(None), User.active.is_(True))
        .where(User.role == Role.officer)
        .order_by(User.id)
    )
    return session.scalars(query).all()


def sees_document(session: Session, principal: Principal, document_id: str) -> bool:
    """The walls as SQL (access/policy.py): whether this person may see the document."""
    query = (
        select(Document.id)
        .join(Case, Case.id == Document.case_id)
        .where(Document.id == document_id, policy.visible_cases(principal), policy.visible_documents(principal))
    )
    return session.scalars(query).first() is not None


def notified(session: Session, document_id: str) -> set[tuple[str, str]]:
    """(user, source) of the notifications a document has already caused."""
    query = select(Notification.user_id, Notification.source).where(Notification.document_id == document_id)
    return {(user_id, source) for user_id, source in session.execute(query)}


def notifications_of(
    session: Session, user_id: str, unread_only: bool, offset: int, limit: int
) -> tuple[Sequence[Notification], int, int]:
    """A page of the user's notifications, unread first and newest first; the total and the unread count."""
    mine = Notification.user_id == user_id
    conditions = [mine, Notification.read_at.is_(None)] if unread_only else [mine]
    items = session.scalars(
        select(Notification)
        .where(*conditions)
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id)
        .offset(offset)
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    return items, total, unread_count(session, user_id)


def unread_count(session: Session, user_id: str) -> int:
    query = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    return session.scalar(query) or 0


def notification_of(session: Session, user_id: str, notification_id: str) -> Notification | None:
    query = select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    return session.scalars(query).first()


def mark_all_read(session: Session, user_id: str, now: datetime) -> int:
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def owed_alerts(session: Session, indexed_before: datetime) -> Sequence[Document]:
    """Indexed documents whose alerts job has not finished, last touched before indexed_before (its job is lost)."""
    query = (
        select(Document)
        .where(Document.status == DocumentStatus.indexed, Document.alerted_at.is_(None))
        .where(Document.updated_at < indexed_before)
        .order_by(Document.updated_at)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).all()


def owed_mail(
    session: Session, kinds: Sequence[str], created_after: datetime, queued_before: datetime
) -> Sequence[Notification]:
    """Notifications still to be mailed whose mail job was last queued before queued_before (its job is lost)."""
    last_queued = func.coalesce(Notification.mail_queued_at, Notification.created_at)
    query = (
        select(Notification)
        .where(Notification.emailed_at.is_(None), Notification.created_at > created_after)
        .where(Notification.mail_error.is_(None), Notification.kind.in_(kinds), last_queued < queued_before)
        .order_by(Notification.created_at)
        .with_for_update(skip_locked=True)
    )
    return session.scalars(query).all()


def documents_by_id(session: Session, principal: Principal, document_ids: Sequence[str]) -> dict[str, Document]:
    """The documents among these that the caller may see (the walls again, as SQL), with their cases loaded."""
    if not document_ids:
        return {}
    query = (
        select(Document)
        .join(Case, Case.id == Document.case_id)
        .where(Document.id.in_(document_ids), policy.visible_cases(principal), policy.visible_documents(principal))
    )
    return {document.id: document for document in session.scalars(query)}
