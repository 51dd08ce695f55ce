"""Render every error as an RFC 9457 problem body (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import CasefileError, InvalidInput

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(
    request: Request,
    status: int,
    detail: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": quote(request.url.path),  # a URI reference: the path as sent, percent-encoded
        **extra,
    }
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if status == 503:
        headers.setdefault("Retry-After", "5")
    elif status >= 500:  # the server closes the connection after an unexpected error: say so
        headers["Connection"] = "close"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_for(request: Request, error: CasefileError) -> JSONResponse:
    return problem(request, error.status_code, error.detail, error.title, headers=error.headers, **error.extra)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CasefileError)
    async def casefile_error(request: Request, error: CasefileError) -> JSONResponse:
        return problem_for(request, error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(item["loc"]), "msg": item["msg"], "type": item["type"]} for item in error.errors()]
        return problem(request, 422, "the request is not valid", InvalidInput.title, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(request, error.status_code, str(error.detail))

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        request_id = getattr(request.state, "request_id", None)
        log.exception("api.unexpected_error", path=request.url.path, request_id=request_id)
        response = problem(request, 500, "an unexpected error occurred; it has been logged")
        if request_id:  # sent from outside the observability middleware, so it adds the id itself
            response.headers["X-Request-ID"] = request_id
        return response
