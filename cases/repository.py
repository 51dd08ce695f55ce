"""Queries about cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from core.models import Case


def get_case(session: Session, case_id: str) -> Case | None:
    return session.get(Case, case_id)


def find_by_number(session: Session, court: str, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.court == court, Case.number == number)).first()


def list_cases(session: Session, filters: dict[str, str | None], offset: int, limit: int) -> tuple[Sequence[Case], int]:
    query = select(Case)
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Case, column) == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.updated_at.desc(), Case.id).offset(offset).limit(limit)).all()
    return rows, total


def ids_matching_metadata(session: Session, texts: Sequence[str], filters: dict[str, str | None]) -> list[str]:
    """Cases whose number, title, court, officer, parties or tags contain every one of texts."""
    if not texts:
        return []
    searchable = [
        Case.number,
        Case.title,
        Case.court,
        Case.case_type,
        Case.assigned_officer,
        cast(Case.parties, String),
        cast(Case.tags, String),
    ]
    query = select(Case.id)
    for text in texts:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(*(func.lower(column).like(pattern) for column in searchable)))
    for column, value in filters.items():
        if value is not None:
            query = query.where(getattr(Case, column) == value)
    return list(session.scalars(query))


def get_many(session: Session, ids: Sequence[str]) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.id.in_(ids))).all() if ids else []
