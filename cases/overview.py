"""Reads the web pages need beyond the API's routes: recent documents, next hearings, the cases a person created,
and each document's OCR confidence. Every read goes through the same walls (access/policy.py) as the API's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from access import policy
from access.schemas import Principal
from core.models import Assignment, AuditEvent, Case, Document, Page, PageSource, Role


def recent_documents(session: Session, actor: Principal, limit: int = 10) -> Sequence[Document]:
    """The newest documents in the cases the caller may see (for an officer: the cases assigned to them)."""
    query = (
        select(Document)
        .join(Case, Case.id == Document.case_id)
        .where(policy.visible_cases(actor), policy.visible_documents(actor))
    )
    if actor.role is Role.officer and actor.user_id:
        query = query.where(Case.assignments.any(Assignment.user_id == actor.user_id))
    return session.scalars(query.order_by(Document.created_at.desc(), Document.id).limit(limit)).all()


def upcoming_hearings(session: Session, actor: Principal, today: date, limit: int = 10) -> Sequence[Case]:
    """The caller's visible cases with a hearing today or later, soonest first (an officer's: assigned ones)."""
    query = select(Case).where(policy.visible_cases(actor), Case.next_hearing_on >= today)
    if actor.role is Role.officer and actor.user_id:
        query = query.where(Case.assignments.any(Assignment.user_id == actor.user_id))
    return session.scalars(query.order_by(Case.next_hearing_on, Case.number).limit(limit)).all()


def cases_created_by(session: Session, actor: Principal, limit: int = 10) -> Sequence[Case]:
    """The cases the caller created (the trail's `case.create` rows say who), newest first, that they still see."""
    if actor.user_id is None:
        return []
    created = (
        select(AuditEvent.target_id, func.max(AuditEvent.id).label("last"))
        .where(AuditEvent.action == "case.create", AuditEvent.user_id == actor.user_id)
        .group_by(AuditEvent.target_id)
        .subquery()
    )
    query = (
        select(Case)
        .join(created, created.c.target_id == Case.id)
        .where(policy.visible_cases(actor))
        .order_by(created.c.last.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def ocr_confidence(session: Session, document_ids: Sequence[str]) -> dict[str, float]:
    """The mean OCR confidence (0-100) of each document's OCR'd pages; documents with none are left out."""
    if not document_ids:
        return {}
    query = (
        select(Page.document_id, func.avg(Page.ocr_confidence))
        .where(and_(Page.document_id.in_(list(document_ids)), Page.source == PageSource.ocr))
        .where(Page.ocr_confidence.is_not(None))
        .group_by(Page.document_id)
    )
    return {document_id: float(mean) for document_id, mean in session.execute(query) if mean is not None}


def granted_cases(session: Session, actor: Principal, limit: int = 50) -> Sequence[Case]:
    """The caller's visible cases that carry at least one grant, most recently changed first (the admin page's list
    of grants: each case page shows and manages its own)."""
    query = select(Case).where(policy.visible_cases(actor), Case.grants.any())
    return session.scalars(query.order_by(Case.updated_at.desc(), Case.id).limit(limit)).all()
