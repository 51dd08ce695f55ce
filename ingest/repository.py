"""Queries about documents and pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, undefer

from core.models import Case, Document, DocumentStatus, Page, new_id


def get_document(session: Session, document_id: str, allowed: ColumnElement[bool] | None = None) -> Document | None:
    """allowed is a condition on Document and Case (the walls)."""
    if allowed is None:
        return session.get(Document, document_id)
    query = select(Document).join(Case, Case.id == Document.case_id).where(Document.id == document_id, allowed)
    return session.scalars(query).first()


def find_duplicate(session: Session, case_id: str, sha256: str) -> Document | None:
    """The same bytes already in this case (a failed copy is retried with reprocess, not a re-upload)."""
    return session.scalars(
        select(Document)
        .where(Document.case_id == case_id, Document.sha256 == sha256)
        .order_by(Document.created_at)
        .limit(1)
    ).first()


def insert_unless_duplicate(session: Session, document: Document) -> Document | None:
    """Insert the row, or nothing if the case already has these bytes (the unique index on case and sha256):
    concurrent uploads of one file get one row, with no error to unwind. None means another upload won."""
    document.id = document.id or new_id()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {column.key: getattr(document, column.key) for column in Document.__table__.columns}
    statement = (
        dialect.insert(Document)
        .values({key: value for key, value in values.items() if value is not None})
        .on_conflict_do_nothing(index_elements=["case_id", "sha256"])
    )
    result = cast("CursorResult[Any]", session.execute(statement))
    if result.rowcount == 0:
        return None
    return session.get(Document, document.id)


def stale_documents(session: Session, queued_before: datetime, now: datetime, everything: bool) -> Sequence[Document]:
    """Documents whose job may be lost: queued since before queued_before, or processing past their lease."""
    query = select(Document)
    if everything:
        query = query.where(Document.status.in_([DocumentStatus.queued, DocumentStatus.processing]))
    else:
        query = query.where(
            or_(
                and_(Document.status == DocumentStatus.queued, Document.updated_at < queued_before),
                and_(Document.status == DocumentStatus.processing, Document.lease_until < now),
            )
        )
    return session.scalars(query.order_by(Document.created_at).with_for_update(skip_locked=True)).all()


def list_case_documents(
    session: Session, case_id: str, allowed: ColumnElement[bool] | None = None
) -> Sequence[Document]:
    query = select(Document).where(Document.case_id == case_id)
    if allowed is not None:
        query = query.where(allowed)
    return session.scalars(query.order_by(Document.created_at, Document.id)).all()


def list_pages(session: Session, document_id: str) -> Sequence[Page]:
    return session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.number)).all()


def list_pages_with_box_flags(session: Session, document_id: str) -> list[tuple[Page, bool]]:
    """The pages and whether each has word boxes, without loading the boxes themselves."""
    query = select(Page, Page.word_boxes.is_not(None)).where(Page.document_id == document_id).order_by(Page.number)
    return [(page, bool(flag)) for page, flag in session.execute(query)]


def get_page(session: Session, document_id: str, number: int, with_boxes: bool = False) -> Page | None:
    query = select(Page).where(Page.document_id == document_id, Page.number == number)
    if with_boxes:
        query = query.options(undefer(Page.word_boxes))
    return session.scalars(query).first()


def replace_pages(session: Session, document_id: str, pages: Sequence[Page]) -> None:
    """Swap the document's pages for these."""
    session.execute(delete(Page).where(Page.document_id == document_id))
    session.add_all(pages)


def ids_with_status(session: Session, statuses: Sequence[DocumentStatus]) -> list[str]:
    return list(session.scalars(select(Document.id).where(Document.status.in_(statuses)).order_by(Document.created_at)))


def count_finished(session: Session, ids: Sequence[str]) -> int:
    finished = (DocumentStatus.indexed, DocumentStatus.failed)
    query = select(func.count()).where(Document.id.in_(ids), Document.status.in_(finished))
    return session.scalar(query) or 0
