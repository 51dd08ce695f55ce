"""The audit trail: `GET /audit` (admin, auditor) as JSON pages or a streamed CSV, and a case's access log."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from access import audit
from access.audit import AuditFilters
from access.schemas import AccessLogOut, AuditEventOut, AuditPage, ViewerOut
from api.deps import AuditReader, CurrentUser, SessionDep, SettingsDep
from core.config import Settings
from core.models import AuditEvent
from core.uow import unit_of_work

router = APIRouter(tags=["audit"])

CSV_COLUMNS = (
    "sequence", "id", "at", "actor", "user_id", "token_id", "address", "action", "target_type", "target_id",
    "case_id", "outcome", "detail", "previous_hash", "hash",
)  # fmt: skip
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CSV_ROWS_PER_CHUNK = 500
# A cell starting with one of these is a formula to a spreadsheet; search queries and typed usernames are
# caller-controlled, so such cells get a leading apostrophe (OWASP's advice for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _utc(value: datetime | None) -> datetime | None:
    """A time without an offset is taken as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _filters(
    actor: Annotated[str | None, Query(max_length=200, description="A username, user id or token id")] = None,
    action: Annotated[
        str | None, Query(max_length=50, description='Exact, or a prefix ending in "*": `document.*`')
    ] = None,
    target_type: Annotated[str | None, Query(max_length=50)] = None,
    target_id: Annotated[str | None, Query(max_length=36)] = None,
    case_id: Annotated[str | None, Query(max_length=36)] = None,
    outcome: Annotated[str | None, Query(max_length=20, description="`ok` or `failed`")] = None,
    since: Annotated[
        datetime | None, Query(alias="from", description="From this time (ISO 8601; UTC if no offset)")
    ] = None,
    until: Annotated[datetime | None, Query(alias="to", description="Before this time (exclusive)")] = None,
) -> AuditFilters:
    return AuditFilters(
        actor=actor, action=action, target_type=target_type, target_id=target_id, case_id=case_id, outcome=outcome,
        since=_utc(since), until=_utc(until),
    )  # fmt: skip


Filters = Annotated[AuditFilters, Depends(_filters)]
Page = Annotated[int, Query(ge=1, le=10_000)]
Size = Annotated[int, Query(ge=1, le=500)]


def _event_out(row: AuditEvent) -> AuditEventOut:
    return AuditEventOut.model_validate(row)


@router.get(
    "/audit",
    response_model=AuditPage,
    responses={
        200: {
            "description": "A page of the trail, newest first; or with `format=csv` (or `Accept: text/csv`) every "
            "matching row as CSV, streamed, with a header row",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def list_audit(
    session: SessionDep,
    settings: SettingsDep,
    user: AuditReader,
    filters: Filters,
    page: Page = 1,
    size: Size = 50,
    output: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> AuditPage | StreamingResponse:
    if output == "csv" or (output is None and accept is not None and "text/csv" in accept.lower()):
        # Recorded in this request's unit, which commits before the stream starts: the export lists itself.
        audit.record(session, user, "audit.export", filters=_described(filters))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return StreamingResponse(
            _csv(settings, filters),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="casefile-audit-{stamp}.csv"'},
        )
    rows, total = audit.list_events(session, filters, page, size)
    audit.record(session, user, "audit.query", filters=_described(filters), total=total)  # after the read
    return AuditPage(items=[_event_out(row) for row in rows], total=total, page=page, size=size)


def _described(filters: AuditFilters) -> dict[str, str]:
    return {key: str(value) for key, value in vars(filters).items() if value is not None}


def _csv(settings: Settings, filters: AuditFilters) -> Iterator[str]:
    """The rows in chunks, from a unit of work of its own: the request's has ended when the body is sent."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    with unit_of_work(settings) as session:
        for count, row in enumerate(audit.stream_events(session, filters), start=1):
            writer.writerow(_cells(row))
            if count % CSV_ROWS_PER_CHUNK == 0:
                yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _cells(row: AuditEvent) -> list[str]:
    values = audit.content_of(row) | {
        "detail": json.dumps(row.detail, sort_keys=True, ensure_ascii=False),
        "previous_hash": row.previous_hash,
        "hash": row.hash,
    }
    return [_cell(values[column]) for column in CSV_COLUMNS]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def access_log_case(case_id: str, session: SessionDep, user: CurrentUser) -> str:
    audit.check_access_log(session, user, case_id)
    return case_id


AccessLogCase = Annotated[str, Depends(access_log_case)]


@router.get("/cases/{case_id}/access-log")
def case_access_log(
    checked_case_id: AccessLogCase,
    session: SessionDep,
    user: CurrentUser,
    page: Page = 1,
    size: Size = 50,
) -> AccessLogOut:
    """Who has seen this case, and every audit row about it. Admins, auditors and its assigned officers."""
    case_id = checked_case_id
    rows, total = audit.list_events(session, AuditFilters(case_id=case_id), page, size)
    viewers = [ViewerOut.model_validate(viewer) for viewer in audit.case_viewers(session, case_id)]
    audit.record(session, user, "case.access_log", "case", case_id)
    return AccessLogOut(
        case_id=case_id,
        viewers=viewers,
        items=[_event_out(row) for row in rows],
        total=total,
        page=page,
        size=size,
    )
