"""The calendar feed (RFC 5545): GET /calendar/{secret}.ics with no credentials (the secret URL is the credential,
kept only as its sha256), and its rotation under /api/v1 (decision 0022)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SessionDep, Writer
from litigation import service
from litigation.schemas import CalendarRotated

router = APIRouter(tags=["calendar"])  # at the root: calendar clients send no Authorization header
api_router = APIRouter(tags=["calendar"])


def calendar_url(request: Request, secret: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/calendar/{secret}.ics"


@router.get(
    "/calendar/{secret}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}, 404: {"description": "no calendar at this address"}},
)
def calendar_feed(secret: str, session: SessionDep) -> Response:
    body = service.calendar_feed(session, secret, service.today())
    # The URL is a credential: never cached by proxies, never sent on as a referrer.
    headers = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@api_router.post("/users/me/calendar/rotate")
def rotate_calendar(request: Request, session: SessionDep, user: Writer) -> CalendarRotated:
    return CalendarRotated(calendar_url=calendar_url(request, service.rotate_calendar(session, user)))
