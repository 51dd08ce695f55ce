"""The FastAPI application: a schema check and the backends at start-up, routers under /api/v1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from access import service as access_service
from api.errors import install_error_handlers
from api.limits import install_body_limits
from api.observability import install_observability
from api.openapi import install_problem_responses
from api.routers import (
    access,
    alerts,
    audit,
    calendar,
    cases,
    citations,
    deadlines,
    documents,
    health,
    hearings,
    lifecycle,
    search,
)
from api.routers import public as public_router
from api.routers import reports as reports_router
from core.backends import build_backends
from core.config import Settings, get_settings
from core.db import check_schema
from core.logging import configure_logging
from core.uow import unit_of_work
from ingest.service import clean_stale_staging
from web.app import install_web
from workers import get_task_queue

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        check_schema(settings)  # migrations run only through `casefile migrate`, never in a racing replica
        backends = build_backends(settings)
        backends.index.ensure_ready()
        clean_stale_staging(settings)
        if settings.bootstrap_token is not None:
            with unit_of_work(settings) as session:
                access_service.ensure_bootstrap_token(session, settings.bootstrap_token.get_secret_value())
        task_queue = get_task_queue(backends)
        task_queue.start()
        app.state.backends, app.state.task_queue = backends, task_queue
        yield
        task_queue.stop()

    app = FastAPI(
        title="Casefile",
        version="0.1.0",
        description="Case files and page-level full-text search for legal departments and courts.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_problem_responses(app)  # the OpenAPI schema declares every error answer as a problem body
    install_body_limits(app)  # refuses anonymous or oversize bodies before they are read
    install_observability(app)  # outermost: counts and logs every answer, refusals included
    app.include_router(health.router)
    app.include_router(calendar.router)
    for router in (
        access.router,
        cases.router,
        documents.router,
        search.router,
        audit.router,
        alerts.router,
        citations.router,
        hearings.router,
        deadlines.router,
        calendar.api_router,
        reports_router.router,
        public_router.admin_router,
        lifecycle.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(public_router.router)  # /public/case-status: no credentials, off by default
    install_web(app)  # the pages, after the API: its error handlers answer page paths with pages
    return app
