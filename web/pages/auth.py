"""Sign in and sign out: the same sessions, throttling and audit as POST /api/v1/auth/login."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from access import service as access_service
from api.deps import SESSION_COOKIE, SessionDep, SettingsDep, client_address
from core.errors import TooManyRequests, Unauthorized
from web.deps import WebViewer
from web.templating import render

router = APIRouter()


def safe_next(value: str | None) -> str:
    """Only a path on this site: `next=//evil.example` or `https://...` would make the sign-in an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", next=safe_next(next), error=None, username="")


@router.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    try:
        if not username.isprintable():  # NUL and other controls name no account (and PostgreSQL refuses NUL)
            raise Unauthorized("the username or password is wrong")
        _, cookie, _ = access_service.sign_in(session, username, password, client_address(request))
    except (Unauthorized, TooManyRequests) as error:
        # The failure stays recorded (throttle, audit): this page returns normally, so the unit of work commits it.
        message = (
            "Too many failed sign-ins. Wait a few minutes and try again."
            if error.status_code == 429
            else "The username or password is wrong."
        )
        page = render(
            request, "sign_in.html", status_code=error.status_code, next=safe_next(next), error=message,
            username=username,
        )  # fmt: skip
        if "Retry-After" in (error.headers or {}):
            page.headers["Retry-After"] = error.headers["Retry-After"]
        return page
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=access_service.SESSION_HOURS * 3600, httponly=True,
                        samesite="lax", secure=settings.cookie_secure, path="/")  # fmt: skip
    return response


@router.post("/sign-out")
def sign_out(session: SessionDep, viewer: WebViewer) -> Response:
    access_service.sign_out(session, viewer.principal)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
