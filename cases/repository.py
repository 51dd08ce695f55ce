"""Queries about cases."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session

from cases.schemas import CaseFilters
from core.models import Assignment, Case


def _conditions(filters: CaseFilters) -> list[ColumnElement[bool]]:
    pairs = (
        (Case.court, filters.court),
        (Case.status, filters.status),
        (Case.case_type, filters.case_type),
    )
    conditions = [column == value for column, value in pairs if value is not None]
    if filters.officer_id is not None:
        conditions.append(Case.assignments.any(Assignment.user_id == filters.officer_id))
    return conditions


def get_case(session: Session, case_id: str, allowed: ColumnElement[bool] | None = None) -> Case | None:
    if allowed is None:
        return session.get(Case, case_id)
    return session.scalars(select(Case).where(Case.id == case_id, allowed)).first()


def find_by_number(session: Session, court: str, number: str) -> Case | None:
    return session.scalars(select(Case).where(Case.court == court, Case.number == number)).first()


def list_cases(
    session: Session, allowed: ColumnElement[bool], filters: CaseFilters, offset: int, limit: int
) -> tuple[Sequence[Case], int]:
    query = select(Case).where(allowed, *_conditions(filters))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.updated_at.desc(), Case.id).offset(offset).limit(limit)).all()
    return rows, total


def ids_matching_metadata(
    session: Session, texts: Sequence[str], allowed: ColumnElement[bool], filters: CaseFilters
) -> list[str]:
    """Cases whose number, title, court, officer, parties or tags contain every one of texts."""
    if not texts:
        return []
    searchable = [
        Case.number,
        Case.title,
        Case.court,
        Case.case_type,
        Case.officer_note,
        cast(Case.parties, String),
        cast(Case.tags, String),
    ]
    query = select(Case.id)
    for text in texts:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(*(func.lower(column).like(pattern) for column in searchable)))
    return list(session.scalars(query.where(allowed, *_conditions(filters))))


def numbers_of(
    session: Session, ids: Collection[str], allowed: ColumnElement[bool], filters: CaseFilters
) -> dict[str, str]:
    """The number of each of these cases that passes the filters, by id (enough to rank them)."""
    if not ids:
        return {}
    query = select(Case.id, Case.number).where(Case.id.in_(list(ids)), allowed, *_conditions(filters))
    return {case_id: number for case_id, number in session.execute(query)}


def get_many(session: Session, ids: Sequence[str]) -> Sequence[Case]:
    return session.scalars(select(Case).where(Case.id.in_(ids))).all() if ids else []


def titles_of(session: Session, ids: Collection[str]) -> dict[str, str]:
    """The titles of these cases by id, reading two columns only (the search page names each hit's case)."""
    if not ids:
        return {}
    rows = session.execute(select(Case.id, Case.title).where(Case.id.in_(list(ids))))
    return {case_id: title for case_id, title in rows}
