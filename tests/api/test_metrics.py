"""/metrics in Prometheus format, one log line and an X-Request-ID per request, on both stacks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import structlog
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from api.limits import install_body_limits
from api.main import create_app
from api.observability import install_observability
from core.config import Settings
from tests import conftest
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_api
from tests.samples import born_digital_pdf
from tests.stacks import STACKS, embedded_settings, production_stack

DOCUMENT_ROUTE = "/api/v1/documents/{document_id}"


def wired_app(settings: Settings) -> FastAPI:
    """The app as api/main.py will build it once the lead wires the two middlewares in (idempotent)."""
    app = create_app(settings)
    install_body_limits(app)
    install_observability(app)
    return app


@contextmanager
def observed_api(settings: Settings) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conftest, "create_app", wired_app)
        with open_api(settings) as api:
            yield api


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    if request.param == "embedded":
        with observed_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN)) as api:
            yield api
        return
    with production_stack(tmp_path, BOOTSTRAP_TOKEN) as (settings, _worker), observed_api(settings) as api:
        yield api


def scrape(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = api.client.get("/metrics")  # no token: scraped like /health
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_by_route_and_documents_by_status(stack: Api) -> None:
    before = scrape(stack)
    case = stack.create_case()
    document_id = stack.upload(case["id"], "p.pdf", born_digital_pdf(["natural justice"])).json()["id"]
    assert stack.wait_until_done(document_id)["status"] == "indexed"
    for missing in ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"):
        assert stack.get(f"/api/v1/documents/{missing}").status_code == 404
    assert stack.get("/no/such/path").status_code == 404
    assert stack.client.get("/api/v1/cases").status_code == 401
    after = scrape(stack)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # By route template, never by raw path: the two unknown ids are one series.
    assert delta("casefile_http_requests_total", method="GET", route=DOCUMENT_ROUTE, status="404") == 2
    assert delta("casefile_http_requests_total", method="GET", route=DOCUMENT_ROUTE, status="200") >= 1
    assert delta("casefile_http_requests_total", method="POST", route="/api/v1/cases", status="201") == 1
    assert delta("casefile_http_requests_total", method="GET", route="/api/v1/cases", status="401") == 1
    assert delta("casefile_http_requests_total", method="GET", route="<unmatched>", status="404") == 1
    assert delta("casefile_http_request_seconds_count", method="GET", route=DOCUMENT_ROUTE) >= 3
    assert not any("00000000-0000" in str(labels) for _, labels in after)

    # Read from the database at scrape time.
    assert value(after, "casefile_documents", status="indexed") == 1
    assert value(after, "casefile_documents", status="queued") == 0
    assert value(after, "casefile_documents", status="failed") == 0
    queue = "celery" if stack.settings.broker_url else "in-process"
    assert value(after, "casefile_queue_depth", queue=queue) == 0
    assert ("casefile_queue_depth", frozenset({("queue", queue)})) in after
    # The counters the OCR code and the backends increment are exposed even before they move.
    assert ("casefile_ocr_pages_total", frozenset()) in after
    assert ("casefile_ocr_seconds_total", frozenset()) in after
    assert "# TYPE casefile_backend_errors_total counter" in stack.client.get("/metrics").text


def test_metrics_survive_a_queue_that_cannot_tell_its_depth(tmp_path: Path) -> None:
    with observed_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN)) as api:
        task_queue = api.client.app.state.task_queue  # type: ignore[attr-defined]

        def broken() -> int:
            raise RuntimeError("broker gone")

        task_queue.depth = broken
        before = scrape(api)
        after = scrape(api)
        assert not any(name == "casefile_queue_depth" for name, _ in after)
        assert value(after, "casefile_documents", status="indexed") == 0  # the rest of the scrape is intact
        errors = {"backend": "queue", "kind": "depth"}
        assert (
            value(after, "casefile_backend_errors_total", **errors)
            == value(before, "casefile_backend_errors_total", **errors) + 1
        )


def test_one_log_line_and_a_request_id_per_request(tmp_path: Path) -> None:
    with observed_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN)) as api:
        with structlog.testing.capture_logs() as logs:
            kept = api.get("/api/v1/cases", headers={"X-Request-ID": "client-req.42"})
            replaced = api.get("/api/v1/cases", headers={"X-Request-ID": "has spaces and ; " + "x" * 200})
            fresh = api.get("/api/v1/documents/unknown")
        assert kept.headers["X-Request-ID"] == "client-req.42"
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])
        assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
        assert fresh.headers["X-Request-ID"] != replaced.headers["X-Request-ID"]
        assert fresh.headers["content-type"] == "application/problem+json"  # error answers carry it too

        lines = [entry for entry in logs if entry["event"] == "http.request"]
        assert len(lines) == 3  # one per request
        assert [line["request_id"] for line in lines] == [
            "client-req.42",
            replaced.headers["X-Request-ID"],
            fresh.headers["X-Request-ID"],
        ]
        assert lines[2]["route"] == "/api/v1/documents/{document_id}"
        assert lines[2]["path"] == "/api/v1/documents/unknown"
        assert lines[2]["status"] == 404 and lines[0]["status"] == 200
        assert lines[0]["method"] == "GET" and lines[0]["duration_ms"] >= 0


WORKER_SCRIPT = """
import multiprocessing, sys, time
from core.metrics import OCR_PAGES, OCR_SECONDS, serve_worker_metrics

def ocr_in_a_pool_process() -> None:
    OCR_PAGES.inc(3)
    OCR_SECONDS.inc(1.5)

if __name__ == "__main__":
    child = multiprocessing.get_context("fork").Process(target=ocr_in_a_pool_process)
    child.start()
    child.join()
    serve_worker_metrics(int(sys.argv[1]))
    print("serving", flush=True)
    time.sleep(60)
"""


def test_a_worker_serves_the_counts_of_its_pool_processes(tmp_path: Path) -> None:
    """Celery's prefork pool counts OCR in child processes; in multiprocess mode the worker's port sums them."""
    import os
    import socket
    import subprocess
    import sys

    import httpx

    from tests.stacks import REPO

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    multiprocess_dir = tmp_path / "prometheus"
    multiprocess_dir.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER_SCRIPT)
    env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(multiprocess_dir), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, str(script), str(port)], env=env, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == b"serving"
        families = {
            family.name: family
            for family in text_string_to_metric_families(httpx.get(f"http://127.0.0.1:{port}/metrics").text)
        }
        assert families["casefile_ocr_pages"].samples[0].value == 3
        assert families["casefile_ocr_seconds"].samples[0].value == 1.5
    finally:
        process.kill()
        process.wait(timeout=10)
