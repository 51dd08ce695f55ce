"""Prometheus metrics, defined once: the API serves them on /metrics, workers on their own port."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("casefile_http_requests_total", "HTTP requests", ["method", "route", "status"])
REQUEST_SECONDS = Histogram("casefile_http_request_seconds", "HTTP request latency", ["method", "route"])
OCR_PAGES = Counter("casefile_ocr_pages_total", "Pages OCR'd")
OCR_SECONDS = Counter("casefile_ocr_seconds_total", "Wall-clock seconds spent in OCR runs")
BACKEND_ERRORS = Counter("casefile_backend_errors_total", "Errors from the index or blob store", ["backend", "kind"])
