"""Queries the search service makes on the database (the index holds no word boxes)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from core.models import Page


def word_boxes_of(session: Session, pages: Sequence[tuple[str, int]]) -> list[tuple[str, int, bytes | None]]:
    """The stored word boxes of these (document id, page number) pairs, in one query."""
    if not pages:
        return []
    query = select(Page.document_id, Page.number, Page.word_boxes).where(
        tuple_(Page.document_id, Page.number).in_(list(dict.fromkeys(pages)))
    )
    return [(document_id, number, data) for document_id, number, data in session.execute(query)]
