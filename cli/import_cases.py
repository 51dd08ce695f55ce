"""`casefile import-cases register.xlsx|csv`: bring an existing case register into Casefile.

Every row is checked first (against the file, the other rows and the database); any bad row is reported by its row
number in the file (the header is row 1) with the reason, and nothing is written (exit code 1). Otherwise every row
goes in inside one unit of work: all or none. A case number already known in the same court is updated, never
duplicated, so the command can be run again with a corrected or newer register.

Columns (headers in any case, spaces or underscores; unknown ones are reported and ignored):
  number, court (both required); title (else "<first petitioner> v. <first respondent>"); case_type; status
  (intake, assigned, pending, reserved, decided, appeal, closed); filed_on; next_date; petitioners; respondents;
  officers (usernames or full names; an unknown name is kept as the case's officer note, as migration 0003 did with
  the old free-text officer); tags; unit (else --unit). Several names in one cell are separated by ";".
  The unit owns the cases the import creates; an existing case keeps its owner (moving a case between ministries
  moves its walls, which is an admin's decision case by case, not a side effect of a register).
Dates: 2024-03-31, 31-03-2024, 31/03/2024 or 31.03.2024 (day first, as registers in Pakistan write them), or a
spreadsheet date cell.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from access import repository as access_repository
from access.schemas import Principal
from cases import lifecycle
from cases import repository as cases_repository
from cases import service as cases_service
from cases.schemas import CaseCreate, CaseUpdate, Party
from core.backends import build_backends
from core.config import Settings, get_settings
from core.db import SchemaOutdated, check_schema
from core.models import Case, CaseStatus, Hearing, Role, User
from core.uow import unit_of_work
from litigation import service as litigation_service
from litigation.schemas import HearingCreate
from search.backends.base import SearchIndex

IMPORTER = Principal(user_id=None, token_id=None, name="casefile import-cases", role=Role.admin)
console = Console()
HEADER_ROW = 1
ALIASES = {
    "number": ("number", "case_number", "case_no", "case"),
    "court": ("court",),
    "title": ("title", "case_title"),
    "case_type": ("case_type", "type"),
    "status": ("status",),
    "filed_on": ("filed_on", "filed", "filing_date", "date_of_filing", "institution_date"),
    "next_date": ("next_date", "next_hearing", "next_hearing_on", "next_hearing_date"),
    "petitioners": ("petitioners", "petitioner"),
    "respondents": ("respondents", "respondent"),
    "officers": ("officers", "officer", "law_officer", "law_officers"),
    "tags": ("tags",),
    "unit": ("unit", "ministry"),
}
COLUMN_OF = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
NEXT_HEARING_PURPOSE = "as listed in the imported register"


class RegisterUnreadable(Exception):
    """The file as a whole cannot be read as a register (its type, or its header)."""


@dataclass
class Problem:
    row: int
    reason: str


@dataclass
class Planned:
    """One good row, ready to write."""

    row: int
    case_id: str | None  # the existing case it updates
    unit_id: str | None
    data: dict[str, Any]
    officers: list[User] = field(default_factory=list)
    officer_note: str | None = None
    next_date: date | None = None


@dataclass
class ImportResult:
    problems: list[Problem]
    ignored_columns: list[str]
    created: int = 0
    updated: int = 0
    written: bool = False


def _header(name: object) -> str:
    return re.sub(r"[\s\-]+", "_", str(name or "").strip().lower())


def read_register(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """The data rows, each with its row number in the file and its cells by column name; and the headers ignored."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raw = list(_xlsx_rows(path))
    elif suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            raw = list(csv.reader(handle))
    else:
        raise RegisterUnreadable(f"{path.name}: a register is an .xlsx or .csv file")
    if not raw:
        raise RegisterUnreadable(f"{path.name} is empty")
    headers = [_header(cell) for cell in raw[0]]
    names = [COLUMN_OF.get(header) for header in headers]
    missing = [name for name in ("number", "court") if name not in names]
    if missing:
        raise RegisterUnreadable(f"the header row has no {' or '.join(missing)} column")
    ignored = [header for header, name in zip(headers, names, strict=True) if name is None and header]
    rows = []
    for offset, cells in enumerate(raw[1:], start=HEADER_ROW + 1):
        values = {name: cell for name, cell in zip(names, cells, strict=False) if name is not None}
        if any(_text(value) for value in values.values()):  # blank lines are skipped, not errors
            rows.append((offset, values))
    return rows, ignored


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a damaged or foreign file
        raise RegisterUnreadable(f"{path.name} is not a readable .xlsx workbook: {error}") from error
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield list(row)
    workbook.close()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a number typed in a spreadsheet cell
        value = int(value)
    return " ".join(str(value).split())


def _names(value: Any) -> list[str]:
    return [name for name in (part.strip() for part in _text(value).split(";")) if name]


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use 2024-03-31 or 31-03-2024)")


def _officers(session: Session) -> tuple[dict[str, User], dict[str, list[User]]]:
    officers = session.scalars(select(User).where(User.role == Role.officer, User.active.is_(True))).all()
    by_name: dict[str, list[User]] = {}
    for officer in officers:
        by_name.setdefault(officer.full_name.casefold(), []).append(officer)
    return {officer.username.casefold(): officer for officer in officers}, by_name


def check_rows(
    session: Session, rows: list[tuple[int, dict[str, Any]]], default_unit_id: str | None
) -> tuple[list[Planned], list[Problem]]:
    """Every row checked before anything is written: the reasons for each bad row, or the plan for all of them."""
    planned: list[Planned] = []
    problems: list[Problem] = []
    first_row_of: dict[tuple[str, str], int] = {}
    by_username, by_full_name = _officers(session)
    unit_ids: dict[str, str | None] = {}
    for number, values in rows:
        reasons: list[str] = []
        case_number, court = _text(values.get("number")), _text(values.get("court"))
        if not case_number:
            reasons.append("no case number")
        if not court:
            reasons.append("no court")
        key = (court.casefold(), case_number.casefold())
        if case_number and court:
            if key in first_row_of:
                reasons.append(f"the same case number and court as row {first_row_of[key]}")
            else:
                first_row_of[key] = number
        dates: dict[str, date | None] = {}
        for column in ("filed_on", "next_date"):
            try:
                dates[column] = _date(values.get(column))
            except ValueError as error:
                reasons.append(f"{column}: {error}")
        status_text = _text(values.get("status")).lower().replace(" ", "_")
        status = None
        if status_text:
            try:
                status = CaseStatus(status_text)
            except ValueError:
                reasons.append(f"status {status_text!r} is not one of {', '.join(s.value for s in CaseStatus)}")
        unit_id = default_unit_id
        unit_name = _text(values.get("unit"))
        if unit_name:
            if unit_name not in unit_ids:
                found = access_repository.find_unit_by_name(session, unit_name)
                unit_ids[unit_name] = found.id if found else None
            unit_id = unit_ids[unit_name]
            if unit_id is None:
                reasons.append(f"no unit named {unit_name!r}")
        officers: list[User] = []
        unknown: list[str] = []
        for name in _names(values.get("officers")):
            matches = [by_username[name.casefold()]] if name.casefold() in by_username else by_full_name.get(
                name.casefold(), [])  # fmt: skip
            if len(matches) > 1:
                reasons.append(f"officer {name!r} names {len(matches)} officers: use the username")
            elif matches:
                officers.append(matches[0])
            else:
                unknown.append(name)
        petitioners, respondents = _names(values.get("petitioners")), _names(values.get("respondents"))
        title = _text(values.get("title"))
        if not title and petitioners and respondents:
            title = f"{petitioners[0]} v. {respondents[0]}"
        if not title:
            reasons.append("no title, and no petitioner and respondent to make one from")
        existing = cases_repository.find_by_number(session, court, case_number) if case_number and court else None
        if officers and status in (None, CaseStatus.intake) and (existing is None or status is not None):
            status = CaseStatus.assigned  # assigning moves an intake case on; said here so a rerun agrees
        if existing is not None and status is not None and status != existing.status:
            allowed = lifecycle.allowed_next(existing.status)
            if status not in allowed:
                reasons.append(f"the case is {existing.status.value} and cannot become {status.value} (allowed: "
                               f"{', '.join(s.value for s in allowed) or 'none'})")  # fmt: skip
        data: dict[str, Any] = {
            "number": case_number, "title": title, "court": court,
            "case_type": _text(values.get("case_type")) or None,
            "parties": [Party(name=name, role="petitioner") for name in petitioners]
            + [Party(name=name, role="respondent") for name in respondents],
            "filed_on": dates.get("filed_on"), "tags": _names(values.get("tags")),
        }  # fmt: skip
        if status is not None:
            data["status"] = status
        if not reasons:
            try:  # lengths and characters, by the API's own rules
                CaseCreate(**data, unit_id=unit_id) if existing is None else CaseUpdate(**data)
            except ValidationError as error:
                reasons += [f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()]
        if reasons:
            problems.append(Problem(number, "; ".join(reasons)))
            continue
        planned.append(Planned(row=number, case_id=existing.id if existing else None, unit_id=unit_id, data=data,
                               officers=officers, officer_note="; ".join(unknown) or None,
                               next_date=dates.get("next_date")))  # fmt: skip
    return planned, problems


def apply(session: Session, index: SearchIndex, plan: list[Planned]) -> tuple[int, int]:
    """Write every planned row in this unit of work; returns (created, updated)."""
    created = updated = 0
    today = litigation_service.today()
    for item in plan:
        if item.case_id is None:
            case = cases_service.create_case(session, IMPORTER, CaseCreate(**item.data, unit_id=item.unit_id))
            created += 1
        else:
            case = cases_service.get_case(session, item.case_id)
            updated += 1
        if item.officer_note is not None:
            case.officer_note = item.officer_note
        for officer in item.officers:
            cases_service.assign_officer(session, IMPORTER, case, officer)
        if item.next_date is not None and not _has_hearing_on(session, case, item.next_date):
            hearing = HearingCreate(date=item.next_date, court=case.court, purpose=NEXT_HEARING_PURPOSE)
            litigation_service.add_hearing(session, IMPORTER, case, hearing, today)
        if item.case_id is None:
            cases_service.refresh_index(session, index, case)
            continue
        # Last, so the index copy of the case (status, parties, who may read it) follows every change above.
        changes = {key: value for key, value in item.data.items() if key != "status" or value != case.status}
        if "status" in changes:
            changes["reason"] = "imported register"
        cases_service.update_case(session, index, IMPORTER, case.id, CaseUpdate(**changes))
    return created, updated


def _has_hearing_on(session: Session, case: Case, day: date) -> bool:
    query = select(func.count(Hearing.id)).where(Hearing.case_id == case.id, Hearing.date == day)
    return bool(session.scalar(query))


def import_register(settings: Settings, path: Path, unit: str | None = None, dry_run: bool = False) -> ImportResult:
    """Check the whole register, then write all of it in one unit of work, or nothing."""
    rows, ignored = read_register(path)
    backends = build_backends(settings)
    with unit_of_work(settings) as session:
        unit_id = None
        if unit is not None:
            found = access_repository.find_unit_by_name(session, unit)
            if found is None:
                raise RegisterUnreadable(f"no unit named {unit!r}; create it with `casefile units create`")
            unit_id = found.id
        plan, problems = check_rows(session, rows, unit_id)
        result = ImportResult(problems=problems, ignored_columns=ignored)
        result.created = sum(1 for item in plan if item.case_id is None)
        result.updated = len(plan) - result.created
        if problems or dry_run:
            session.rollback()
            return result
        backends.index.ensure_ready()
        apply(session, backends.index, plan)
        result.written = True
    return result


def register(app: typer.Typer) -> None:
    app.command("import-cases")(import_cases)


def import_cases(
    register_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The register: .xlsx or .csv")],
    unit: Annotated[str | None, typer.Option(help="The owning unit's name, for rows without a unit column")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row and say what would change")] = False,
) -> None:
    """Import a case register: cases, parties, officers and next dates; all rows or none."""
    settings = get_settings()
    try:
        check_schema(settings)
    except SchemaOutdated as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    try:
        result = import_register(settings, register_file, unit, dry_run)
    except RegisterUnreadable as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    if result.ignored_columns:
        console.print(f"[yellow]columns ignored: {', '.join(result.ignored_columns)}[/]")
    if result.problems:
        table = Table(title=f"{len(result.problems)} bad row(s): nothing was imported")
        table.add_column("row", justify="right")
        table.add_column("reason", overflow="fold")
        for problem in result.problems:
            table.add_row(str(problem.row), problem.reason)
        console.print(table)
        raise typer.Exit(1)
    verb = "would create" if dry_run else "created"
    console.print(f"{verb} {result.created} case(s), {'would update' if dry_run else 'updated'} {result.updated}")
