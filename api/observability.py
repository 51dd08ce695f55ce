"""Per-request observability and /metrics.

A pure ASGI middleware gives every request an id (a sane incoming X-Request-ID is kept, otherwise a new one), binds
it to structlog's context so every log line of the request carries it, echoes it in X-Request-ID, records Prometheus
request metrics by route template, and writes one structured log line when the request ends.

GET /metrics serves the process's metrics (core/metrics.py) plus gauges read at scrape time: documents by status
from the database and the task queue's depth. It needs no token, like /health: expose it only to the scraper.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.config import Settings
from core.db import new_session
from core.metrics import REQUEST_SECONDS, REQUESTS, count_backend_error, metrics_registry
from core.models import Document, DocumentStatus

log = structlog.get_logger(__name__)
HTTP_LOGGER = "casefile.http"

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a little punctuation, bounded: whatever a client sends ends up in logs and headers.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}$")
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "<unmatched>"  # 404s: one series for every unknown path, not one per path probed
_INSTALLED = "casefile_observability_installed"
_KNOWN_ROUTES = "casefile_known_routes"


def request_id_from(headers: Headers) -> str:
    incoming = headers.get(REQUEST_ID_HEADER, "")
    return incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The path template of the route that answers (/api/v1/documents/{document_id}), for metrics and logs.

    FastAPI keeps included routers nested, so the matched route's own path lacks the router's prefix: the prefix is
    whatever part of the request path comes before what the route's pattern matches. A request answered before
    routing (a refusal by the body limits) is matched against the app's documented paths instead."""
    route = scope.get("route")
    pattern, template = getattr(route, "path_regex", None), getattr(route, "path", None)
    if isinstance(pattern, re.Pattern) and isinstance(template, str):
        path: str = scope["path"]
        for start in (index for index, character in enumerate(path) if character == "/"):
            if pattern.match(path[start:]):
                return path[:start] + template
    return _match_known_route(scope)


def _known_routes(app: Any) -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
    """Every route's full template, compiled once per app: the OpenAPI paths, and the undocumented top-level
    routes (/metrics, /docs). Literal templates first, so /cases/search would win over /cases/{case_id}."""
    known: list[tuple[re.Pattern[str], str, frozenset[str]]] | None = getattr(app.state, _KNOWN_ROUTES, None)
    if known is not None:
        return known
    templates: dict[str, set[str]] = {}
    try:
        for template, operations in app.openapi().get("paths", {}).items():
            templates.setdefault(template, set()).update(method.upper() for method in operations)
    except Exception as error:  # a schema that cannot be built must not break the request being logged
        log.warning("observability.no_openapi_paths", reason=str(error))
    for route in app.routes:
        if isinstance(getattr(route, "path", None), str):
            templates.setdefault(route.path, set()).update(getattr(route, "methods", None) or ())
    known = sorted(
        ((compile_path(template)[0], template, frozenset(methods)) for template, methods in templates.items()),
        key=lambda item: (item[1].count("{"), item[1]),
    )
    setattr(app.state, _KNOWN_ROUTES, known)
    return known


def _match_known_route(scope: Scope) -> str:
    app = scope.get("app")
    if app is None:
        return UNMATCHED_ROUTE
    path_only: str | None = None
    for pattern, template, methods in _known_routes(app):
        if pattern.match(scope["path"]):
            if not methods or scope["method"] in methods:
                return template
            path_only = path_only or template  # the path is known but not the method (405)
    return path_only or UNMATCHED_ROUTE


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = request_id  # request.state.request_id for handlers
        status = 500  # what the server answers if the application raises before starting a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self._record(scope, request_id, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, request_id: str, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        route = route_template(scope)
        REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        REQUEST_SECONDS.labels(method=method, route=route).observe(seconds)
        client = scope.get("client")
        fields: dict[str, Any] = {
            "request_id": request_id,
            "method": method,
            "route": route,
            "path": scope["path"],  # never the query string: search terms stay in the audit log
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
            "client": client[0] if client else None,
        }
        # A fresh logger each time: a cached one would keep the configuration of its first use.
        logger = structlog.get_logger(HTTP_LOGGER)
        if status >= 500:
            logger.error("http.request", **fields)
        else:
            logger.info("http.request", **fields)


class ScrapeTimeCollector(Collector):
    """Gauges that are read from the database and the broker when Prometheus scrapes, not kept in memory."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        backends = getattr(self.app.state, "backends", None)
        if backends is not None:
            documents = self._documents_by_status(backends.settings)
            if documents is not None:
                yield documents
        task_queue = getattr(self.app.state, "task_queue", None)
        if task_queue is not None:
            depth = self._queue_depth(task_queue)
            if depth is not None:
                yield depth

    @staticmethod
    def _documents_by_status(settings: Settings) -> Metric | None:
        try:
            with new_session(settings) as session:  # read only: closed without a commit
                rows = session.execute(select(Document.status, func.count()).group_by(Document.status)).all()
        except SQLAlchemyError as error:
            count_backend_error("database", "metrics")
            log.warning("metrics.documents_unavailable", reason=str(error))
            return None
        counts = {status.value: 0 for status in DocumentStatus}
        for status, count in rows:
            counts[DocumentStatus(status).value] = int(count)
        gauge = GaugeMetricFamily("casefile_documents", "Documents by processing status", labels=["status"])
        for value, count in counts.items():
            gauge.add_metric([value], count)
        return gauge

    @staticmethod
    def _queue_depth(task_queue: Any) -> Metric | None:
        # Any failure (an unreachable broker, a queue that cannot tell) leaves the gauge out of this scrape.
        try:
            depth = int(task_queue.depth())
        except Exception as error:
            count_backend_error("queue", "depth")
            log.warning("metrics.queue_depth_unavailable", queue=getattr(task_queue, "name", "?"), reason=str(error))
            return None
        gauge = GaugeMetricFamily("casefile_queue_depth", "Jobs waiting in the task queue", labels=["queue"])
        gauge.add_metric([str(getattr(task_queue, "name", "unknown"))], depth)
        return gauge


def metrics_body(app: FastAPI) -> bytes:
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(ScrapeTimeCollector(app))
    # Scrape-time gauges first, so an error they count shows up in this same scrape.
    live = generate_latest(scraped)
    return generate_latest(metrics_registry()) + live


def install_observability(app: FastAPI) -> None:
    """Add the middleware (outermost: call it after install_body_limits) and GET /metrics; a second call is a
    no-op."""
    if getattr(app.state, _INSTALLED, False):
        return
    setattr(app.state, _INSTALLED, True)
    app.add_middleware(ObservabilityMiddleware)

    def metrics(request: Request) -> Response:
        return Response(metrics_body(request.app), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False, tags=["health"])
