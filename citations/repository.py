"""Queries of the precedent graph on the database: page citations, reported judgments and citing documents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Text, cast, or_, select
from sqlalchemy.orm import Session

from core.models import Case, Document, Page


def page_citations(session: Session, document_id: str) -> list[tuple[int, list[str] | None, str | None]]:
    """Each page's number and stored citations; its text only where none were stored (pages from before 0006)."""
    query = select(Page.number, Page.citations).where(Page.document_id == document_id).order_by(Page.number)
    rows = list(session.execute(query))
    missing = [number for number, citations in rows if citations is None]
    texts: dict[int, str] = {}
    if missing:
        text_query = select(Page.number, Page.text).where(Page.document_id == document_id, Page.number.in_(missing))
        texts = {number: text for number, text in session.execute(text_query)}
    return [(number, citations, texts.get(number)) for number, citations in rows]


def reported_documents(
    session: Session, citations: Sequence[str], allowed: ColumnElement[bool]
) -> list[tuple[Document, Case]]:
    """The documents the caller may see (allowed: the walls on Document and Case) reported as any of these.
    Matched on the stored JSON text: a normalised citation holds no quote or backslash, so '"<citation>"' occurs in
    the list's text exactly when it is an element (both engines store JSON as json.dumps writes it)."""
    if not citations:
        return []
    stored = cast(Document.reported_as, Text)
    query = (
        select(Document, Case)
        .join(Case, Case.id == Document.case_id)
        .where(Document.reported_as.is_not(None), allowed)
        .where(or_(*(stored.contains(f'"{citation}"', autoescape=True) for citation in citations)))
        .order_by(Case.number, Document.created_at, Document.id)
    )
    return [(document, case) for document, case in session.execute(query).all()]


def documents_with_cases(
    session: Session, document_ids: Sequence[str], allowed: ColumnElement[bool]
) -> dict[str, tuple[Document, Case]]:
    """These documents and their cases, those the caller may see."""
    if not document_ids:
        return {}
    query = (
        select(Document, Case)
        .join(Case, Case.id == Document.case_id)
        .where(Document.id.in_(list(dict.fromkeys(document_ids))), allowed)
    )
    return {document.id: (document, case) for document, case in session.execute(query).all()}
