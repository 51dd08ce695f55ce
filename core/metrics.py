"""Prometheus metrics, defined once: the API serves them on /metrics, workers on their own port.

Request metrics are recorded by api/observability.py, OCR counters by the OCR code, backend errors by the blob
stores and index engines (count_backend_error). Gauges read from the database or the broker (documents by
status, queue depth) are computed at scrape time by the API, not kept here.

Several processes (Celery's prefork pool, uvicorn --workers) each count in their own memory; set
PROMETHEUS_MULTIPROC_DIR to an empty directory before they start and metrics_registry() sums their files.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess, start_http_server

# Uploads of large scans and slow searches reach tens of seconds: the default buckets stop at 10 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

# `route` is the route template (/api/v1/documents/{document_id}), never the raw path: one series per route.
REQUESTS = Counter("casefile_http_requests_total", "HTTP requests", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "casefile_http_request_seconds", "HTTP request latency", ["method", "route"], buckets=LATENCY_BUCKETS
)
OCR_PAGES = Counter("casefile_ocr_pages_total", "Pages OCR'd")
OCR_SECONDS = Counter("casefile_ocr_seconds_total", "Wall-clock seconds spent in OCR runs")
# backend: blob_store | index | queue | database; kind: the operation that failed (put, read, list, bulk, ...).
BACKEND_ERRORS = Counter("casefile_backend_errors_total", "Errors from the index or blob store", ["backend", "kind"])

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def count_backend_error(backend: str, kind: str) -> None:
    """Count one failed call to a backend (call it where the error is turned into BackendUnavailable)."""
    BACKEND_ERRORS.labels(backend=backend, kind=kind).inc()


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROCESS_ENV))


def metrics_registry() -> CollectorRegistry:
    """What to expose: this process's registry, or in multiprocess mode one that sums every process's files."""
    if not multiprocess_mode():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def serve_worker_metrics(port: int, addr: str = "127.0.0.1") -> None:
    """Serve /metrics for a Celery worker on its own port (call once, in the worker's main process)."""
    start_http_server(port, addr=addr, registry=metrics_registry())


def mark_process_dead(pid: int) -> None:
    """Drop a finished pool process's live-gauge files (counters keep their totals); no-op outside multiprocess."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
