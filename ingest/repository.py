"""Queries about documents and pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from core.models import Document, DocumentStatus, Page


def get_document(session: Session, document_id: str) -> Document | None:
    return session.get(Document, document_id)


def find_duplicate(session: Session, case_id: str, sha256: str) -> Document | None:
    """The same bytes already in this case (a failed copy is retried with reprocess, not a re-upload)."""
    return session.scalars(
        select(Document)
        .where(Document.case_id == case_id, Document.sha256 == sha256)
        .order_by(Document.created_at)
        .limit(1)
    ).first()


def list_case_documents(session: Session, case_id: str) -> Sequence[Document]:
    return session.scalars(
        select(Document).where(Document.case_id == case_id).order_by(Document.created_at, Document.id)
    ).all()


def list_pages(session: Session, document_id: str) -> Sequence[Page]:
    return session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)).all()


def replace_pages(session: Session, document_id: str, pages: Sequence[Page]) -> int:
    """Swap the document's pages for these; return how many it had before."""
    removed = cast("CursorResult[Any]", session.execute(delete(Page).where(Page.document_id == document_id)))
    session.add_all(pages)
    return removed.rowcount


def ids_with_status(session: Session, statuses: Sequence[DocumentStatus]) -> list[str]:
    return list(session.scalars(select(Document.id).where(Document.status.in_(statuses)).order_by(Document.created_at)))


def count_finished(session: Session, ids: Sequence[str]) -> int:
    finished = (DocumentStatus.indexed, DocumentStatus.failed)
    query = select(func.count()).where(Document.id.in_(ids), Document.status.in_(finished))
    return session.scalar(query) or 0
