"""The case lifecycle (decision 0021): who has the case (assignments, acknowledgement, reassignment, suggestions),
where it stands (statuses and their allowed transitions, with history), and how it was decided.

Every function takes `now` so tests control the clock; callers on a request leave it to default to the time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from access import audit, policy
from access.schemas import Principal
from core.errors import Conflict, Forbidden, InvalidInput, NotFound
from core.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseDecision,
    CaseStatus,
    CaseStatusChange,
    DecisionOutcome,
    Document,
    Role,
    User,
    utcnow,
)

DEFAULT_ACKNOWLEDGE_WITHIN = timedelta(days=3)

S = CaseStatus
# The allowed next statuses (decision 0021). Closing is allowed from every open status (withdrawn, settled, abated,
# transferred out); a closed case is final: a new proceeding is a new case.
TRANSITIONS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    S.intake: (S.assigned, S.pending, S.closed),
    S.assigned: (S.pending, S.reserved, S.decided, S.closed),
    S.pending: (S.reserved, S.decided, S.closed),
    S.reserved: (S.pending, S.decided, S.closed),  # back to pending: the bench re-hears it
    S.decided: (S.appeal, S.closed),
    S.appeal: (S.pending, S.decided, S.closed),  # remanded for a fresh hearing, or decided in appeal
    S.closed: (),
}
# Statuses in which a case is still being worked on (assignment suggestions count these as workload).
OPEN_STATUSES = (S.intake, S.assigned, S.pending, S.reserved, S.appeal)


class TransitionRefused(Conflict):
    title = "Status change not allowed"


def allowed_next(status: CaseStatus) -> list[CaseStatus]:
    return list(TRANSITIONS[status])


def _actor_user(actor: Principal) -> tuple[str | None, str]:
    return actor.user_id, actor.label


# --- statuses --------------------------------------------------------------------------------------------------


def record_created(session: Session, actor: Principal, case: Case, now: datetime | None = None) -> None:
    """The first row of a case's status history: the status it was registered with."""
    user_id, label = _actor_user(actor)
    session.add(CaseStatusChange(case_id=case.id, from_status=None, to_status=case.status, reason="registered",
                                 user_id=user_id, actor=label, at=now or utcnow()))  # fmt: skip


def change_status(
    session: Session,
    actor: Principal,
    case: Case,
    to_status: CaseStatus,
    reason: str | None,
    now: datetime | None = None,
) -> CaseStatusChange:
    """Move the case to to_status if the lifecycle allows it (409 with the allowed statuses if not), keeping who,
    when and why."""
    current = case.status
    if to_status not in TRANSITIONS[current]:
        allowed = [status.value for status in TRANSITIONS[current]]
        raise TransitionRefused(
            f"a case that is {current.value} cannot become {to_status.value}; "
            + (f"allowed: {', '.join(allowed)}" if allowed else "it is closed, and stays closed"),
            current=current.value,
            allowed=allowed,
        )
    user_id, label = _actor_user(actor)
    change = CaseStatusChange(case_id=case.id, from_status=current, to_status=to_status,
                              reason=(reason or "").strip() or None, user_id=user_id, actor=label,
                              at=now or utcnow())  # fmt: skip
    session.add(change)
    case.status = to_status
    session.flush()
    audit.record(session, actor, "case.status", "case", case.id, from_status=current.value,
                 to_status=to_status.value, reason=change.reason)  # fmt: skip
    return change


def status_history(session: Session, case: Case) -> Sequence[CaseStatusChange]:
    query = select(CaseStatusChange).where(CaseStatusChange.case_id == case.id)
    return session.scalars(query.order_by(CaseStatusChange.at, CaseStatusChange.id)).all()


# --- decisions -------------------------------------------------------------------------------------------------


def record_decision(
    session: Session,
    actor: Principal,
    case: Case,
    decided_on: date,
    outcome: DecisionOutcome,
    judgment_document_id: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> CaseDecision:
    """The decision (date, outcome, judgment) and the move to decided, in one: refused like any transition when the
    case cannot become decided now."""
    if judgment_document_id is not None:
        document = session.get(Document, judgment_document_id)
        visible = session.scalar(
            select(Document.id).where(Document.id == judgment_document_id, policy.visible_documents(actor))
        )
        if document is None or document.case_id != case.id or visible is None:
            raise InvalidInput(f"no document {judgment_document_id} in this case to record as the judgment")
    change_status(session, actor, case, S.decided, f"decided on {decided_on.isoformat()}: {outcome.value}", now)
    user_id, label = _actor_user(actor)
    decision = CaseDecision(case_id=case.id, decided_on=decided_on, outcome=outcome,
                            judgment_document_id=judgment_document_id, note=note, user_id=user_id, actor=label,
                            created_at=now or utcnow())  # fmt: skip
    session.add(decision)
    session.flush()
    audit.record(session, actor, "case.decision", "case", case.id, decision_outcome=outcome.value,
                 decided_on=decided_on.isoformat(), judgment_document_id=judgment_document_id)  # fmt: skip
    return decision


def decisions_of(session: Session, case: Case) -> Sequence[CaseDecision]:
    query = select(CaseDecision).where(CaseDecision.case_id == case.id)
    return session.scalars(query.order_by(CaseDecision.created_at, CaseDecision.id)).all()


# --- assignments -----------------------------------------------------------------------------------------------


def _current(case: Case) -> list[Assignment]:
    return [each for each in case.assignments if each.ended_at is None]


def _lead(case: Case) -> Assignment | None:
    return next((each for each in _current(case) if each.role is AssignmentRole.lead), None)


def assign(
    session: Session,
    actor: Principal,
    case: Case,
    officer: User,
    role: AssignmentRole | None = None,
    note: str | None = None,
    acknowledge_within: timedelta = DEFAULT_ACKNOWLEDGE_WITHIN,
    now: datetime | None = None,
) -> Assignment:
    """Assign an officer as lead (the default when the case has none) or assisting. Assigning an officer who has
    the case already returns that assignment. The first officer moves an intake case to assigned."""
    if officer.role is not Role.officer or not officer.active:
        raise InvalidInput("only an active officer can be assigned to a case")
    existing = next((each for each in _current(case) if each.user_id == officer.id), None)
    if existing is not None:
        return existing
    lead = _lead(case)
    role = role or (AssignmentRole.assisting if lead else AssignmentRole.lead)
    if role is AssignmentRole.lead and lead is not None:
        raise Conflict(
            f"{lead.user.full_name} leads this case already: reassign it (POST /cases/{{id}}/reassign, with a "
            "reason), or assign this officer as assisting",
            lead_user_id=lead.user_id,
        )
    moment = now or utcnow()
    assignment = Assignment(case_id=case.id, user_id=officer.id, role=role, note=(note or "").strip() or None,
                            assigned_by=actor.label, created_at=moment,
                            acknowledge_by=moment + acknowledge_within)  # fmt: skip
    case.assignments.append(assignment)
    session.flush()
    audit.record(session, actor, "case.assign", "case", case.id, user_id=officer.id, role=role.value)
    if case.status is S.intake:
        change_status(session, actor, case, S.assigned, f"{officer.full_name} assigned as {role.value}", moment)
    return assignment


def _end(session: Session, actor: Principal, assignment: Assignment, reason: str | None, now: datetime) -> None:
    assignment.ended_at = now
    assignment.ended_reason = (reason or "").strip() or None
    assignment.ended_by = actor.label
    session.flush()


def end_assignment(
    session: Session,
    actor: Principal,
    case: Case,
    assignment_id: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Assignment:
    """End a current assignment; the row stays as history with when, who and why."""
    assignment = next((each for each in _current(case) if each.id == assignment_id), None)
    if assignment is None:
        raise NotFound(f"no assignment with id {assignment_id} on this case")
    _end(session, actor, assignment, reason, now or utcnow())
    session.expire(case, ["assignments"])
    audit.record(session, actor, "case.unassign", "case", case.id, user_id=assignment.user_id, reason=reason)
    return assignment


def reassign(
    session: Session,
    actor: Principal,
    case: Case,
    from_user_id: str,
    to_officer: User,
    reason: str,
    note: str | None = None,
    acknowledge_within: timedelta = DEFAULT_ACKNOWLEDGE_WITHIN,
    now: datetime | None = None,
) -> Assignment:
    """Hand one officer's part in the case (lead or assisting) to another, with the reason; both rows are kept."""
    if not reason.strip():
        raise InvalidInput("a reassignment needs a reason")
    if to_officer.role is not Role.officer or not to_officer.active:
        raise InvalidInput("only an active officer can be assigned to a case")
    if to_officer.id == from_user_id:
        raise InvalidInput("reassign to another officer")
    moment = now or utcnow()
    leaving = next((each for each in _current(case) if each.user_id == from_user_id), None)
    if leaving is None:
        raise NotFound(f"user {from_user_id} is not assigned to this case")
    role = leaving.role
    _end(session, actor, leaving, f"reassigned to {to_officer.full_name}: {reason.strip()}", moment)
    already = next((each for each in _current(case) if each.user_id == to_officer.id), None)
    if already is not None:  # an assisting officer taking the lead: their assisting row ends here
        _end(session, actor, already, f"became {role.value} by reassignment: {reason.strip()}", moment)
    session.expire(case, ["assignments"])
    audit.record(session, actor, "case.reassign", "case", case.id, from_user_id=from_user_id,
                 to_user_id=to_officer.id, role=role.value, reason=reason.strip())  # fmt: skip
    return assign(session, actor, case, to_officer, role, note, acknowledge_within, moment)


def acknowledge(session: Session, actor: Principal, assignment_id: str, now: datetime | None = None) -> Assignment:
    """The assigned officer acknowledges; anyone else who sees the case gets 403, everyone else 404."""
    assignment = session.get(Assignment, assignment_id)
    missing = NotFound(f"no assignment with id {assignment_id}")
    if assignment is None:
        raise missing
    if session.scalar(select(Case.id).where(Case.id == assignment.case_id, policy.visible_cases(actor))) is None:
        raise missing
    if assignment.user_id != actor.user_id:
        raise Forbidden("only the assigned officer may acknowledge an assignment")
    if assignment.ended_at is not None:
        raise Conflict("this assignment has ended")
    if assignment.acknowledged_at is None:
        assignment.acknowledged_at = now or utcnow()
        session.flush()
        audit.record(session, actor, "case.acknowledge", "case", assignment.case_id, assignment_id=assignment.id)
    return assignment


def current_assignments(
    session: Session, actor: Principal, officer_id: str | None = None, unacknowledged: bool = False,
    now: datetime | None = None,
) -> list[Assignment]:  # fmt: skip
    """Current assignments on cases the caller sees (an officer: their own), oldest first."""
    row = aliased(Assignment)  # the walls' own EXISTS on assignments must not correlate to this one
    query = select(row).join(Case, Case.id == row.case_id).where(row.ended_at.is_(None), policy.visible_cases(actor))
    if actor.role is Role.officer:
        officer_id = actor.user_id
    if officer_id is not None:
        query = query.where(row.user_id == officer_id)
    if unacknowledged:
        query = query.where(row.acknowledged_at.is_(None), row.acknowledge_by <= (now or utcnow()))
    return list(session.scalars(query.order_by(row.created_at, row.id).limit(500)))


# --- suggestions -----------------------------------------------------------------------------------------------

SPECIALISATIONS = ("service", "tax", "criminal", "constitutional", "civil", "revenue", "family", "banking")
# Weights (decision 0021): a matching specialisation and appearing in the case's court outweigh a few open cases.
SPECIALISATION_WEIGHT = 30
COURT_WEIGHT = 20
OPEN_CASE_WEIGHT = 5


@dataclass
class Suggestion:
    user_id: str
    username: str
    name: str
    score: int
    reasons: list[str] = field(default_factory=list)


def _case_words(case: Case) -> set[str]:
    text = " ".join([case.case_type or "", case.title, *case.tags]).lower()
    return set(re.findall(r"\w+", text))


def suggestions(session: Session, case: Case, limit: int = 10) -> list[Suggestion]:
    """Active officers not on the case, ranked by specialisation, the court they appear in, and open workload."""
    officers = session.scalars(select(User).where(User.role == Role.officer, User.active.is_(True))).all()
    current = {each.user_id for each in _current(case)}
    open_counts: Counter[str] = Counter()
    court_counts: Counter[str] = Counter()
    rows = session.execute(
        select(Assignment.user_id, Case.court, func.count())
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.ended_at.is_(None), Case.status.in_(OPEN_STATUSES), Case.id != case.id)
        .group_by(Assignment.user_id, Case.court)
    )
    for user_id, court, count in rows:
        open_counts[user_id] += count
        if court == case.court:
            court_counts[user_id] += count
    words = _case_words(case)
    ranked = []
    for officer in officers:
        if officer.id in current:
            continue
        matched = [tag for tag in officer.specialisations if tag.lower() in words]
        in_court = court_counts[officer.id]
        load = open_counts[officer.id]
        score = SPECIALISATION_WEIGHT * len(matched) + (COURT_WEIGHT if in_court else 0) - OPEN_CASE_WEIGHT * load
        reasons = [f"{load} open case{'' if load == 1 else 's'}"]
        if in_court:
            reasons.append(f"appears in {case.court} ({in_court} open case{'' if in_court == 1 else 's'} there)")
        reasons.extend(f"specialises in {tag}" for tag in matched)
        ranked.append(Suggestion(officer.id, officer.username, officer.full_name, score, reasons))
    ranked.sort(key=lambda each: (-each.score, each.name, each.user_id))
    return ranked[:limit]


def set_specialisations(session: Session, actor: Principal, user: User, tags: list[str]) -> User:
    cleaned = sorted({tag.strip().lower() for tag in tags if tag.strip()})
    user.specialisations = cleaned
    session.flush()
    audit.record(session, actor, "user.specialisations", "user", user.id, specialisations=cleaned)
    return user
