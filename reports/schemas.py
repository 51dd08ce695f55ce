"""Report shapes: every report is one table (columns and rows), so JSON, CSV, XLSX and the charts share one form."""

from __future__ import annotations

import enum
from datetime import date, datetime

from pydantic import BaseModel, Field

Cell = str | int | float | None


class ReportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class PendingBy(enum.StrEnum):
    unit = "unit"  # the owning ministry, division or office
    court = "court"
    officer = "officer"  # each assigned officer; a case with two officers counts once for each


class OverdueBy(enum.StrEnum):
    owner = "owner"
    unit = "unit"
    kind = "kind"


class OutcomeBy(enum.StrEnum):
    unit = "unit"
    court = "court"
    year = "year"


class Column(BaseModel):
    key: str
    label: str
    numeric: bool = False


class Report(BaseModel):
    name: str = Field(examples=["pending"])
    title: str = Field(examples=["Pending cases by unit"])
    by: str | None = Field(default=None, description="The grouping, for reports that take `by`")
    as_of: date = Field(description="The day the report counts from (ages, overdue)")
    generated_at: datetime
    columns: list[Column]
    rows: list[dict[str, Cell]]
    total: int | None = Field(default=None, description="Distinct cases (or items) counted, when rows can overlap")
    chart_label: str | None = Field(default=None, description="The column that names each bar of the chart")
    chart_value: str | None = Field(default=None, description="The column each bar measures")
    notes: list[str] = Field(default_factory=list)


class ReportInfo(BaseModel):
    name: str
    title: str
    description: str
    groupings: list[str] = Field(default_factory=list)
