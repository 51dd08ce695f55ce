"""Case use-cases, shared by the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access import service as audit
from access.schemas import Principal
from cases import repository
from cases.schemas import CaseCreate, CaseFilters, CaseUpdate
from core.errors import BackendUnavailable, Conflict, NotFound
from core.models import Case
from core.uow import SYNC_CASE_INDEX, Job, after_commit, send_job_now
from search.backends.base import SearchIndex
from search.query import Clause, required_words
from search.schemas import CaseFields, SearchFilters

log = structlog.get_logger(__name__)


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
    """Change the fields sent; after the commit, the case fields copied into the index follow."""
    case = get_case(session, case_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("number", "title", "court", "status"):  # required columns cannot be cleared
        if name in changes and changes[name] is None:
            changes.pop(name)
    for name in ("parties", "tags"):  # null for a list means empty
        if name in changes and changes[name] is None:
            changes[name] = []
    if "number" in changes or "court" in changes:
        _ensure_number_free(session, changes.get("court", case.court), changes.get("number", case.number), case.id)
    for name, value in changes.items():
        setattr(case, name, value)
    session.flush()
    audit.record(session, actor, "case.update", "case", case.id, changed=sorted(changes))
    _update_index_after_commit(session, index, case)
    return case


def _update_index_after_commit(session: Session, index: SearchIndex, case: Case) -> None:
    fields = case_fields(case)

    def write() -> None:
        try:
            index.update_case_fields(fields)
        except BackendUnavailable as error:  # the case is saved; a worker copies it into the index later
            log.warning("case.index_deferred", case_id=fields.case_id, reason=error.detail)
            send_job_now(session, Job(SYNC_CASE_INDEX, fields.case_id))

    after_commit(session, write)


def sync_index(session: Session, index: SearchIndex, case_id: str) -> None:
    """Copy the case's fields, as the database has them now, into its index entries after the commit."""
    case = repository.get_case(session, case_id)
    if case is not None:
        fields = case_fields(case)
        after_commit(session, lambda: index.update_case_fields(fields))


def list_cases(session: Session, filters: CaseFilters, page: int, size: int) -> tuple[Sequence[Case], int]:
    return repository.list_cases(session, filters, (page - 1) * size, size)


def search_cases(
    session: Session,
    index: SearchIndex,
    query: Clause,
    filters: CaseFilters,
    page: int,
    size: int,
) -> tuple[list[tuple[Case, int]], int]:
    """Cases whose metadata or documents match, most matching documents first; each with that count.
    Ids are ranked here, and only the requested page of cases is loaded."""
    index_filters = SearchFilters(court=filters.court, status=filters.status, case_type=filters.case_type)
    per_case = index.matching_documents_per_case(query, index_filters)
    metadata_ids = repository.ids_matching_metadata(session, required_words(query), filters)
    candidates = repository.numbers_of(session, set(per_case) | set(metadata_ids), filters)
    ranked = sorted(candidates.items(), key=lambda item: (-per_case.get(item[0], 0), item[1], item[0]))
    start = (page - 1) * size
    page_ids = [case_id for case_id, _ in ranked[start : start + size]]
    by_id = {case.id: case for case in repository.get_many(session, page_ids)}
    return [(by_id[case_id], per_case.get(case_id, 0)) for case_id in page_ids if case_id in by_id], len(ranked)
