"""Reports: one plain function per report, called by the API, the pages and the benchmark alike.

Each runs its aggregate inside the caller's walls (access/policy.py visible_cases): a ministry's people count
their own matters, officers the cases assigned or granted to them, admins everything; auditors read no case
content, so they get no reports (403).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from access import audit, policy
from access.schemas import Permission, Principal
from core.errors import Forbidden, NotFound
from core.models import DecisionOutcome
from reports import repository
from reports.schemas import Cell, Column, OutcomeBy, OverdueBy, PendingBy, Report, ReportInfo

CATALOGUE: dict[str, ReportInfo] = {
    info.name: info
    for info in (
        ReportInfo(
            name="pending",
            title="Pending cases",
            description="Cases not yet decided or closed, by ministry (unit), court or officer.",
            groupings=[by.value for by in PendingBy],
        ),
        ReportInfo(
            name="ageing",
            title="Ageing of pending cases",
            description="Pending cases by time since filing: under 1 year, 1–2, 2–5, 5–10 and over 10 years.",
        ),
        ReportInfo(
            name="overdue",
            title="Overdue deadlines",
            description="Open deadlines past their due date, by owner, unit or kind.",
            groupings=[by.value for by in OverdueBy],
        ),
        ReportInfo(
            name="hearings",
            title="Hearings and adjournments per case",
            description="Each case's hearings and adjournments, the most adjourned first.",
        ),
        ReportInfo(
            name="outcomes",
            title="Outcomes for the government",
            description="Each decided case's outcome for the government, by ministry (unit), court or year.",
            groupings=[by.value for by in OutcomeBy],
        ),
        ReportInfo(
            name="median-days",
            title="Median days to decision",
            description="Days from filing to decision, the median per ministry (unit), court or year of decision.",
            groupings=[by.value for by in OutcomeBy],
        ),
    )
}


def _walls(actor: Principal) -> ColumnElement[bool]:
    if not actor.can(Permission.read):
        raise Forbidden(f"the {actor.role.value} role reads no case content, so no reports")
    return policy.visible_cases(actor)


def _now() -> datetime:
    return datetime.now(UTC)


def _record(session: Session, actor: Principal, name: str, **detail: str) -> None:
    audit.record(session, actor, "report.view", "report", None, report=name, **detail)


def pending(session: Session, actor: Principal, by: PendingBy = PendingBy.unit, today: date | None = None) -> Report:
    allowed = _walls(actor)
    now = _now()
    rows: list[dict[str, Cell]]
    if by is PendingBy.unit:
        rows = [{"unit": name or repository.NO_UNIT, "cases": count}
                for name, count in repository.pending_by_unit(session, allowed, actor)]  # fmt: skip
        columns = [Column(key="unit", label="Unit"), Column(key="cases", label="Pending cases", numeric=True)]
    elif by is PendingBy.court:
        by_court = repository.pending_by_court(session, allowed, actor)
        rows = [{"court": court, "cases": count} for court, count in by_court]
        columns = [Column(key="court", label="Court"), Column(key="cases", label="Pending cases", numeric=True)]
    else:
        rows = [
            {"officer": full_name or repository.UNASSIGNED, "username": username, "officer_id": user_id,
             "cases": count, "lead": lead}
            for user_id, username, full_name, count, lead in repository.pending_by_officer(session, allowed, actor)
        ]  # fmt: skip
        columns = [
            Column(key="officer", label="Officer"),
            Column(key="username", label="Username"),
            Column(key="cases", label="Pending cases", numeric=True),
            Column(key="lead", label="As lead", numeric=True),
        ]
    # A case is in exactly one unit and one court, so those rows add up to the total; by officer it may be in several.
    total = (
        repository.count_pending(session, allowed, actor)
        if by is PendingBy.officer
        else sum(int(row["cases"] or 0) for row in rows)
    )
    _record(session, actor, "pending", by=by.value)
    notes = ["A case with several officers counts once for each of them."] if by is PendingBy.officer else []
    return Report(
        name="pending", title=f"Pending cases by {by.value}", by=by.value, as_of=today or now.date(),
        generated_at=now, columns=columns, rows=rows, total=total, chart_label=columns[0].key, chart_value="cases",
        notes=notes,
    )  # fmt: skip


def ageing(session: Session, actor: Principal, today: date | None = None) -> Report:
    allowed = _walls(actor)
    now = _now()
    day = today or now.date()
    counts = repository.ageing(session, allowed, day, actor)
    labels = [label for label, _lower in repository.AGE_BUCKETS] + [repository.UNKNOWN_FILING]
    rows: list[dict[str, Cell]] = [{"age": label, "cases": counts.get(label, 0)} for label in labels]
    _record(session, actor, "ageing")
    return Report(
        name="ageing", title="Ageing of pending cases", as_of=day, generated_at=now,
        columns=[Column(key="age", label="Time since filing"), Column(key="cases", label="Pending cases",
                                                                     numeric=True)],
        rows=rows, total=sum(counts.values()), chart_label="age", chart_value="cases",
        notes=["Age is whole years from the filing date to the report's day: filed exactly one year ago is 1–2 years."],
    )  # fmt: skip


def overdue(session: Session, actor: Principal, by: OverdueBy = OverdueBy.owner, today: date | None = None) -> Report:
    allowed = _walls(actor)
    now = _now()
    day = today or now.date()
    rows: list[dict[str, Cell]] = [
        {by.value: str(label) if label is not None else repository.NO_UNIT, "deadlines": count,
         "oldest_due_on": oldest.isoformat(), "most_days_overdue": (day - oldest).days}
        for label, count, oldest in repository.overdue_deadlines(session, allowed, day, by.value)
    ]  # fmt: skip
    _record(session, actor, "overdue", by=by.value)
    return Report(
        name="overdue", title=f"Overdue deadlines by {by.value}", by=by.value, as_of=day, generated_at=now,
        columns=[
            Column(key=by.value, label=by.value.capitalize()),
            Column(key="deadlines", label="Overdue deadlines", numeric=True),
            Column(key="oldest_due_on", label="Oldest due date"),
            Column(key="most_days_overdue", label="Most days overdue", numeric=True),
        ],
        rows=rows, total=sum(int(row["deadlines"] or 0) for row in rows), chart_label=by.value,
        chart_value="deadlines", notes=["Overdue: open, and due before the report's day."],
    )  # fmt: skip


HEARINGS_SHOWN = 200


def hearings(session: Session, actor: Principal, limit: int = HEARINGS_SHOWN, today: date | None = None) -> Report:
    allowed = _walls(actor)
    now = _now()
    found, total_hearings, total_adjourned = repository.hearings_per_case(session, allowed, limit)
    rows: list[dict[str, Cell]] = [
        {"case_id": case_id, "number": number, "court": court, "hearings": count, "adjournments": adjourned,
         "last_hearing_on": last.isoformat() if last else None}
        for case_id, number, court, count, adjourned, last in found
    ]  # fmt: skip
    _record(session, actor, "hearings")
    return Report(
        name="hearings", title="Hearings and adjournments per case", as_of=today or now.date(), generated_at=now,
        columns=[
            Column(key="number", label="Case number"),
            Column(key="court", label="Court"),
            Column(key="hearings", label="Hearings", numeric=True),
            Column(key="adjournments", label="Adjournments", numeric=True),
            Column(key="last_hearing_on", label="Last hearing"),
        ],
        rows=rows, total=total_hearings, chart_label="number", chart_value="adjournments",
        notes=[f"All hearings: {total_hearings}; adjourned: {total_adjourned}. The {limit} most adjourned cases "
               "are listed."],
    )  # fmt: skip


OUTCOME_LABELS = {
    DecisionOutcome.in_favour: "In favour",
    DecisionOutcome.against: "Against",
    DecisionOutcome.partly: "Partly",
    DecisionOutcome.withdrawn: "Withdrawn",
    DecisionOutcome.dismissed_as_withdrawn: "Dismissed as withdrawn",
    DecisionOutcome.disposed_of: "Disposed of",
}


def _group_label(by: OutcomeBy, value: str | int | None) -> str:
    if value is None:
        return repository.NO_UNIT
    return str(value)


def outcomes(session: Session, actor: Principal, by: OutcomeBy = OutcomeBy.unit, today: date | None = None) -> Report:
    allowed = _walls(actor)
    now = _now()
    rows: list[dict[str, Cell]] = []
    for value, counts in repository.outcomes(session, allowed, by.value):
        decided = sum(counts.values())
        rows.append({by.value: _group_label(by, value), **counts, "decided": decided,
                     "in_favour_pct": round(100 * counts["in_favour"] / decided, 1) if decided else None})  # fmt: skip
    columns = [Column(key=by.value, label=by.value.capitalize())]
    columns += [Column(key=outcome.value, label=label, numeric=True) for outcome, label in OUTCOME_LABELS.items()]
    columns += [Column(key="decided", label="Decided", numeric=True),
                Column(key="in_favour_pct", label="In favour %", numeric=True)]  # fmt: skip
    _record(session, actor, "outcomes", by=by.value)
    return Report(
        name="outcomes", title=f"Outcomes for the government by {by.value}", by=by.value, as_of=today or now.date(),
        generated_at=now, columns=columns, rows=rows, total=sum(int(row["decided"] or 0) for row in rows),
        chart_label=by.value, chart_value="in_favour",
        notes=["Each case counts once, by its latest decision; the year is the decision's."],
    )  # fmt: skip


def median_days(
    session: Session, actor: Principal, by: OutcomeBy = OutcomeBy.unit, today: date | None = None
) -> Report:
    allowed = _walls(actor)
    now = _now()
    rows: list[dict[str, Cell]] = [
        {by.value: _group_label(by, value), "decided": count, "median_days": median}
        for value, count, median in repository.median_days_to_decision(session, allowed, by.value)
    ]
    _record(session, actor, "median-days", by=by.value)
    return Report(
        name="median-days", title=f"Median days to decision by {by.value}", by=by.value, as_of=today or now.date(),
        generated_at=now,
        columns=[Column(key=by.value, label=by.value.capitalize()),
                 Column(key="decided", label="Decided cases", numeric=True),
                 Column(key="median_days", label="Median days", numeric=True)],
        rows=rows, total=sum(int(row["decided"] or 0) for row in rows), chart_label=by.value,
        chart_value="median_days",
        notes=["Days from the filing date to the case's latest decision; cases without a filing date are left out."],
    )  # fmt: skip


Builder = Callable[..., Report]
BUILDERS: dict[str, Builder] = {
    "pending": pending,
    "ageing": ageing,
    "overdue": overdue,
    "hearings": hearings,
    "outcomes": outcomes,
    "median-days": median_days,
}


def build(session: Session, actor: Principal, name: str, **options: object) -> Report:
    """A report by name (the pages' and the CLI's entry point)."""
    builder = BUILDERS.get(name)
    if builder is None:
        raise NotFound(f"no report named {name!r}")
    return builder(session, actor, **options)


def catalogue(actor: Principal) -> list[ReportInfo]:
    _walls(actor)
    return [CATALOGUE[name] for name in BUILDERS if name in CATALOGUE]
