"""The audit trail page (admins and auditors): filters by actor, action, target, case, outcome and dates, paging,
and the API's CSV export of the same filters. Read through access/audit.py and recorded as GET /api/v1/audit is."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from access import audit
from api.deps import SessionDep
from core.errors import Forbidden, InvalidInput
from core.models import AuditEvent
from web.deps import WebViewer
from web.templating import render

router = APIRouter()
PAGE_SIZE = 50
Short = Annotated[str, Query(max_length=200)]


def day_start(value: str, days_after: int = 0) -> datetime | None:
    """The start of a day typed in a date field (UTC), or None if blank or not a date."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=days_after), time(), UTC) if day else None


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    viewer: WebViewer,
    actor: Short = "",
    action: Annotated[str, Query(max_length=50)] = "",
    target_id: Annotated[str, Query(max_length=36)] = "",
    case_id: Annotated[str, Query(max_length=36)] = "",
    outcome: Annotated[str, Query(max_length=20)] = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    if not viewer.can("audit"):
        raise Forbidden(f"the {viewer.role} role may not read the audit trail")
    typed = {"actor": actor.strip(), "action": action.strip(), "target_id": target_id.strip(),
             "case_id": case_id.strip(), "outcome": outcome, "from": since, "to": until}  # fmt: skip
    kept = {key: value for key, value in typed.items() if value}
    start, end = day_start(since), day_start(until, days_after=1)  # "to" is a whole day, inclusive
    error: str | None = None
    rows: list[AuditEvent] = []
    total = 0
    try:
        filters = audit.AuditFilters(
            actor=typed["actor"] or None, action=typed["action"] or None, target_id=typed["target_id"] or None,
            case_id=typed["case_id"] or None, outcome=outcome or None, since=start, until=end,
        )  # fmt: skip
        rows, total = audit.list_events(session, filters, page, PAGE_SIZE)
        described = {key: str(value) for key, value in vars(filters).items() if value is not None}
        audit.record(session, viewer.principal, "audit.query", filters=described, total=total)  # as the API does
    except InvalidInput as problem:
        error = "The first day must not be after the last day." if "`from`" in problem.detail else problem.detail
    api_filters = {key: value for key, value in typed.items() if value and key not in ("from", "to")}
    if start:
        api_filters["from"] = start.isoformat()
    if end:
        api_filters["to"] = end.isoformat()
    return render(
        request, "audit/trail.html", active="audit", rows=rows, total=total, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), filters=kept, error=error,
        csv_link="/api/v1/audit?" + urlencode({**api_filters, "format": "csv"}),
        page_link=lambda number: "/audit?" + urlencode({**kept, "page": number}),
    )  # fmt: skip
