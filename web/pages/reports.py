"""Report pages (issue 12): /reports lists them; /reports/<name> shows one as a bar chart drawn here as inline SVG
(no chart library, no CDN), the same numbers as a table, its filters, and links to the API's CSV and XLSX of it.
Through reports/service.py like /api/v1/reports, so the same walls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import SessionDep
from core.errors import NotFound
from reports import service
from reports.schemas import Cell, OutcomeBy, OverdueBy, PendingBy, Report
from web.deps import WebViewer
from web.templating import render

router = APIRouter()
GROUPINGS: dict[str, type[PendingBy] | type[OverdueBy] | type[OutcomeBy]] = {
    "pending": PendingBy,
    "overdue": OverdueBy,
    "outcomes": OutcomeBy,
    "median-days": OutcomeBy,
}
CHART_BARS = 25  # the longest lists (cases, officers) chart their first 25 rows; the table has them all
BAR_HEIGHT, BAR_GAP, LABEL_WIDTH, PLOT_WIDTH = 22, 6, 260, 420


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH
    bar_height: int = BAR_HEIGHT


def _number(value: Cell) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def chart_of(report: Report) -> Chart | None:
    """Horizontal bars, one per row, scaled to the largest value: plain arithmetic, drawn by the template."""
    if not report.rows or report.chart_label is None or report.chart_value is None:
        return None
    rows = report.rows[:CHART_BARS]
    values = [_number(row.get(report.chart_value)) for row in rows]
    top = max(values) or 1.0
    label_of = {column.key: column.label for column in report.columns}
    bars = [
        Bar(label=_short(str(row.get(report.chart_label) or "")), value=value,
            shown=f"{value:g}", y=index * (BAR_HEIGHT + BAR_GAP), width=max(1, round(PLOT_WIDTH * value / top)))
        for index, (row, value) in enumerate(zip(rows, values, strict=True))
    ]  # fmt: skip
    measured = label_of.get(report.chart_value, report.chart_value)
    described = f"{measured} by {label_of.get(report.chart_label, report.chart_label).lower()}: " + "; ".join(
        f"{bar.label} {bar.shown}" for bar in bars
    )
    return Chart(title=f"{report.title}: {measured.lower()}", description=described, bars=bars,
                 height=len(bars) * (BAR_HEIGHT + BAR_GAP))  # fmt: skip


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _download(name: str, options: dict[str, str], output: str) -> str:
    return f"/api/v1/reports/{name}?" + urlencode(options | {"format": output})


@router.get("/reports")
def reports_index(request: Request, viewer: WebViewer) -> Response:
    return render(request, "reports/index.html", active="reports", reports=service.catalogue(viewer.principal))


def _report_page(name: str) -> Any:
    def page(request: Request, session: SessionDep, viewer: WebViewer, by: str | None = None) -> Response:
        options: dict[str, Any] = {}
        grouping = GROUPINGS.get(name)
        if grouping is not None:
            try:
                options["by"] = grouping(by) if by else next(iter(grouping))
            except ValueError as error:
                raise NotFound(f"the {name} report has no grouping {by!r}") from error
        report = service.build(session, viewer.principal, name, **options)
        query = {"by": report.by} if report.by else {}
        return render(
            request, "reports/report.html", active="reports", report=report, chart=chart_of(report),
            info=service.CATALOGUE[name], groupings=[each.value for each in grouping] if grouping else [],
            csv_link=_download(name, query, "csv"), xlsx_link=_download(name, query, "xlsx"),
        )  # fmt: skip

    return page


for _name in service.BUILDERS:
    router.add_api_route(f"/reports/{_name}", _report_page(_name), methods=["GET"], name=f"report_{_name}")
