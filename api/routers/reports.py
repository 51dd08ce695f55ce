"""Reports (issue 12): `GET /reports/{name}?format=json|csv|xlsx`, each inside the caller's walls (reports/)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import CurrentUser, SessionDep
from reports import export, service
from reports.schemas import OutcomeBy, OverdueBy, PendingBy, Report, ReportFormat, ReportInfo

router = APIRouter(prefix="/reports", tags=["reports"])

Format = Annotated[ReportFormat, Query(alias="format", description="json, csv or xlsx (a download)")]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report; with `format=csv` or `format=xlsx` the same rows as a download",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            export.XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def respond(report: Report, output: ReportFormat) -> Report | Response:
    if output is ReportFormat.json:
        return report
    if output is ReportFormat.csv:
        content, media_type = export.to_csv(report), export.CSV_MEDIA_TYPE
    else:
        content, media_type = export.to_xlsx(report), export.XLSX_MEDIA_TYPE
    disposition = f'attachment; filename="{export.filename(report, output.value)}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition,
                                                             "Cache-Control": "no-store"})  # fmt: skip


@router.get("")
def list_reports(user: CurrentUser) -> list[ReportInfo]:
    """The reports the caller may run (every role that reads case content; auditors none)."""
    return service.catalogue(user)


@router.get("/pending", response_model=Report, responses=FILE_RESPONSES)
def pending_report(
    session: SessionDep, user: CurrentUser, by: PendingBy = PendingBy.unit, output: Format = ReportFormat.json
) -> Report | Response:
    """Pending cases (not decided or closed; under appeal counts as pending) by ministry (unit), court or officer."""
    return respond(service.pending(session, user, by), output)


@router.get("/ageing", response_model=Report, responses=FILE_RESPONSES)
def ageing_report(session: SessionDep, user: CurrentUser, output: Format = ReportFormat.json) -> Report | Response:
    """Pending cases by time since filing: under 1 year, 1–2, 2–5, 5–10, over 10 years, and unknown."""
    return respond(service.ageing(session, user), output)


@router.get("/overdue", response_model=Report, responses=FILE_RESPONSES)
def overdue_report(
    session: SessionDep, user: CurrentUser, by: OverdueBy = OverdueBy.owner, output: Format = ReportFormat.json
) -> Report | Response:
    """Open deadlines past their due date, by owner, unit or kind."""
    return respond(service.overdue(session, user, by), output)


@router.get("/hearings", response_model=Report, responses=FILE_RESPONSES)
def hearings_report(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=5000)] = service.HEARINGS_SHOWN,
    output: Format = ReportFormat.json,
) -> Report | Response:
    """Hearings and adjournments per case, the most adjourned first."""
    return respond(service.hearings(session, user, limit), output)


@router.get("/outcomes", response_model=Report, responses=FILE_RESPONSES)
def outcomes_report(
    session: SessionDep, user: CurrentUser, by: OutcomeBy = OutcomeBy.unit, output: Format = ReportFormat.json
) -> Report | Response:
    """Decided cases by outcome for the government, by ministry (unit), court or year of decision."""
    return respond(service.outcomes(session, user, by), output)


@router.get("/median-days", response_model=Report, responses=FILE_RESPONSES)
def median_days_report(
    session: SessionDep, user: CurrentUser, by: OutcomeBy = OutcomeBy.unit, output: Format = ReportFormat.json
) -> Report | Response:
    """The median days from filing to decision, by ministry (unit), court or year of decision."""
    return respond(service.median_days(session, user, by), output)
