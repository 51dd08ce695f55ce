"""Hearings, the cause list, deadlines, the limitation helper, reminders and the calendar feed (decision 0022).

Plain functions the API, the web pages, the workers and the tests call. Every function that depends on the date takes
`today` (and reminders `now`) from its caller: the routers pass the server's date, tests pass the day they need.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from typing import Any

import structlog
from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from access import audit, policy
from access import service as access_service
from access.schemas import Permission, Principal
from cases import service as cases_service
from core.config import Settings
from core.errors import BackendUnavailable, Forbidden, InvalidInput, NotFound
from core.models import (
    Case,
    CaseDecision,
    Deadline,
    DeadlineStatus,
    Hearing,
    HearingOutcome,
    LimitationCountsFrom,
    LimitationRule,
    Reminder,
    ReminderKind,
    Role,
    User,
    new_id,
    utcnow,
)
from core.uow import SYNC_CASE_INDEX, Job, enqueue_job
from litigation import repository
from litigation.schemas import (
    CauseList,
    CauseListEntry,
    CauseListGroup,
    DeadlineCreate,
    DeadlineList,
    DeadlineOut,
    DeadlineUpdate,
    HearingCreate,
    HearingOutcomeUpdate,
    LimitationRuleIn,
    LimitationSuggestion,
    LimitationSuggestions,
    ReminderRun,
)
from mail.base import MailBackend, MailMessage

log = structlog.get_logger(__name__)
REMINDER_DAYS = {ReminderKind.week_before: 7, ReminderKind.day_before: 1, ReminderKind.due_today: 0}
CALENDAR_PAST_DAYS = 90  # the feed keeps a quarter of past hearings, so a calendar shows recent history


def today() -> dt.date:
    """The server's date: the one place routers and schedulers read the clock for date rules."""
    return dt.date.today()


# --- hearings ------------------------------------------------------------------------------------------------------


def list_hearings(session: Session, case: Case) -> list[Hearing]:
    return list(repository.hearings_of(session, case.id))


def add_hearing(session: Session, actor: Principal, case: Case, data: HearingCreate, on: dt.date) -> Hearing:
    """A hearing in a case the caller may change (the caller passes a WritableCase)."""
    hearing = Hearing(
        case_id=case.id,
        date=data.date,
        time=data.time,
        court=data.court,
        bench=data.bench,
        purpose=data.purpose,
        created_by=actor.user_id,
    )
    session.add(hearing)
    session.flush()
    audit.record(session, actor, "hearing.create", "hearing", hearing.id, case_id=case.id, date=data.date.isoformat())
    follow_next_hearing(session, case, on)
    return hearing


def writable_hearing(session: Session, actor: Principal, hearing_id: str) -> Hearing:
    """404 if the hearing's case is out of the caller's sight (the same as no hearing), 403 if read-only to them."""
    hearing = repository.get_hearing(session, hearing_id)
    if hearing is None:
        raise NotFound(f"no hearing with id {hearing_id}")
    try:
        cases_service.writable_case(session, actor, hearing.case_id)
    except NotFound as error:
        raise NotFound(f"no hearing with id {hearing_id}") from error
    return hearing


def record_outcome(
    session: Session, actor: Principal, hearing_id: str, data: HearingOutcomeUpdate, on: dt.date
) -> Hearing:
    """Record what happened; a next date lists the case again (once: recording again moves that next hearing)."""
    hearing = writable_hearing(session, actor, hearing_id)
    if data.next_date is not None and data.next_date <= hearing.date:
        raise InvalidInput(f"next_date must be after the hearing's date ({hearing.date.isoformat()})")
    if data.outcome is HearingOutcome.adjourned and not data.next_date and not data.adjournment_reason:
        raise InvalidInput("an adjournment needs a next_date or an adjournment_reason")
    hearing.outcome = data.outcome
    hearing.next_date = data.next_date
    hearing.adjournment_reason = data.adjournment_reason
    existing = repository.get_hearing(session, hearing.next_hearing_id) if hearing.next_hearing_id else None
    if data.next_date is None and existing is not None and existing.outcome is None:
        # A corrected outcome with no next date: the listing this hearing made is withdrawn.
        session.delete(existing)
        hearing.next_hearing_id = None
    if data.next_date is not None:
        if existing is not None and existing.outcome is None:
            existing.date = data.next_date
            if data.next_purpose:
                existing.purpose = data.next_purpose
        else:
            following = Hearing(
                case_id=hearing.case_id,
                date=data.next_date,
                court=hearing.court,
                bench=hearing.bench,
                purpose=data.next_purpose or hearing.purpose,
                created_by=actor.user_id,
            )
            session.add(following)
            session.flush()
            hearing.next_hearing_id = following.id
    session.flush()
    audit.record(
        session,
        actor,
        "hearing.outcome",
        "hearing",
        hearing.id,
        case_id=hearing.case_id,
        outcome=data.outcome.value,
        next_date=data.next_date.isoformat() if data.next_date else None,
    )
    follow_next_hearing(session, hearing.case, on)
    return hearing


def follow_next_hearing(session: Session, case: Case, on: dt.date) -> None:
    """Case.next_hearing_on is the earliest hearing from `on` with no outcome yet; the index copy follows through
    the SYNC_CASE_INDEX job after the commit (cases/service.py's path for a deferred index write)."""
    upcoming = repository.earliest_upcoming_hearing(session, case.id, on)
    if case.next_hearing_on != upcoming:
        case.next_hearing_on = upcoming
        session.flush()
        enqueue_job(session, Job(SYNC_CASE_INDEX, case.id))


# --- the cause list ------------------------------------------------------------------------------------------------


def cause_list(
    session: Session, actor: Principal, day: dt.date, court: str | None = None, officer_id: str | None = None
) -> CauseList:
    """The day's hearings in the cases the caller may see, grouped by assigned officer (named groups first)."""
    rows = repository.cause_list_rows(session, policy.visible_cases(actor), day, court, officer_id)
    groups: dict[str | None, CauseListGroup] = {}
    hearings = set()
    for row in rows:
        hearing_id, case_id, hearing_court, bench, time, purpose, number, title, parties, user_id, name = row
        hearings.add(hearing_id)
        group = groups.setdefault(user_id, CauseListGroup(officer_id=user_id, officer_name=name, entries=[]))
        group.entries.append(
            CauseListEntry(
                hearing_id=hearing_id,
                case_id=case_id,
                case_number=number,
                title=title,
                parties=[party["name"] for party in parties or []],
                court=hearing_court,
                bench=bench,
                time=time,
                purpose=purpose,
                officer_id=user_id,
                officer_name=name,
            )
        )
    ordered = sorted(groups.values(), key=lambda group: (group.officer_id is None, group.officer_name or ""))
    return CauseList(date=day, court=court, officer_id=officer_id, total=len(hearings), groups=ordered)


# --- deadlines -----------------------------------------------------------------------------------------------------


def _owner(session: Session, owner_id: str) -> User:
    try:
        owner = access_service.get_user(session, owner_id)
    except NotFound as error:
        raise InvalidInput(f"no user with id {owner_id}") from error
    if not owner.active or owner.role is Role.auditor:
        raise InvalidInput("a deadline's owner is an active user who works on cases (not an auditor)")
    return owner


def deadline_out(deadline: Deadline, case_number: str | None, on: dt.date) -> DeadlineOut:
    out = DeadlineOut.model_validate(deadline)
    overdue = deadline.status is DeadlineStatus.open and deadline.due_on < on
    return out.model_copy(update={"case_number": case_number, "overdue": overdue})


def add_deadline(session: Session, actor: Principal, case: Case, data: DeadlineCreate) -> Deadline:
    _owner(session, data.owner_id)
    deadline = Deadline(
        case_id=case.id,
        kind=data.kind,
        due_on=data.due_on,
        owner_id=data.owner_id,
        note=data.note,
        created_by=actor.user_id,
    )
    session.add(deadline)
    session.flush()
    audit.record(
        session,
        actor,
        "deadline.create",
        "deadline",
        deadline.id,
        case_id=case.id,
        kind=data.kind.value,
        due_on=data.due_on.isoformat(),
    )
    return deadline


def writable_deadline(session: Session, actor: Principal, deadline_id: str) -> Deadline:
    deadline = repository.get_deadline(session, deadline_id)
    if deadline is None:
        raise NotFound(f"no deadline with id {deadline_id}")
    try:
        cases_service.writable_case(session, actor, deadline.case_id)
    except NotFound as error:
        raise NotFound(f"no deadline with id {deadline_id}") from error
    return deadline


def update_deadline(session: Session, actor: Principal, deadline_id: str, data: DeadlineUpdate) -> Deadline:
    deadline = writable_deadline(session, actor, deadline_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind", "due_on", "owner_id", "status"):  # required columns cannot be cleared
        if name in changes and changes[name] is None:
            changes.pop(name)
    if "owner_id" in changes:
        _owner(session, changes["owner_id"])
    for name, value in changes.items():
        setattr(deadline, name, value)
    session.flush()
    if changes:
        audit.record(
            session,
            actor,
            "deadline.update",
            "deadline",
            deadline.id,
            case_id=deadline.case_id,
            changed=sorted(changes),
        )
    return deadline


def list_deadlines(
    session: Session,
    actor: Principal,
    on: dt.date,
    *,
    case_id: str | None = None,
    owner_id: str | None = None,
    status: DeadlineStatus | None = None,
    overdue: bool = False,
    due_before: dt.date | None = None,
    limit: int = 500,
) -> DeadlineList:
    rows, total = repository.list_deadlines(
        session,
        policy.visible_cases(actor),
        case_id=case_id,
        owner_id=owner_id,
        status=status,
        due_before=due_before,
        overdue_on=on if overdue else None,
        limit=limit,
    )
    return DeadlineList(items=[deadline_out(deadline, number, on) for deadline, number in rows], total=total)


# --- the limitation helper -----------------------------------------------------------------------------------------


def list_rules(session: Session) -> list[LimitationRule]:
    return list(repository.limitation_rules(session))


def replace_rules(session: Session, actor: Principal, items: list[LimitationRuleIn]) -> list[LimitationRule]:
    """The admin's table replaces the old one: rules not sent are removed."""
    if actor.role is not Role.admin or not actor.can(Permission.write):
        raise Forbidden("only an admin may change the limitation rules")
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise InvalidInput("each rule's id must be unique")
    existing = {rule.id: rule for rule in repository.limitation_rules(session)}
    for rule_id, old in existing.items():
        if rule_id not in ids:
            session.delete(old)
    for item in items:
        kept = existing.get(item.id)
        if kept is None:
            session.add(LimitationRule(**item.model_dump()))
        else:
            for name, value in item.model_dump().items():
                setattr(kept, name, value)
    session.flush()
    audit.record(session, actor, "limitation_rules.replace", "limitation_rules", None, rules=sorted(ids))
    return list(repository.limitation_rules(session))


def suggest_limitation(
    rules: list[LimitationRule],
    case_id: str,
    decided_on: dt.date,
    communicated_on: dt.date | None = None,
    copy_applied_on: dt.date | None = None,
    copy_received_on: dt.date | None = None,
) -> LimitationSuggestions:
    """The last day for each remedy. The period runs from the day after the date counted from (Limitation Act 1908
    s.12(1)); with both certified-copy dates, the days from applying for the copy to receiving it are added
    (s.12(2)). Suggestions only: an officer confirms each by creating the deadline."""
    if communicated_on is not None and communicated_on < decided_on:
        raise InvalidInput("the order cannot be communicated before it is made")
    if (copy_applied_on is None) != (copy_received_on is None):
        raise InvalidInput("the certified-copy exclusion needs both the date applied for and the date received")
    excluded = 0
    if copy_applied_on is not None and copy_received_on is not None:
        if copy_applied_on < decided_on:
            raise InvalidInput("a certified copy cannot be applied for before the decision")
        if copy_received_on < copy_applied_on:
            raise InvalidInput("a certified copy cannot be received before it is applied for")
        excluded = (copy_received_on - copy_applied_on).days
    suggestions = []
    for rule in rules:
        if not rule.active:
            continue
        start = decided_on
        how = "from the decision"
        if rule.counts_from is LimitationCountsFrom.communication:
            start = communicated_on or decided_on
            how = "from its communication" if communicated_on else "from the decision (no communication date given)"
        due = start + dt.timedelta(days=rule.period_days + excluded)
        explanation = f"{rule.period_days} days {how} ({start.isoformat()})"
        if excluded:
            explanation += f", plus {excluded} days taken to obtain the certified copy"
        suggestions.append(
            LimitationSuggestion(
                rule_id=rule.id,
                remedy=rule.remedy,
                deadline_kind=rule.deadline_kind,
                period_days=rule.period_days,
                counts_from=rule.counts_from,
                counted_from=start,
                excluded_days=excluded,
                due_on=due,
                source=rule.source,
                verify_note=rule.verify_note,
                explanation=explanation,
            )
        )
    return LimitationSuggestions(
        case_id=case_id,
        decided_on=decided_on,
        communicated_on=communicated_on,
        certified_copy_applied_on=copy_applied_on,
        certified_copy_received_on=copy_received_on,
        suggestions=suggestions,
    )


def suggest_after_decision(session: Session, decision: CaseDecision) -> LimitationSuggestions:
    """The helper run on a decision just recorded (issue 12: "when a decision is recorded, it suggests the deadline
    for the next remedy"), counted from its date with the table as it stands. Nothing is created: the officer
    confirms each suggestion by adding the deadline."""
    return suggest_limitation(list_rules(session), decision.case_id, decision.decided_on)


def decision_of(session: Session, case: Case, decision_id: str) -> CaseDecision | None:
    """One of this case's decisions, or None (another case's id, or none at all, is the same None)."""
    decision = session.get(CaseDecision, decision_id)
    return decision if decision is not None and decision.case_id == case.id else None


# --- reminders -----------------------------------------------------------------------------------------------------


def _reminder_title(kind: ReminderKind, deadline_kind: str, number: str, due: dt.date, owner_name: str) -> str:
    what = f"{deadline_kind.replace('_', ' ')} in {number}"
    if kind is ReminderKind.week_before:
        return f"Due in 7 days ({due.isoformat()}): {what}"
    if kind is ReminderKind.day_before:
        return f"Due tomorrow ({due.isoformat()}): {what}"
    if kind is ReminderKind.due_today:
        return f"Due today: {what}"
    return f"Overdue since {due.isoformat()}: {what} (owner {owner_name})"


def run_reminders(session: Session, on: dt.date, now: dt.datetime | None = None) -> ReminderRun:
    """Remind each open deadline's owner 7 days and 1 day before and on the day; escalate an overdue one, once, to
    the head of its owner's unit (else of the case's unit; else its owner). Idempotent: a (deadline, kind, day)
    reminder is made once, however often this runs. Emails are email_digests' job (litigation/tasks.py)."""
    created = 0
    heads = repository.unit_heads(session)
    stamp = now or utcnow()
    for kind, days_before in REMINDER_DAYS.items():
        due_day = on + dt.timedelta(days=days_before)
        rows = repository.deadlines_needing(session, kind, Deadline.due_on == due_day, on)
        batch = [_reminder_row(kind, row, row.owner_id, on, stamp) for row in rows]
        repository.insert_reminders(session, batch)
        created += len(batch)
    overdue: ColumnElement[bool] = and_(Deadline.due_on < on)
    rows = repository.deadlines_needing(session, ReminderKind.overdue, overdue, Deadline.due_on)
    batch = []
    for row in rows:
        head = heads.get(row[7] or "") or heads.get(row.unit_id or "")
        recipient = head if head and head != row.owner_id else (heads.get(row.unit_id or "") or row.owner_id)
        batch.append(_reminder_row(ReminderKind.overdue, row, recipient, row.due_on, stamp))
    repository.insert_reminders(session, batch)
    created += len(batch)
    if created:  # nothing made: no write at all, so an idle run never takes SQLite's write lock
        repository.notify_reminders(session, stamp)
    log.info("reminders.run", today=on.isoformat(), created=created)
    return ReminderRun(today=on, created=created, emailed=0)


def _reminder_row(kind: ReminderKind, row: Any, user_id: str, on_day: dt.date, stamp: dt.datetime) -> dict[str, Any]:
    deadline_id, case_id, _owner_id, due_on, deadline_kind, number, _case_unit, _owner_unit, owner_name = row
    return {
        "id": new_id(),
        "deadline_id": deadline_id,
        "case_id": case_id,
        "user_id": user_id,
        "kind": kind.value,
        "on_day": on_day,
        "title": _reminder_title(kind, str(deadline_kind), number, due_on, owner_name)[:500],
        "created_at": stamp,
    }


def email_digests(
    session: Session, mail: MailBackend, settings: Settings, since: dt.datetime, stamp: dt.datetime
) -> int:
    """One email per person with their reminders not yet emailed; a refused or failed send is tried next run."""
    from alerts.service import mail_address  # the alerts helper's rule for addresses (decision 0020)

    by_user: dict[str, list[Reminder]] = defaultdict(list)
    for reminder in repository.unemailed_reminders(session, since):
        by_user[reminder.user_id].append(reminder)
    sent = 0
    for user_id, reminders in by_user.items():
        user = session.get(User, user_id)
        address = mail_address(user, settings) if user is not None and user.active else None
        if address is None:
            continue
        lines = [f"- {reminder.title}" for reminder in reminders]
        body = "Your Casefile deadlines:\n\n" + "\n".join(lines) + "\n\nOpen Casefile to see each case.\n"
        subject = f"Casefile: {len(reminders)} deadline reminder{'s' if len(reminders) != 1 else ''}"
        try:
            mail.send(MailMessage(to=address, subject=subject, body=body))
        except (BackendUnavailable, ValueError) as error:
            log.warning("reminders.mail_failed", user_id=user_id, reason=str(error))
            continue
        repository.mark_emailed(session, reminders, stamp)
        sent += 1
    session.flush()
    return sent


def my_reminders(session: Session, actor: Principal, unread_only: bool = False, limit: int = 50) -> list[Reminder]:
    if actor.user_id is None:
        return []
    return list(repository.reminders_of(session, actor.user_id, unread_only, limit))


def set_unit_head(session: Session, actor: Principal, unit_id: str, user_id: str | None) -> None:
    if actor.role is not Role.admin or not actor.can(Permission.write):
        raise Forbidden("only an admin may set a unit's head")
    unit = access_service.get_unit(session, unit_id)
    if user_id is not None:
        head = access_service.get_user(session, user_id)
        if not head.active:
            raise InvalidInput("the head must be an active user")
        if head.unit_id != unit.id:  # overdue deadlines escalate to the head: someone who sees the unit's cases
            raise InvalidInput(f"{head.username} is not in {unit.name}: a unit's head must be one of its people")
    unit.head_user_id = user_id
    session.flush()
    audit.record(session, actor, "unit.head", "unit", unit.id, user_id=user_id)


# --- the calendar feed ---------------------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def rotate_calendar(session: Session, actor: Principal) -> str:
    """A new secret for the caller's feed; the old URL stops working. Only its sha256 is kept."""
    if actor.user_id is None or not actor.can(Permission.write):
        raise Forbidden("a calendar feed belongs to a person signed in with a token that may write")
    user = access_service.get_user(session, actor.user_id)
    secret = secrets.token_urlsafe(32)
    user.calendar_secret_hash = _hash(secret)
    session.flush()
    audit.record(session, actor, "calendar.rotate", "user", user.id)
    return secret


def issue_calendar_if_missing(session: Session, actor: Principal) -> str | None:
    """The first time a person asks, their feed's secret is made and shown; afterwards only a rotation shows one
    (the database keeps only its hash, like tokens)."""
    if actor.user_id is None or not actor.can(Permission.write):
        return None
    user = access_service.get_user(session, actor.user_id)
    if user.calendar_secret_hash is not None:
        return None
    return rotate_calendar(session, actor)


def calendar_feed(session: Session, secret: str, on: dt.date, now: dt.datetime | None = None) -> bytes:
    """The iCalendar (RFC 5545) feed of a person's hearings (cases assigned to them) and open deadlines (theirs),
    in the cases they may see. A sealed case's events carry its number and nothing else."""
    from icalendar import Calendar, Event

    user = repository.user_by_calendar_hash(session, _hash(secret))
    if user is None:
        raise NotFound("no calendar at this address")
    principal = access_service.principal_for(user)
    stamp = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", "-//Casefile//Hearings and deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Casefile: {user.full_name}")
    visible = policy.visible_cases(principal)
    since = on - dt.timedelta(days=CALENDAR_PAST_DAYS)
    for hearing, number, title, sealed in repository.calendar_hearings(session, user.id, visible, since):
        event = Event()
        event.add("uid", f"hearing-{hearing.id}@casefile")
        event.add("dtstamp", stamp)
        if hearing.time:
            hour, minute = (int(part) for part in hearing.time.split(":"))
            start = dt.datetime.combine(hearing.date, dt.time(hour, minute))  # floating: the court's local time
            event.add("dtstart", start)
            event.add("dtend", start + dt.timedelta(hours=1))
        else:
            event.add("dtstart", hearing.date)
            event.add("dtend", hearing.date + dt.timedelta(days=1))
        if sealed:
            event.add("summary", number)
        else:
            event.add("summary", f"Hearing: {number} ({title})")
            event.add("location", hearing.court + (f", {hearing.bench}" if hearing.bench else ""))
            event.add("description", f"Purpose: {hearing.purpose}")
        calendar.add_component(event)
    for deadline, number, title, sealed in repository.calendar_deadlines(session, user.id, visible):
        event = Event()
        event.add("uid", f"deadline-{deadline.id}@casefile")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_on)  # all day
        event.add("dtend", deadline.due_on + dt.timedelta(days=1))
        if sealed:
            event.add("summary", number)
        else:
            event.add("summary", f"Due: {deadline.kind.value.replace('_', ' ')} in {number}")
            event.add("description", (deadline.note or title)[:1000])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
