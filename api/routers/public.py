"""The public case status (decision 0023): `GET /public/case-status?court=&number=` for anyone, rate-limited per
address; and the admins' switches for a case or a unit under /api/v1."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import CurrentUser, SessionDep, SettingsDep, client_address
from core.errors import TooManyRequests
from reports import public
from reports.public import PublicCaseStatus, PublicFlag, SlidingWindowLimiter

router = APIRouter(tags=["public"])
admin_router = APIRouter(tags=["public"])
Text = Annotated[str, Query(min_length=1, max_length=200)]


def _limiter(request: Request, per_minute: int) -> SlidingWindowLimiter:
    state = request.app.state
    if getattr(state, "public_status_limiter", None) is None:
        state.public_status_limiter = SlidingWindowLimiter(per_minute)
    limiter: SlidingWindowLimiter = state.public_status_limiter
    return limiter


@router.get(
    "/public/case-status",
    responses={
        404: {"description": "no public case with this court and number (sealed, private, missing or switched off)"},
        429: {"description": "Too many requests from this address"},
    },
)
def public_case_status(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep, court: Text, number: Text
) -> PublicCaseStatus:
    """A public case's number, court, status and next hearing date; 404 for every other case alike."""
    wait = _limiter(request, settings.public_status_per_minute).hit(client_address(request))
    if wait is not None:
        retry_after = str(max(1, math.ceil(wait)))
        raise TooManyRequests("too many status requests from this address", headers={"Retry-After": retry_after})
    response.headers["Cache-Control"] = "no-store"
    return public.public_case_status(session, settings, court.strip(), number.strip())


@admin_router.put("/cases/{case_id}/public-status")
def set_case_public_status(case_id: str, body: PublicFlag, session: SessionDep, user: CurrentUser) -> PublicFlag:
    """Admins: show (or stop showing) this case's status at /public/case-status."""
    return public.set_case_public(session, user, case_id, body.public_status)


@admin_router.put("/units/{unit_id}/public-status")
def set_unit_public_status(unit_id: str, body: PublicFlag, session: SessionDep, user: CurrentUser) -> PublicFlag:
    """Admins: show (or stop showing) the status of every case of this unit at /public/case-status."""
    return public.set_unit_public(session, user, unit_id, body.public_status)
