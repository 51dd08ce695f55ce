"""Queries about hearings, deadlines, limitation rules and reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, literal, null, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from core.models import (
    Assignment,
    Case,
    Deadline,
    DeadlineStatus,
    Hearing,
    LimitationRule,
    Notification,
    Reminder,
    ReminderKind,
    Unit,
    User,
)

REMINDER_NOTICE_KIND = "deadline"


def get_hearing(session: Session, hearing_id: str) -> Hearing | None:
    return session.get(Hearing, hearing_id)


def hearings_of(session: Session, case_id: str) -> Sequence[Hearing]:
    return session.scalars(
        select(Hearing).where(Hearing.case_id == case_id).order_by(Hearing.date, Hearing.time, Hearing.created_at)
    ).all()


def earliest_upcoming_hearing(session: Session, case_id: str, today: dt.date) -> dt.date | None:
    """The earliest hearing on or after today that has no outcome yet."""
    return session.scalar(
        select(func.min(Hearing.date)).where(
            Hearing.case_id == case_id, Hearing.date >= today, Hearing.outcome.is_(None)
        )
    )


def cause_list_rows(
    session: Session, allowed: ColumnElement[bool], day: dt.date, court: str | None, officer_id: str | None
) -> Sequence[Any]:
    """Each hearing on the day in a case the caller may see, once per assigned officer (or once with none).
    The date leads ix_hearings_date_court, so a day is an index range whatever the table's size."""
    # Aliased: the walls' own EXISTS on assignments must not correlate to this join.
    assigned = aliased(Assignment)
    query = (
        select(
            Hearing.id,
            Hearing.case_id,
            Hearing.court,
            Hearing.bench,
            Hearing.time,
            Hearing.purpose,
            Case.number,
            Case.title,
            Case.parties,
            assigned.user_id,
            User.full_name,
        )
        .join(Case, Case.id == Hearing.case_id)
        .outerjoin(assigned, assigned.case_id == Hearing.case_id)
        .outerjoin(User, User.id == assigned.user_id)
        .where(Hearing.date == day, allowed)
    )
    if court is not None:
        query = query.where(Hearing.court == court)
    if officer_id is not None:
        query = query.where(assigned.user_id == officer_id)
    return session.execute(query.order_by(Hearing.court, Hearing.time, Case.number)).all()


def calendar_hearings(session: Session, user_id: str, allowed: ColumnElement[bool], since: dt.date) -> Sequence[Any]:
    """Hearings from `since` on of the cases assigned to the user, inside their walls."""
    assigned = aliased(Assignment)
    query = (
        select(Hearing, Case.number, Case.title, Case.sealed)
        .join(Case, Case.id == Hearing.case_id)
        .join(assigned, and_(assigned.case_id == Case.id, assigned.user_id == user_id))
        .where(Hearing.date >= since, allowed)
        .order_by(Hearing.date)
    )
    return session.execute(query).all()


def calendar_deadlines(session: Session, user_id: str, allowed: ColumnElement[bool]) -> Sequence[Any]:
    query = (
        select(Deadline, Case.number, Case.title, Case.sealed)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.owner_id == user_id, Deadline.status == DeadlineStatus.open, allowed)
        .order_by(Deadline.due_on)
    )
    return session.execute(query).all()


# --- deadlines -----------------------------------------------------------------------------------------------------


def get_deadline(session: Session, deadline_id: str) -> Deadline | None:
    return session.get(Deadline, deadline_id)


def list_deadlines(
    session: Session,
    allowed: ColumnElement[bool],
    *,
    case_id: str | None,
    owner_id: str | None,
    status: DeadlineStatus | None,
    due_before: dt.date | None,
    overdue_on: dt.date | None,
    limit: int,
) -> tuple[Sequence[Any], int]:
    query = select(Deadline, Case.number).join(Case, Case.id == Deadline.case_id).where(allowed)
    if case_id is not None:
        query = query.where(Deadline.case_id == case_id)
    if owner_id is not None:
        query = query.where(Deadline.owner_id == owner_id)
    if status is not None:
        query = query.where(Deadline.status == status)
    if due_before is not None:
        query = query.where(Deadline.due_on < due_before)
    if overdue_on is not None:  # open and due before today
        query = query.where(Deadline.status == DeadlineStatus.open, Deadline.due_on < overdue_on)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Deadline.due_on, Deadline.id).limit(limit)).all()
    return rows, total


# --- limitation rules ----------------------------------------------------------------------------------------------


def limitation_rules(session: Session, active_only: bool = False) -> Sequence[LimitationRule]:
    query = select(LimitationRule).order_by(LimitationRule.id)
    if active_only:
        query = query.where(LimitationRule.active.is_(True))
    return session.scalars(query).all()


# --- reminders -----------------------------------------------------------------------------------------------------


def deadlines_needing(session: Session, kind: ReminderKind, due: ColumnElement[bool], on_day: Any) -> Sequence[Any]:
    """Open deadlines matching `due` that have no reminder of this kind for on_day (a date, or a column)."""
    existing = aliased(Reminder)
    owner = aliased(User)
    query = (
        select(
            Deadline.id,
            Deadline.case_id,
            Deadline.owner_id,
            Deadline.due_on,
            Deadline.kind,
            Case.number,
            Case.unit_id,
            owner.unit_id,
            owner.full_name,
        )
        .join(Case, Case.id == Deadline.case_id)
        .join(owner, owner.id == Deadline.owner_id)
        .outerjoin(
            existing,
            and_(existing.deadline_id == Deadline.id, existing.kind == kind, existing.on_day == on_day),
        )
        .where(Deadline.status == DeadlineStatus.open, due, existing.id.is_(None))
    )
    return session.execute(query).all()


def unit_heads(session: Session) -> dict[str, str]:
    return {unit_id: head for unit_id, head in session.execute(select(Unit.id, Unit.head_user_id)) if head}


def insert_reminders(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert, skipping any a concurrent run already made (the unique constraint on deadline, kind and day)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(Reminder)
    session.execute(statement.on_conflict_do_nothing(), rows)


def notify_reminders(session: Session, stamp: dt.datetime) -> None:
    """Each reminder this run made (created at `stamp`) is also a notification, under the same id, so it shows with
    the user's other notifications (the alerts page and the unread count). One INSERT ... SELECT: no rows in Python."""
    made = select(
        Reminder.id, Reminder.user_id, literal(REMINDER_NOTICE_KIND), Reminder.id, Reminder.title, literal(""),
        Reminder.case_id, null(), Reminder.created_at,
    ).where(Reminder.created_at == stamp)  # fmt: skip
    columns = ["id", "user_id", "kind", "source", "title", "body", "case_id", "document_id", "created_at"]
    session.execute(insert(Notification).from_select(columns, made))


def mark_emailed(session: Session, reminders: Sequence[Reminder], stamp: dt.datetime) -> None:
    ids = [reminder.id for reminder in reminders]
    for reminder in reminders:
        reminder.emailed_at = stamp
    session.execute(update(Notification).where(Notification.id.in_(ids)).values(emailed_at=stamp))


def unemailed_reminders(session: Session, since: dt.datetime) -> Sequence[Reminder]:
    return session.scalars(
        select(Reminder)
        .where(Reminder.emailed_at.is_(None), Reminder.created_at >= since)
        .order_by(Reminder.user_id, Reminder.on_day)
    ).all()


def reminders_of(session: Session, user_id: str, unread_only: bool, limit: int) -> Sequence[Reminder]:
    query = select(Reminder).where(Reminder.user_id == user_id)
    if unread_only:
        query = query.where(Reminder.read_at.is_(None))
    return session.scalars(query.order_by(Reminder.read_at.is_not(None), Reminder.created_at.desc()).limit(limit)).all()


def user_by_calendar_hash(session: Session, secret_hash: str) -> User | None:
    return session.scalars(select(User).where(User.calendar_secret_hash == secret_hash, User.active.is_(True))).first()
