"""Refuse request bodies before they are read (issue 8, item 11).

FastAPI parses a body (and spools a multipart upload to disk) before any dependency runs, so the token check and
the upload limit in the handlers come too late: an anonymous client could make the server hold a gigabyte. This
pure ASGI middleware runs first, for every request under /api/v1 that carries a body:

- no bearer token, or one that is not valid: 401, without reading the body;
- a Content-Length above the limit: 413, without reading the body;
- a body without Content-Length (chunked): counted as it streams in, and cut off with 413 at the limit.

The limit is CASEFILE_MAX_UPLOAD_MB plus room for the multipart framing on the upload route, and
CASEFILE_MAX_JSON_BODY_KB everywhere else. The handlers still authenticate and authorise as before.
"""

from __future__ import annotations

import re

import anyio.to_thread
import structlog
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access import service as access_service
from api.deps import NOT_AUTHENTICATED, SESSION_COOKIE
from api.errors import problem_for
from core.config import Settings, get_settings
from core.db import new_session
from core.errors import BackendUnavailable, CasefileError, PayloadTooLarge, Unauthorized

log = structlog.get_logger(__name__)

API_PREFIX = "/api/v1/"
UPLOAD_ROUTE = re.compile(r"^/api/v1/cases/[^/]+/documents/?$")
# Boundaries, part headers and the small form fields (title, doc_type, filed_on, language) around the file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
# Citation extraction reads a whole judgment: its text may be 1,000,000 characters (citations/schemas.py, a 422
# past that), and JSON escapes may double a text's bytes.
CITATION_EXTRACT_ROUTE = "/api/v1/citations/extract"
CITATION_EXTRACT_BODY_BYTES = 2 * 1024 * 1024
# Signing in is the one body sent before there are credentials (small: the JSON limit still applies).
ANONYMOUS_BODY_PATHS = frozenset({"/api/v1/auth/login"})
# The same words as api/deps.py for every way of failing: a probe learns nothing about which tokens exist.
NO_TOKEN = BAD_TOKEN = NOT_AUTHENTICATED
_INSTALLED = "casefile_body_limits_installed"


def body_limit(settings: Settings, method: str, path: str) -> int:
    """The most bytes a request body to this route may have."""
    if method == "POST" and UPLOAD_ROUTE.match(path):
        return settings.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    if method == "POST" and path.rstrip("/") == CITATION_EXTRACT_ROUTE:
        return max(settings.max_json_body_kb * 1024, CITATION_EXTRACT_BODY_BYTES)
    return settings.max_json_body_kb * 1024


def _too_large(settings: Settings, limit: int, method: str, path: str) -> PayloadTooLarge:
    if method == "POST" and UPLOAD_ROUTE.match(path):
        return PayloadTooLarge(
            f"the upload is larger than the {settings.max_upload_mb} MB upload limit", limit_bytes=limit
        )
    return PayloadTooLarge(f"request bodies are limited to {settings.max_json_body_kb} KB", limit_bytes=limit)


def _token_is_valid(settings: Settings, token: str) -> bool:
    # A short read-only session of its own: closed (rolled back) at once, never committed.
    with new_session(settings) as session:
        return access_service.authenticate_token(session, token) is not None


def _session_is_valid(settings: Settings, cookie: str) -> bool:
    with new_session(settings) as session:
        return access_service.authenticate_session(session, cookie) is not None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        settings = _settings(scope)
        method, path = scope["method"], scope["path"]
        headers = Headers(scope=scope)
        limit = body_limit(settings, method, path)
        declared = _content_length(headers)
        if declared is None and "content-length" in headers:
            await _reject(scope, receive, send, CasefileError("the Content-Length header is not a number"))
            return
        if ((declared or 0) > 0 or "transfer-encoding" in headers) and path not in ANONYMOUS_BODY_PATHS:
            refusal = await _check_credentials(settings, headers)
            if refusal is None and declared is not None and declared > limit:
                refusal = _too_large(settings, limit, method, path)
            if refusal is not None:
                log.info("request.refused_before_body", status=refusal.status_code, declared_bytes=declared)
                await _reject(scope, receive, send, refusal)
                return
        await _LimitedBody(self.app, scope, receive, send, limit, _too_large(settings, limit, method, path)).run()


class _LimitedBody:
    """Pass the request through, counting body bytes; past the limit, answer 413 and end the body there."""

    def __init__(
        self, app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int, error: PayloadTooLarge
    ) -> None:
        self.app, self.scope, self._receive, self._send = app, scope, receive, send
        self.limit, self.error = limit, error
        self.received = 0
        self.response_started = False
        self.refused = False

    async def run(self) -> None:
        await self.app(self.scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if self.received <= self.limit:
            return message
        log.info("request.body_over_limit", limit_bytes=self.limit, received_bytes=self.received)
        self.refused = True
        if not self.response_started:
            await _reject(self.scope, self._receive, self._send, self.error)
        # The application sees the client go away: it stops parsing, and whatever it answers is dropped below.
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.response_started = True
        await self._send(message)


def _settings(scope: Scope) -> Settings:
    app = scope.get("app")
    backends = getattr(getattr(app, "state", None), "backends", None)
    settings = getattr(backends, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


async def _check_credentials(settings: Settings, headers: Headers) -> CasefileError | None:
    """A bearer token, or else a browser session cookie (its CSRF check comes later, in api/deps.py)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE, "")
    if (scheme.lower() != "bearer" or not token) and not cookie:
        return Unauthorized(NO_TOKEN)
    try:
        if scheme.lower() == "bearer" and token:
            valid = await anyio.to_thread.run_sync(_token_is_valid, settings, token)
        else:
            valid = await anyio.to_thread.run_sync(_session_is_valid, settings, cookie)
    except SQLAlchemyError as error:
        log.warning("request.token_check_failed", reason=str(error.orig if hasattr(error, "orig") else error))
        return BackendUnavailable("the database did not answer; try again in a moment")
    return None if valid else Unauthorized(BAD_TOKEN)


async def _reject(scope: Scope, receive: Receive, send: Send, error: CasefileError) -> None:
    """Answer with the same problem body api/errors.py renders, and close the connection: the client may still be
    sending a body nobody will read, and keeping the connection would mean draining it."""
    response = problem_for(Request(scope), error)
    response.headers["Connection"] = "close"
    await response(scope, receive, send)


def install_body_limits(app: Starlette) -> None:
    """Add the middleware once (a second call is a no-op). Add it before install_observability, so the
    observability middleware is outside it and logs and counts the refusals too."""
    if getattr(app.state, _INSTALLED, False):
        return
    setattr(app.state, _INSTALLED, True)
    app.add_middleware(BodyLimitMiddleware)
