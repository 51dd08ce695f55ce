"""Reports against a hand-counted fixture, on both stacks: JSON, CSV and XLSX give the same numbers; the walls
hold (a ministry counts only its own matters, an officer their assigned cases, an auditor gets 403)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from access import service as access_service
from access.schemas import SYSTEM, UserCreate
from core.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseDecision,
    CaseStatus,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DecisionOutcome,
    Hearing,
    HearingOutcome,
    Role,
    UnitKind,
)
from core.uow import unit_of_work
from reports.export import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, guarded, to_csv, to_xlsx
from reports.schemas import Column, Report
from tests.conftest import TEST_PASSWORD, Api

LHC, SC = "Lahore High Court", "Supreme Court"
OTHER = "Ministry of Other Matters"
TODAY = date.today()


@dataclass
class Fixture:
    other_officer: str


def _years_ago(years: float) -> date:
    return TODAY - timedelta(days=round(365.25 * years))


def _build(api: Api) -> Fixture:
    """Unit A (the test unit) and unit B; every number the tests expect is counted by hand from this."""
    officer = api.user_ids[Role.officer]
    with unit_of_work(api.settings) as session:
        other = access_service.create_unit(session, SYSTEM, OTHER, UnitKind.ministry)
        second = access_service.create_user(session, SYSTEM, UserCreate(
            username="second-officer", full_name="Second Officer", role=Role.officer, unit_id=other.id,
            password=TEST_PASSWORD))  # fmt: skip

        def case(key: str, unit: str, court: str, status: CaseStatus, filed: date | None, **extra: Any) -> Case:
            made = Case(number=f"R-{key}", title=f"{key} v. State", court=court, status=status, filed_on=filed,
                        unit_id=unit, parties=[], tags=[], **extra)  # fmt: skip
            session.add(made)
            session.flush()
            return made

        a, b = api.unit_id, other.id
        c1 = case("c1", a, LHC, CaseStatus.intake, _years_ago(0.5))
        c2 = case("c2", a, LHC, CaseStatus.pending, _years_ago(3))
        c3 = case("c3", a, LHC, CaseStatus.decided, date(2020, 1, 1))
        c4 = case("c4", a, SC, CaseStatus.assigned, None)
        c5 = case("c5", b, SC, CaseStatus.pending, _years_ago(12))
        c6 = case("c6", b, SC, CaseStatus.closed, date(2019, 1, 1))
        case("c7", b, SC, CaseStatus.reserved, _years_ago(1.5), sealed=True, seal_reason="in camera")
        c8 = case("c8", a, LHC, CaseStatus.decided, date(2020, 6, 1))
        session.add_all([
            Assignment(case_id=c2.id, user_id=officer, role=AssignmentRole.lead),
            Assignment(case_id=c5.id, user_id=officer, role=AssignmentRole.assisting),
            Assignment(case_id=c4.id, user_id=second.id, role=AssignmentRole.lead),
            # Ended: history, not a current assignment; c1 is unassigned.
            Assignment(case_id=c1.id, user_id=second.id, role=AssignmentRole.lead, ended_at=datetime.now(UTC),
                       ended_reason="moved"),
        ])  # fmt: skip
        created = datetime(2021, 1, 2, tzinfo=UTC)

        def decision(target: Case, on: date, outcome: DecisionOutcome) -> CaseDecision:
            return CaseDecision(case_id=target.id, decided_on=on, outcome=outcome, actor="test", created_at=created)

        session.add_all([
            decision(c3, date(2020, 12, 1), DecisionOutcome.against),  # superseded by the later decision
            decision(c3, date(2021, 1, 1), DecisionOutcome.in_favour),  # 366 days from filing
            decision(c8, date(2020, 6, 21), DecisionOutcome.partly),  # 20 days
            decision(c6, date(2019, 1, 11), DecisionOutcome.against),  # 10 days
        ])  # fmt: skip

        def hearing(target: Case, days_ago: int, outcome: HearingOutcome | None) -> Hearing:
            return Hearing(case_id=target.id, date=TODAY - timedelta(days=days_ago), court=target.court,
                           purpose="arguments", outcome=outcome)  # fmt: skip

        session.add_all([
            hearing(c2, 90, HearingOutcome.adjourned), hearing(c2, 60, HearingOutcome.adjourned),
            hearing(c2, 30, HearingOutcome.heard), hearing(c5, 20, HearingOutcome.heard),
        ])  # fmt: skip

        def deadline(target: Case, owner: str, due: int, status: DeadlineStatus = DeadlineStatus.open) -> Deadline:
            return Deadline(case_id=target.id, kind=DeadlineKind.reply, owner_id=owner,
                            due_on=TODAY + timedelta(days=due), status=status)  # fmt: skip

        session.add_all([
            deadline(c2, officer, -10), deadline(c2, officer, 5), deadline(c5, officer, -3, DeadlineStatus.done),
            deadline(c4, second.id, -1),
        ])  # fmt: skip
        second_id = second.id
    return Fixture(other_officer=second_id)


def _json(api: Api, name: str, role: Role = Role.admin, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/v1/reports/{name}", role, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return dict(response.json())


def _table(body: dict[str, Any], key: str, value: str) -> dict[Any, Any]:
    return {row[key]: row[value] for row in body["rows"]}


def _same_in_files(api: Api, name: str, body: dict[str, Any], role: Role = Role.admin, **params: Any) -> None:
    """CSV and XLSX carry the JSON's rows, cell for cell (numbers as numbers in the spreadsheet)."""
    labels = [column["label"] for column in body["columns"]]
    expected = [[row[column["key"]] for column in body["columns"]] for row in body["rows"]]
    response = api.get(f"/api/v1/reports/{name}", role, params=params | {"format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_MEDIA_TYPE
    assert response.headers["content-disposition"].startswith('attachment; filename="casefile-')
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == labels
    assert rows[1:] == [["" if cell is None else str(cell) for cell in row] for row in expected]
    response = api.get(f"/api/v1/reports/{name}", role, params=params | {"format": "xlsx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == labels
    assert cells[1:] == expected


def test_reports_against_a_hand_counted_fixture(stack_api: Api) -> None:
    api = stack_api
    fixture = _build(api)

    pending = _json(api, "pending", by="unit")
    assert _table(pending, "unit", "cases") == {"Ministry of Test": 3, OTHER: 2}
    assert pending["total"] == 5
    _same_in_files(api, "pending", pending, by="unit")
    by_court = _json(api, "pending", by="court")
    assert _table(by_court, "court", "cases") == {SC: 3, LHC: 2}
    _same_in_files(api, "pending", by_court, by="court")
    by_officer = _json(api, "pending", by="officer")
    assert _table(by_officer, "officer", "cases") == {"Test officer": 2, "Second Officer": 1, "(unassigned)": 2}
    assert _table(by_officer, "officer", "lead") == {"Test officer": 1, "Second Officer": 1, "(unassigned)": 0}
    assert {row["officer_id"] for row in by_officer["rows"]} == {api.user_ids[Role.officer], fixture.other_officer,
                                                                  None}  # fmt: skip
    _same_in_files(api, "pending", by_officer, by="officer")

    ageing = _json(api, "ageing")
    assert _table(ageing, "age", "cases") == {"under 1 year": 1, "1–2 years": 1, "2–5 years": 1, "5–10 years": 0,
                                              "over 10 years": 1, "filing date unknown": 1}  # fmt: skip
    _same_in_files(api, "ageing", ageing)

    overdue = _json(api, "overdue", by="owner")
    assert _table(overdue, "owner", "deadlines") == {"Test officer": 1, "Second Officer": 1}
    assert _table(overdue, "owner", "most_days_overdue") == {"Test officer": 10, "Second Officer": 1}
    assert _table(_json(api, "overdue", by="kind"), "kind", "deadlines") == {"reply": 2}
    _same_in_files(api, "overdue", overdue, by="owner")

    hearings = _json(api, "hearings")
    assert [(row["number"], row["hearings"], row["adjournments"]) for row in hearings["rows"]] == [
        ("R-c2", 3, 2), ("R-c5", 1, 0)]  # fmt: skip
    assert hearings["total"] == 4
    _same_in_files(api, "hearings", hearings)

    outcomes = _json(api, "outcomes", by="unit")
    rows = {row["unit"]: row for row in outcomes["rows"]}
    assert (rows["Ministry of Test"]["in_favour"], rows["Ministry of Test"]["partly"]) == (1, 1)
    assert rows["Ministry of Test"]["against"] == 0  # c3's first decision was superseded
    assert (rows[OTHER]["against"], rows[OTHER]["decided"]) == (1, 1)
    assert rows["Ministry of Test"]["in_favour_pct"] == 50.0
    assert _table(_json(api, "outcomes", by="year"), "year", "decided") == {"2019": 1, "2020": 1, "2021": 1}
    assert _table(_json(api, "outcomes", by="court"), "court", "decided") == {LHC: 2, SC: 1}
    _same_in_files(api, "outcomes", outcomes, by="unit")

    median = _json(api, "median-days", by="unit")
    assert _table(median, "unit", "median_days") == {"Ministry of Test": 193.0, OTHER: 10.0}
    assert _table(median, "unit", "decided") == {"Ministry of Test": 2, OTHER: 1}
    assert _table(_json(api, "median-days", by="year"), "year", "median_days") == {"2019": 10.0, "2020": 20.0,
                                                                                  "2021": 366.0}  # fmt: skip
    assert _table(_json(api, "median-days", by="court"), "court", "median_days") == {LHC: 193.0, SC: 10.0}
    _same_in_files(api, "median-days", median, by="unit")

    # The walls: a ministry's focal person counts its own unsealed matters only; an officer their assigned cases.
    mine = _json(api, "pending", Role.focal_person, by="unit")
    assert _table(mine, "unit", "cases") == {"Ministry of Test": 3} and mine["total"] == 3
    _same_in_files(api, "pending", mine, Role.focal_person, by="unit")
    assert _table(_json(api, "pending", Role.focal_person, by="court"), "court", "cases") == {LHC: 2, SC: 1}
    assert _table(_json(api, "median-days", Role.focal_person), "unit", "median_days") == {"Ministry of Test": 193.0}
    assert [row["number"] for row in _json(api, "hearings", Role.focal_person)["rows"]] == ["R-c2"]
    assert _table(_json(api, "overdue", Role.focal_person), "owner", "deadlines") == {"Test officer": 1,
                                                                                     "Second Officer": 1}  # fmt: skip
    officer = _json(api, "pending", Role.officer, by="unit")
    assert _table(officer, "unit", "cases") == {"Ministry of Test": 1, OTHER: 1}
    assert _table(_json(api, "outcomes", Role.officer), "unit", "decided") == {}
    for name in ("pending", "ageing", "overdue", "hearings", "outcomes", "median-days"):
        response = api.get(f"/api/v1/reports/{name}", Role.auditor)
        assert response.status_code == 403, response.text
    assert api.get("/api/v1/reports", Role.auditor).status_code == 403
    assert [item["name"] for item in api.get("/api/v1/reports", Role.clerk).json()][:2] == ["pending", "ageing"]


def test_report_parameters_are_checked(api: Api) -> None:
    assert api.get("/api/v1/reports/pending", params={"by": "judge"}).status_code == 422
    assert api.get("/api/v1/reports/pending", params={"format": "pdf"}).status_code == 422
    response = api.get("/api/v1/reports/pending", params={"by": "court", "format": "xlsx"})
    assert response.headers["content-disposition"].endswith(f'-by-court-{TODAY.isoformat()}.xlsx"')


def test_cells_that_a_spreadsheet_would_run_are_made_text() -> None:
    rows: list[dict[str, Any]] = [
        {"court": '=HYPERLINK("http://x")', "cases": 2},
        {"court": "+1", "cases": -1},
        {"court": "@SUM(A1)", "cases": 0},
        {"court": 'Quote "and", comma', "cases": 1},
    ]
    report = Report(name="pending", title="t", by="court", as_of=TODAY, generated_at=datetime.now(UTC),
                    columns=[Column(key="court", label="Court"), Column(key="cases", label="Cases", numeric=True)],
                    rows=rows)  # fmt: skip
    parsed = list(csv.reader(io.StringIO(to_csv(report).decode())))
    assert parsed[1:] == [["'=HYPERLINK(\"http://x\")", "2"], ["'+1", "-1"], ["'@SUM(A1)", "0"],
                          ['Quote "and", comma', "1"]]  # fmt: skip
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).active
    assert sheet is not None
    assert [cell.data_type for cell in sheet["A"][1:]] == ["s", "s", "s", "s"]  # text, never a formula
    assert [cell.value for cell in sheet["B"][1:]] == [2, -1, 0, 1]  # numbers stay numbers, negative ones too
    assert guarded("-5") == "'-5" and guarded(-5) == -5


@pytest.mark.parametrize("values", [[], [7], [1, 9], [3, 1, 2], [10, 20, 30, 41]])
def test_the_sqlite_median_matches_statistics(values: list[int]) -> None:
    import statistics

    from reports.repository import _median

    if values:
        assert _median(sorted(values)) == round(statistics.median(values), 1)
