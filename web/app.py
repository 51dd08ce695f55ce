"""Mount the web UI on the API's app: its pages, its static files, and HTML answers for errors on page paths."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import cast
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import CasefileError
from web.deps import SignInRequired
from web.pages import admin, alerts, audit, auth, cases, citations, hearings, home, search, viewer
from web.pages import lifecycle as lifecycle_pages
from web.pages import reports as report_pages
from web.templating import STATIC_DIR, render

# Paths that belong to the API and operations, not to the pages: errors there stay problem bodies.
NON_WEB_PREFIXES = ("/api/", "/health", "/ready", "/metrics", "/openapi.json", "/docs", "/redoc", "/static/",
                    "/calendar/", "/public/")  # fmt: skip
PAGE_ROUTERS = (auth.router, home.router, search.router, cases.router, viewer.router, admin.router, audit.router,
                alerts.router, citations.router, report_pages.router,
                hearings.router, lifecycle_pages.router)  # fmt: skip
Handler = Callable[[Request, Exception], Awaitable[Response]]


def is_web_path(path: str) -> bool:
    return not path.startswith(NON_WEB_PREFIXES)


def wants_html(request: Request) -> bool:
    """A page or an htmx request on a page path: answer errors with a page, not a problem body."""
    if not is_web_path(request.url.path):
        return False
    return "HX-Request" in request.headers or "text/html" in request.headers.get("accept", "")


def sign_in_redirect(request: Request, next_path: str) -> Response:
    target = "/sign-in" + (f"?next={quote(next_path, safe='')}" if next_path not in ("", "/") else "")
    if "HX-Request" in request.headers:  # an htmx swap would put the sign-in page inside the current one
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def error_page(request: Request, status: int, detail: str, title: str | None = None) -> Response:
    return render(
        request,
        "error.html",
        status_code=status,
        status=status,
        title=title or HTTPStatus(status).phrase,
        detail=detail,
    )


def install_web(app: FastAPI) -> None:
    """Add the pages after the API's routers, and wrap the API's error handlers: page paths get pages."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)

    api_casefile_error = cast(Handler, app.exception_handlers[CasefileError])
    api_http_error = cast(Handler, app.exception_handlers[StarletteHTTPException])
    api_validation_error = cast(Handler, app.exception_handlers[RequestValidationError])

    async def sign_in_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        return sign_in_redirect(request, error.next_path)

    async def casefile_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, CasefileError)
        if not wants_html(request):
            return await api_casefile_error(request, error)
        if error.status_code == 401:
            return sign_in_redirect(request, request.url.path)
        return error_page(request, error.status_code, error.detail, error.title)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        if not wants_html(request):
            return await api_http_error(request, error)
        detail = "There is no page at this address." if error.status_code == 404 else str(error.detail)
        return error_page(request, error.status_code, detail)

    async def validation_error(request: Request, error: Exception) -> Response:
        if not wants_html(request):
            return await api_validation_error(request, error)
        # A page address with a malformed part (a page "number" that is not one) names no page.
        return error_page(request, 404, "There is no page at this address.")

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CasefileError, casefile_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
