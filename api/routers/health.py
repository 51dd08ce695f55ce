"""Liveness and readiness, outside /api/v1 and without auth, for load balancers and orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import BackendsDep, QueueDep
from core.db import get_engine
from core.errors import CasefileError

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    responses={
        503: {
            "description": "a backend is unavailable: the same body, with its check marked unavailable",
            "content": {"application/json": {}},
        }
    },
)
def ready(backends: BackendsDep, task_queue: QueueDep) -> JSONResponse:
    def database() -> None:
        with get_engine(backends.settings.resolved_database_url).connect() as connection:
            connection.execute(text("SELECT 1"))

    checks: dict[str, Any] = {}
    for name, backend, probe in (
        ("database", get_engine(backends.settings.resolved_database_url).dialect.name, database),
        ("storage", backends.store.name, backends.store.ping),
        ("search", backends.index.name, backends.index.ping),
        ("queue", task_queue.name, task_queue.ping),
    ):
        try:
            probe()
            checks[name] = {"backend": backend, "status": "ok"}
        except Exception as error:  # every failure is reported, none raised
            detail = error.detail if isinstance(error, CasefileError) else f"{type(error).__name__}: {error}"
            checks[name] = {"backend": backend, "status": "unavailable", "detail": detail}
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status_code=200 if healthy else 503
    )
