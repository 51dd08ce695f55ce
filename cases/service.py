"""Case use-cases, shared by the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access import service as audit
from access.schemas import Principal
from cases import repository
from cases.schemas import CaseCreate, CaseUpdate
from core.errors import Conflict, NotFound
from core.models import Case
from search.backends.base import SearchIndex
from search.query import Clause, required_words
from search.schemas import CaseFields, SearchFilters


def case_fields(case: Case) -> CaseFields:
    return CaseFields(
        case_id=case.id,
        case_number=case.number,
        court=case.court,
        status=case.status.value,
        case_type=case.case_type,
        parties=tuple(party["name"] for party in case.parties),
    )


def get_case(session: Session, case_id: str) -> Case:
    case = repository.get_case(session, case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def _ensure_number_free(session: Session, court: str, number: str, case_id: str | None = None) -> None:
    existing = repository.find_by_number(session, court, number)
    if existing is not None and existing.id != case_id:
        raise Conflict(f"{court} already has a case numbered {number!r}", case_id=existing.id)


def create_case(session: Session, actor: Principal, data: CaseCreate) -> Case:
    _ensure_number_free(session, data.court, data.number)
    case = Case(**data.model_dump())
    session.add(case)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent insert of the same number
        raise Conflict(f"{data.court} already has a case numbered {data.number!r}") from error
    audit.record(session, actor, "case.create", "case", case.id, number=case.number, court=case.court)
    return case


def update_case(session: Session, index: SearchIndex, actor: Principal, case_id: str, data: CaseUpdate) -> Case:
    """Change the fields sent; the case fields copied into the index follow."""
    case = get_case(session, case_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("number", "title", "court", "status"):  # required columns cannot be cleared
        if name in changes and changes[name] is None:
            changes.pop(name)
    if "number" in changes or "court" in changes:
        _ensure_number_free(session, changes.get("court", case.court), changes.get("number", case.number), case.id)
    for name, value in changes.items():
        setattr(case, name, value)
    session.flush()
    audit.record(session, actor, "case.update", "case", case.id, changed=sorted(changes))
    # Write the index last: if it fails the transaction rolls back and the two stay in step.
    index.update_case_fields(case_fields(case))
    return case


def list_cases(session: Session, filters: dict[str, str | None], page: int, size: int) -> tuple[Sequence[Case], int]:
    return repository.list_cases(session, filters, (page - 1) * size, size)


def search_cases(
    session: Session,
    index: SearchIndex,
    query: Clause,
    filters: dict[str, str | None],
    page: int,
    size: int,
) -> tuple[list[tuple[Case, int]], int]:
    """Cases whose metadata or documents match; each with its number of matching documents."""
    index_filters = SearchFilters(
        court=filters.get("court"), status=filters.get("status"), case_type=filters.get("case_type")
    )
    per_case = index.matching_documents_per_case(query, index_filters)
    metadata_ids = repository.ids_matching_metadata(session, required_words(query), filters)
    ids = set(per_case) | set(metadata_ids)
    cases = [
        case
        for case in repository.get_many(session, list(ids))
        if all(value is None or getattr(case, name) == value for name, value in filters.items())
    ]
    cases.sort(key=lambda case: (-per_case.get(case.id, 0), case.number))
    start = (page - 1) * size
    return [(case, per_case.get(case.id, 0)) for case in cases[start : start + size]], len(cases)
