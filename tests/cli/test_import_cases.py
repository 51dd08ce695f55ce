"""`casefile import-cases`: a register with bad rows reports each by its row number and writes nothing; a good one
imports cases, parties, officers and next dates; running it again updates, never duplicates. Real .xlsx files
(written with openpyxl) and .csv files made here, on both stacks."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.import_cases import RegisterUnreadable, import_register
from core.config import Settings, get_settings
from core.db import migrate
from core.models import Case, CaseStatus, Hearing, Role
from core.uow import unit_of_work
from tests.conftest import TEST_UNIT, Api

HEADER = ["Case No", "Court", "Title", "Status", "Filed On", "Next Date", "Petitioner", "Respondent", "Officer",
          "Tags", "Remarks"]  # fmt: skip
LHC, SC = "Lahore High Court", "Supreme Court"


def _good_rows(status_three: str = "reserved", title_two: str = "Bilal v. State") -> list[list[Any]]:
    return [
        ["W.P. 1/2020", LHC, "", "pending", datetime(2020, 3, 1), "15-12-2030", "Ahmad Khan",
         "Federation of Pakistan; Ministry of Interior", "test-officer", "service", "=1+1"],
        ["C.P. 7/2019", SC, title_two, "", "01/02/2019", "", "", "", "Mr. Unknown Advocate", "", ""],
        ["W.P. 3/2021", LHC, "Case three", status_three, "2021-05-05", "", "", "", "Test officer", "", ""],
    ]  # fmt: skip


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([cell.strftime("%Y-%m-%d") if isinstance(cell, datetime) else cell for cell in row])
    return path


BAD_ROWS: list[list[Any]] = [
    ["W.P. 1/2020", LHC, "Good one", "", "", "", "", "", "", "", ""],  # row 2: good
    ["", LHC, "No number", "", "", "", "", "", "", "", ""],  # row 3
    ["W.P. 9/2024", LHC, "Bad date", "", "31-02-2024", "", "", "", "", "", ""],  # row 4
    ["w.p. 1/2020", "lahore high court", "Again", "", "", "", "", "", "", "", ""],  # row 5: row 2 once more
    ["W.P. 10/2024", LHC, "Odd status", "sleeping", "", "", "", "", "", "", ""],  # row 6
    ["W.P. 11/2024", "", "No court", "", "", "", "", "", "", "", ""],  # row 7
    ["", "", "", "", "", "", "", "", "", "", ""],  # a blank line: skipped
    ["W.P. 12/2024", LHC, "", "", "", "", "", "", "", "", ""],  # row 9: no title, no parties
]
BAD_REASONS = {
    3: "no case number",
    4: "filed_on: '31-02-2024' is not a date",
    5: "the same case number and court as row 2",
    6: "status 'sleeping' is not one of",
    7: "no court",
    9: "no title",
}


def _counts(settings: Settings) -> tuple[int, int]:
    with unit_of_work(settings) as session:
        return session.scalar(select(func.count(Case.id))) or 0, session.scalar(select(func.count(Hearing.id))) or 0


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_register_with_bad_rows_writes_nothing(stack_api: Api, tmp_path: Path, kind: str) -> None:
    make = _xlsx if kind == "xlsx" else _csv
    result = import_register(stack_api.settings, make(tmp_path / f"register.{kind}", BAD_ROWS), TEST_UNIT)
    reasons = {problem.row: problem.reason for problem in result.problems}
    assert sorted(reasons) == sorted(BAD_REASONS)
    for row, expected in BAD_REASONS.items():
        assert expected in reasons[row], (row, reasons[row])
    assert not result.written and _counts(stack_api.settings) == (0, 0)


def test_a_good_register_imports_and_a_rerun_updates(stack_api: Api, tmp_path: Path) -> None:
    api = stack_api
    register = _xlsx(tmp_path / "register.xlsx", _good_rows())
    dry = import_register(api.settings, register, TEST_UNIT, dry_run=True)
    assert (dry.created, dry.updated, dry.written, dry.problems) == (3, 0, False, [])
    assert _counts(api.settings) == (0, 0)

    first = import_register(api.settings, register, TEST_UNIT)
    assert (first.created, first.updated, first.written) == (3, 0, True)
    assert first.ignored_columns == ["remarks"]
    cases = {item["number"]: item for item in api.get("/api/v1/cases", params={"size": 100}).json()["items"]}
    one = cases["W.P. 1/2020"]
    assert one["title"] == "Ahmad Khan v. Federation of Pakistan"
    assert [(party["name"], party["role"]) for party in one["parties"]] == [
        ("Ahmad Khan", "petitioner"),
        ("Federation of Pakistan", "respondent"),
        ("Ministry of Interior", "respondent"),
    ]
    assert (one["status"], one["filed_on"], one["next_hearing_on"], one["tags"]) == (
        "pending", "2020-03-01", "2030-12-15", ["service"])  # fmt: skip
    assert [each["user_id"] for each in one["assignments"]] == [api.user_ids[Role.officer]]
    assert one["unit_id"] == api.unit_id
    two = cases["C.P. 7/2019"]
    assert (two["officer_note"], two["assignments"], two["status"], two["filed_on"]) == (
        "Mr. Unknown Advocate", [], "intake", "2019-02-01")  # fmt: skip
    three = cases["W.P. 3/2021"]  # named by full name
    assert [each["user_id"] for each in three["assignments"]] == [api.user_ids[Role.officer]]
    # The unit's focal person sees what was imported for the unit.
    assert api.get("/api/v1/cases", Role.focal_person).json()["total"] == 3
    assert _counts(api.settings) == (3, 1)

    again = _csv(tmp_path / "register.csv", _good_rows(status_three="decided", title_two="Bilal v. The State"))
    second = import_register(api.settings, again, TEST_UNIT)
    assert (second.created, second.updated, second.written) == (0, 3, True)
    assert _counts(api.settings) == (3, 1)  # no case and no hearing twice
    cases = {item["number"]: item for item in api.get("/api/v1/cases", params={"size": 100}).json()["items"]}
    assert cases["C.P. 7/2019"]["title"] == "Bilal v. The State"
    assert cases["W.P. 3/2021"]["status"] == CaseStatus.decided
    assert len(cases["W.P. 1/2020"]["assignments"]) == 1

    # A status the lifecycle does not allow from where the case now is, is a bad row like any other.
    back = _csv(tmp_path / "back.csv", _good_rows(status_three="intake"))
    refused = import_register(api.settings, back, TEST_UNIT)
    assert [(problem.row, "cannot become" in problem.reason) for problem in refused.problems] == [(4, True)]


runner = CliRunner()


@pytest.fixture
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("CASEFILE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    migrate(get_settings())
    yield get_settings()
    get_settings.cache_clear()


def test_the_command_reports_bad_rows_by_number_and_exits_1(cli_settings: Settings, tmp_path: Path) -> None:
    from cli.main import app

    assert runner.invoke(app, ["units", "create", "Ministry of Law"]).exit_code == 0
    bad = runner.invoke(app, ["import-cases", str(_csv(tmp_path / "bad.csv", BAD_ROWS)), "--unit", "Ministry of Law"])
    assert bad.exit_code == 1, bad.output
    assert "6 bad row(s): nothing was imported" in bad.output
    assert "no case number" in bad.output and "same case number and court as row 2" in bad.output
    assert _counts(cli_settings) == (0, 0)
    rows = [[*row[:8], "", "", *row[10:]] for row in _good_rows()]  # no officers in this database
    good = _xlsx(tmp_path / "good.xlsx", rows)
    dry = runner.invoke(app, ["import-cases", str(good), "--unit", "Ministry of Law", "--dry-run"])
    assert dry.exit_code == 0 and "would create 3 case(s), would update 0" in dry.output, dry.output
    assert _counts(cli_settings) == (0, 0)
    done = runner.invoke(app, ["import-cases", str(good), "--unit", "Ministry of Law"])
    assert done.exit_code == 0 and "created 3 case(s), updated 0" in done.output, done.output
    assert runner.invoke(app, ["import-cases", str(good), "--unit", "Nowhere"]).exit_code == 1
    with pytest.raises(RegisterUnreadable):
        import_register(cli_settings, (tmp_path / "x.txt"), None)
    assert _counts(cli_settings)[0] == 3 and date.today()
