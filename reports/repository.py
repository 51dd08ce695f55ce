"""The reports' SQL: every count is a GROUP BY in the database, inside the caller's walls, so a report costs one
aggregate query whatever the number of cases (decision 0023).

`allowed` is access/policy.py's visible_cases condition on Case. The joins below use aliases of assignments and
users: the walls' EXISTS subqueries name the plain tables, and an alias keeps them correlated to the case alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from access.policy import UNIT_ROLES
from access.schemas import Principal
from core.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseDecision,
    CaseStatus,
    Deadline,
    DeadlineStatus,
    DecisionOutcome,
    Grant,
    Hearing,
    HearingOutcome,
    Role,
    Unit,
    User,
)

# A case in one of these statuses is no longer pending; as cases/lifecycle.py's OPEN_STATUSES, a case under appeal
# is still pending. Only values the model knows are used (disposed and withdrawn were statuses before the lifecycle).
FINISHED_STATUS_VALUES = frozenset({"decided", "closed", "disposed", "withdrawn"})
NO_UNIT = "(no unit)"
UNASSIGNED = "(unassigned)"
UNKNOWN_FILING = "filing date unknown"
# Ageing buckets: (label, lower bound in whole years of age, inclusive). A case filed exactly one year ago today is
# 1 year old, so it is in "1–2 years"; "under 1 year" is everything filed after that day.
AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("under 1 year", 0),
    ("1–2 years", 1),
    ("2–5 years", 2),
    ("5–10 years", 5),
    ("over 10 years", 10),
)


def finished_statuses() -> list[CaseStatus]:
    return [status for status in CaseStatus if status.value in FINISHED_STATUS_VALUES]


def is_pending() -> ColumnElement[bool]:
    # IN the open statuses rather than NOT IN the finished ones: the same cases (status is never null), and an IN
    # list lets the engine seek the (status, id) index for each case an officer's join looks up.
    finished = set(finished_statuses())
    return Case.status.in_([status for status in CaseStatus if status not in finished])


def slices(principal: Principal | None) -> list[ColumnElement[bool]]:
    """The caller's candidate cases as disjoint conditions on Case, each one an index can find: their unit's cases;
    the cases assigned (currently) or granted to them or their unit, outside that unit. Together a superset of what
    the walls let them see: each slice is counted with the walls applied as well (never instead of them), so the
    walls alone decide what is counted, and as no case is in two slices, none is counted twice. One slice for
    admins (every case); none for a caller with nothing to find (no unit, no user).

    Why slices rather than one OR of the same conditions (as before): PostgreSQL cannot drive an index from
    `unit_id = ? OR id IN (subquery)`, so it read every pending case and tested the walls' EXISTS subqueries on each
    (an officer's report at 50k cases: 50-80 ms with no grants in the database, and 300 ms to over a second once
    there were some); each slice alone is an index seek on both engines. The ids are one `id IN (… UNION …)` for
    the same reason."""
    if principal is None or principal.role is Role.admin:
        return [true()]
    sources: list[Select[Any]] = []
    if principal.role is Role.officer and principal.user_id:
        sources.append(
            select(Assignment.case_id).where(Assignment.user_id == principal.user_id, Assignment.ended_at.is_(None))
        )
    whom = [Grant.user_id == principal.user_id] if principal.user_id else []
    if principal.unit_id:
        whom.append(Grant.unit_id == principal.unit_id)
    if whom:
        sources.append(select(Grant.case_id).where(or_(*whom)))
    privileged = Case.id.in_(sources[0] if len(sources) == 1 else union(*sources)) if sources else None
    if principal.role in UNIT_ROLES and principal.unit_id:
        own_unit = Case.unit_id == principal.unit_id
        if privileged is None:
            return [own_unit]
        return [own_unit, and_(or_(Case.unit_id.is_(None), Case.unit_id != principal.unit_id), privileged)]
    return [privileged] if privileged is not None else []


def pending_cases(
    allowed: ColumnElement[bool], principal: Principal | None, *columns: SQLColumnExpression[Any]
) -> Subquery:
    """The pending cases the caller sees, one row each with `columns` of Case: a SELECT per slice, each inside
    the walls, joined by UNION ALL (the slices are disjoint)."""
    parts = [select(*columns).where(allowed, is_pending(), part) for part in slices(principal) or [false()]]
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return query.subquery("pending")


def pending_by_unit(
    session: Session, allowed: ColumnElement[bool], principal: Principal | None = None
) -> list[tuple[str | None, int]]:
    # Counted per unit id over the covering index, then named: the join to units touches one row per unit.
    cases = pending_cases(allowed, principal, Case.unit_id)
    counts = select(cases.c.unit_id, func.count().label("cases")).group_by(cases.c.unit_id).subquery()
    query = (
        select(Unit.name, counts.c.cases)
        .select_from(counts)
        .outerjoin(Unit, Unit.id == counts.c.unit_id)
        .order_by(counts.c.cases.desc(), Unit.name)
    )
    return [(name, count) for name, count in session.execute(query)]


def pending_by_court(
    session: Session, allowed: ColumnElement[bool], principal: Principal | None = None
) -> list[tuple[str, int]]:
    cases = pending_cases(allowed, principal, Case.court)
    count = func.count()
    query = select(cases.c.court, count).group_by(cases.c.court).order_by(count.desc(), cases.c.court)
    return [(court, count) for court, count in session.execute(query)]


def pending_by_officer(
    session: Session, allowed: ColumnElement[bool], principal: Principal | None = None
) -> list[tuple[str | None, str | None, str | None, int, int]]:
    """Each officer's pending cases (current assignments, lead or assisting) and how many of them they lead; the row
    with no officer counts the pending cases nobody has. One current assignment per officer and case (a unique
    index), so count() counts cases. The caller's pending cases are found first (pending_cases), then joined to
    their current assignments through a covering index (migration 0012), grouped by user id, then named: the join
    to users touches one row per officer."""
    cases = pending_cases(allowed, principal, Case.id)
    assignment, officer = aliased(Assignment), aliased(User)
    leading = func.coalesce(func.sum(case((assignment.role == AssignmentRole.lead, 1), else_=0)), 0)
    counts = (
        select(assignment.user_id.label("user_id"), func.count().label("cases"), leading.label("lead"))
        .select_from(cases)
        .outerjoin(assignment, and_(assignment.case_id == cases.c.id, assignment.ended_at.is_(None)))
        .group_by(assignment.user_id)
        .subquery()
    )
    query = (
        select(officer.id, officer.username, officer.full_name, counts.c.cases, counts.c.lead)
        .select_from(counts)
        .outerjoin(officer, officer.id == counts.c.user_id)
        .order_by(counts.c.cases.desc(), officer.full_name)
    )
    return [(row[0], row[1], row[2], int(row[3]), int(row[4])) for row in session.execute(query)]


def count_pending(session: Session, allowed: ColumnElement[bool], principal: Principal | None = None) -> int:
    cases = pending_cases(allowed, principal, Case.id)
    return session.scalar(select(func.count()).select_from(cases)) or 0


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def ageing(
    session: Session, allowed: ColumnElement[bool], today: date, principal: Principal | None = None
) -> dict[str, int]:
    """Pending cases by time since filing, bucketed in SQL against dates worked out here (the same on both
    engines, and an index on filed_on could serve it)."""
    cases = pending_cases(allowed, principal, Case.filed_on)
    whens: list[tuple[ColumnElement[bool], str]] = [(cases.c.filed_on.is_(None), UNKNOWN_FILING)]
    for label, lower in reversed(AGE_BUCKETS):
        if lower > 0:
            whens.append((cases.c.filed_on <= years_before(today, lower), label))
    bucket = case(*whens, else_=AGE_BUCKETS[0][0])
    query = select(bucket, func.count()).select_from(cases).group_by(bucket)
    return {label: count for label, count in session.execute(query)}


# --- deadlines, hearings, decisions ------------------------------------------------------------------------------


def overdue_deadlines(
    session: Session, allowed: ColumnElement[bool], today: date, by: str
) -> list[tuple[str | None, int, date]]:
    """Open deadlines due before today, by owner, unit or kind: how many, and the oldest due date."""
    owner = aliased(User)
    label: Any = {"owner": owner.full_name, "unit": Unit.name}.get(by, Deadline.kind)
    count = func.count(Deadline.id)
    query = select(label, count, func.min(Deadline.due_on)).select_from(Deadline)
    query = query.join(Case, Case.id == Deadline.case_id)
    if by == "owner":
        query = query.join(owner, owner.id == Deadline.owner_id)
    elif by == "unit":
        query = query.outerjoin(Unit, Unit.id == Case.unit_id)
    query = (
        query.where(allowed, Deadline.status == DeadlineStatus.open, Deadline.due_on < today)
        .group_by(label)
        .order_by(count.desc(), label)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def hearings_per_case(
    session: Session, allowed: ColumnElement[bool], limit: int
) -> tuple[list[tuple[str, str, str, int, int, date | None]], int, int]:
    """The cases with the most adjournments first: hearings, adjournments and the last hearing date per case; and
    the totals over every case the caller sees."""
    hearings = func.count(Hearing.id)
    adjourned = func.coalesce(func.sum(case((Hearing.outcome == HearingOutcome.adjourned, 1), else_=0)), 0)
    query = (
        select(Case.id, Case.number, Case.court, hearings, adjourned, func.max(Hearing.date))
        .select_from(Hearing)
        .join(Case, Case.id == Hearing.case_id)
        .where(allowed)
        .group_by(Case.id, Case.number, Case.court)
        .order_by(adjourned.desc(), hearings.desc(), Case.number)
        .limit(limit)
    )
    rows = [(row[0], row[1], row[2], row[3], row[4], row[5]) for row in session.execute(query)]
    totals = session.execute(
        select(func.count(Hearing.id), adjourned).select_from(Hearing).join(Case, Case.id == Hearing.case_id)
        .where(allowed)
    ).one()  # fmt: skip
    return rows, int(totals[0] or 0), int(totals[1] or 0)


def _latest_decision() -> ColumnElement[bool]:
    """The case's decision is its latest row (a case decided again after an appeal has several)."""
    later = aliased(CaseDecision)
    return ~exists().where(
        later.case_id == CaseDecision.case_id,
        or_(
            later.decided_on > CaseDecision.decided_on,
            and_(later.decided_on == CaseDecision.decided_on, later.created_at > CaseDecision.created_at),
            and_(
                later.decided_on == CaseDecision.decided_on,
                later.created_at == CaseDecision.created_at,
                later.id > CaseDecision.id,
            ),
        ),
    )


def _decision_group(by: str) -> Any:
    if by == "unit":
        return Unit.name
    if by == "court":
        return Case.court
    return cast(func.extract("year", CaseDecision.decided_on), Integer)


def outcomes(session: Session, allowed: ColumnElement[bool], by: str) -> list[tuple[str | int | None, dict[str, int]]]:
    """Each case's (latest) decision by outcome for the government, pivoted in one GROUP BY."""
    group = _decision_group(by)
    counts = [
        func.coalesce(func.sum(case((CaseDecision.outcome == outcome, 1), else_=0)), 0) for outcome in DecisionOutcome
    ]
    query = (
        select(group, *counts)
        .select_from(CaseDecision)
        .join(Case, Case.id == CaseDecision.case_id)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .where(allowed, _latest_decision())
        .group_by(group)
        .order_by(group)
    )
    return [
        (row[0], {outcome.value: int(row[index + 1]) for index, outcome in enumerate(DecisionOutcome)})
        for row in session.execute(query)
    ]


def _days_to_decision(dialect: str) -> ColumnElement[int]:
    if dialect == "postgresql":  # date - date is a whole number of days
        return CaseDecision.decided_on - Case.filed_on  # type: ignore[return-value]
    return cast(func.julianday(CaseDecision.decided_on) - func.julianday(Case.filed_on), Integer)


def median_days_to_decision(
    session: Session, allowed: ColumnElement[bool], by: str
) -> list[tuple[str | int | None, int, float]]:
    """Per group: decided cases with a filing date, and the median days from filing to the (latest) decision.
    PostgreSQL computes the median itself (percentile_cont); SQLite has no such aggregate, so its days come back
    ordered by group and value and the median is taken here. Both interpolate between the middle two."""
    group = _decision_group(by)
    days = _days_to_decision(session.get_bind().dialect.name)
    base = (
        select(group)
        .select_from(CaseDecision)
        .join(Case, Case.id == CaseDecision.case_id)
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .where(allowed, _latest_decision(), Case.filed_on.is_not(None), CaseDecision.decided_on >= Case.filed_on)
    )
    if session.get_bind().dialect.name == "postgresql":
        median = func.percentile_cont(0.5).within_group(days)
        query = base.add_columns(func.count(), median).group_by(group).order_by(group)
        return [(row[0], int(row[1]), round(float(row[2]), 1)) for row in session.execute(query)]
    ordered = base.add_columns(days).order_by(group, days)
    result: list[tuple[str | int | None, int, float]] = []
    current: list[int] = []
    previous: object = object()
    for row in session.execute(ordered):
        if row[0] != previous and current:
            result.append((previous, len(current), _median(current)))  # type: ignore[arg-type]
            current = []
        previous = row[0]
        current.append(int(row[1]))
    if current:
        result.append((previous, len(current), _median(current)))  # type: ignore[arg-type]
    return result


def _median(ordered: list[int]) -> float:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return round((ordered[middle - 1] + ordered[middle]) / 2, 1)
