"""A report as CSV or XLSX: the same rows and numbers as its JSON.

Text cells that a spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) get a
leading apostrophe, in CSV and XLSX alike (OWASP's advice for CSV injection): unit, court and officer names are typed
by people. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from reports.schemas import Cell, Report

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _table(report: Report) -> list[list[Cell]]:
    header: list[Cell] = [column.label for column in report.columns]
    body = [[guarded(row.get(column.key)) for column in report.columns] for row in report.rows]
    return [header, *body]


def to_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in _table(report):
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = report.name[:31]
    for row in _table(report):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(report.columns, start=1):
        width = max([len(column.label)] + [len(str(row.get(column.key) or "")) for row in report.rows])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(report: Report, extension: str) -> str:
    grouping = f"-by-{report.by}" if report.by else ""
    return f"casefile-{report.name}{grouping}-{report.as_of.isoformat()}.{extension}"
