"""Case use-cases, shared by the API and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Permission, Principal
from cases import lifecycle, repository
from cases.schemas import CaseCreate, CaseFilters, CaseUpdate
from citations.service import with_citations
from core.errors import BackendUnavailable, Conflict, Forbidden, InvalidInput, NotFound
from core.models import Access, Assignment, AssignmentRole, Case, Document, Grant, Role, Unit, User
from core.uow import SYNC_CASE_INDEX, Job, after_commit, send_job_now
from search.backends.base import SearchIndex
from search.query import Clause, required_words
from search.schemas import CaseFields, SearchFilters

log = structlog.get_logger(__name__)


def case_fields(case: Case) -> CaseFields:
    readers, sealed_readers = policy.reader_keys(case)
    return CaseFields(
        readers=readers,
        sealed_readers=sealed_readers,
        case_id=case.id,
        case_number=case.number,
        court=case.court,
        status=case.status.value,
        case_type=case.case_type,
        parties=tuple(party["name"] for party in case.parties),
    )


def get_case(session: Session, case_id: str) -> Case:
    """A case by id, for the system (workers, CLI maintenance). Callers on behalf of a person use
    visible_case or writable_case."""
    case = repository.get_case(session, case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def visible_case(session: Session, actor: Principal, case_id: str) -> Case:
    """The case if the caller may see it; otherwise 404, the same as a case that does not exist."""
    case = repository.get_case(session, case_id, policy.visible_cases(actor))
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return case


def writable_case(session: Session, actor: Principal, case_id: str) -> Case:
    """The case if the caller may change it: 404 if they cannot see it, 403 if they see it but may not write."""
    case = visible_case(session, actor, case_id)
    if repository.get_case(session, case_id, policy.writable_cases(actor)) is None:
        raise Forbidden(f"the {actor.role.value} role may not change this case")
    return case


def _ensure_number_free(session: Session, court: str, number: str, case_id: str | None = None) -> None:
    existing = repository.find_by_number(session, court, number)
    if existing is not None and existing.id != case_id:
        raise Conflict(f"{court} already has a case numbered {number!r}", case_id=existing.id)


def create_case(session: Session, actor: Principal, data: CaseCreate) -> Case:
    """A case owned by the creator's unit; only an admin may create one for another unit."""
    if not actor.can(Permission.write) or actor.role not in (Role.admin, Role.clerk):
        raise Forbidden(f"the {actor.role.value} role may not create cases")
    unit_id = data.unit_id or actor.unit_id
    if data.unit_id and data.unit_id != actor.unit_id and actor.role is not Role.admin:
        raise Forbidden("only an admin may create a case for another unit")
    if unit_id is not None and session.get(Unit, unit_id) is None:
        raise InvalidInput(f"no unit with id {unit_id}")
    _ensure_number_free(session, data.court, data.number)
    case = Case(**data.model_dump(exclude={"unit_id"}), unit_id=unit_id)
    session.add(case)
    try:
        session.flush()
    except IntegrityError as error:  # a concurrent insert of the same number
        raise Conflict(f"{data.court} already has a case numbered {data.number!r}") from error
    audit.record(session, actor, "case.create", "case", case.id, number=case.number, court=case.court)
    lifecycle.record_created(session, actor, case)
    return case


def update_case(session: Session, index: SearchIndex, actor: Principal, case_id: str, data: CaseUpdate) -> Case:
    """Change the fields sent; after the commit, the case fields copied into the index follow."""
    case = writable_case(session, actor, case_id)
    changes = data.model_dump(exclude_unset=True)
    sealing = changes.pop("sealed", None)
    reason = changes.pop("seal_reason", None)
    status_reason = changes.pop("reason", None)
    new_status = changes.pop("status", None)
    if new_status is not None and new_status != case.status:  # through the lifecycle: 409 if not allowed
        lifecycle.change_status(session, actor, case, new_status, status_reason)
    if sealing is not None and sealing != case.sealed:
        set_seal(session, actor, case, sealing, reason)
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
    if changes:
        audit.record(session, actor, "case.update", "case", case.id, changed=sorted(changes))
    _update_index_after_commit(session, index, case)
    return case


def record_read(session: Session, actor: Principal, case: Case) -> None:
    audit.record(session, actor, "case.read", "case", case.id)


def set_seal(session: Session, actor: Principal, target: Case | Document, sealed: bool, reason: str | None) -> None:
    """Seal or unseal a case or document, with the reason on record; the caller updates the index."""
    if sealed and not (reason and reason.strip()):
        raise InvalidInput("sealing needs a seal_reason (for example: in-camera proceedings)")
    target.sealed = sealed
    target.seal_reason = reason.strip() if sealed and reason else None
    kind = "case" if isinstance(target, Case) else "document"
    case_id = target.id if isinstance(target, Case) else target.case_id
    audit.record(session, actor, f"{kind}.{'seal' if sealed else 'unseal'}", kind, target.id, case_id=case_id,
                 reason=reason)  # fmt: skip


def assign_officer(
    session: Session,
    actor: Principal,
    case: Case,
    officer: User,
    role: AssignmentRole | None = None,
    note: str | None = None,
    acknowledge_within: timedelta | None = None,
) -> Assignment:
    """Assign an officer (cases/lifecycle.py holds the rules of roles, reassignment and the status)."""
    within = lifecycle.DEFAULT_ACKNOWLEDGE_WITHIN if acknowledge_within is None else acknowledge_within
    return lifecycle.assign(session, actor, case, officer, role, note, within)


def unassign_officer(
    session: Session, actor: Principal, case: Case, assignment_id: str, reason: str | None = None
) -> None:
    """End the assignment; the row stays, with when, who and why (decision 0021)."""
    lifecycle.end_assignment(session, actor, case, assignment_id, reason)


def add_grant(
    session: Session, actor: Principal, case: Case, user: User | None, unit: Unit | None, access: Access
) -> Grant:
    if (user is None) == (unit is None):
        raise InvalidInput("a grant names either user_id or unit_id")
    grant = Grant(case_id=case.id, user_id=user.id if user else None, unit_id=unit.id if unit else None, access=access)
    case.grants.append(grant)
    session.flush()
    audit.record(session, actor, "case.grant", "case", case.id, grant_id=grant.id, user_id=grant.user_id,
                 unit_id=grant.unit_id, access=access.value)  # fmt: skip
    return grant


def remove_grant(session: Session, actor: Principal, case: Case, grant_id: str) -> None:
    grant = next((each for each in case.grants if each.id == grant_id), None)
    if grant is None:
        raise NotFound(f"no grant with id {grant_id} on this case")
    case.grants.remove(grant)
    audit.record(session, actor, "case.revoke_grant", "case", case.id, grant_id=grant_id)


def manageable_case(session: Session, actor: Principal, case_id: str) -> Case:
    """Assignments and grants are kept by admins, and by the owning unit's clerks: a write grant lets another
    unit's clerk change the case, never share it further."""
    case = writable_case(session, actor, case_id)
    if not (actor.role is Role.admin or (actor.role is Role.clerk and case.unit_id == actor.unit_id)):
        raise Forbidden("only an admin or a clerk of the owning unit may assign or grant on this case")
    return case


def refresh_index(session: Session, index: SearchIndex, case: Case) -> None:
    """After a change to who may see the case (grants, assignments, seal), its pages' access keys follow."""
    _update_index_after_commit(session, index, case)


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


def list_cases(
    session: Session, actor: Principal, filters: CaseFilters, page: int, size: int
) -> tuple[Sequence[Case], int]:
    return repository.list_cases(session, policy.visible_cases(actor), filters, (page - 1) * size, size)


def search_cases(
    session: Session,
    index: SearchIndex,
    actor: Principal,
    query: Clause,
    filters: CaseFilters,
    page: int,
    size: int,
    query_text: str | None = None,
) -> tuple[list[tuple[Case, int]], int]:
    """Cases whose metadata or documents match, most matching documents first; each with that count.
    Ids are ranked here, and only the requested page of cases is loaded. A citation in query_text, in any spelling,
    also finds the cases whose papers cite it in another, as the page search does (decision 0019)."""
    index_filters = SearchFilters(
        court=filters.court, status=filters.status, case_type=filters.case_type, readers=policy.principal_keys(actor)
    )
    per_case = index.matching_documents_per_case(with_citations(query_text, query) or query, index_filters)
    visible = policy.visible_cases(actor)
    metadata_ids = repository.ids_matching_metadata(session, required_words(query), visible, filters)
    candidates = repository.numbers_of(session, set(per_case) | set(metadata_ids), visible, filters)
    ranked = sorted(candidates.items(), key=lambda item: (-per_case.get(item[0], 0), item[1], item[0]))
    start = (page - 1) * size
    page_ids = [case_id for case_id, _ in ranked[start : start + size]]
    by_id = {case.id: case for case in repository.get_many(session, page_ids)}
    return [(by_id[case_id], per_case.get(case_id, 0)) for case_id in page_ids if case_id in by_id], len(ranked)
