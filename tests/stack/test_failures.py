"""Failures on the production stack, proved against the real processes: services are really stopped and
the Celery worker is really killed with SIGKILL."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.uow import unit_of_work
from ingest.service import get_document
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_api
from tests.samples import LEGAL_PAGES, born_digital_pdf, scanned_pdf
from tests.stacks import REPO, CeleryWorker, production_stack


def _service(name: str, action: str) -> None:
    subprocess.run(["bash", str(REPO / "scripts" / "services" / f"{name}.sh"), action], check=True,
                   capture_output=True, timeout=300)  # fmt: skip


PORTS = {"minio": 9000, "elasticsearch": 9200, "redis": 6379}


@contextmanager
def _stopped(name: str) -> Iterator[None]:
    _service(name, "stop")
    try:
        with pytest.raises(OSError):  # really down (a service started from another checkout is not ours to stop)
            socket.create_connection(("127.0.0.1", PORTS[name]), timeout=1).close()
        yield
    finally:
        _service(name, "start")


@contextmanager
def _stack(tmp_path: Path, **overrides: object) -> Iterator[tuple[CeleryWorker, Api]]:
    with production_stack(tmp_path, BOOTSTRAP_TOKEN, **overrides) as (settings, worker), open_api(settings) as api:
        yield worker, api


def _attempts(api: Api, document_id: str) -> int:
    with unit_of_work(api.settings) as session:
        return get_document(session, document_id).attempts


def _wait_for(condition, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_minio_down_at_upload_is_503_and_leaves_no_row(tmp_path: Path) -> None:
    with production_stack(tmp_path, BOOTSTRAP_TOKEN) as (settings, _worker), open_api(settings) as api:
        case = api.create_case()
        with _stopped("minio"):
            response = api.upload(case["id"], "a.pdf", born_digital_pdf())
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert "object storage" in response.json()["detail"]
            assert api.get(f"/api/v1/cases/{case['id']}/documents").json()["total"] == 0
            ready = api.client.get("/ready")
            assert ready.status_code == 503 and ready.json()["checks"]["storage"]["status"] == "unavailable"
        retried = api.upload(case["id"], "a.pdf", born_digital_pdf())
        assert retried.status_code == 202
        assert api.wait_until_done(retried.json()["id"])["status"] == "indexed"


def test_upload_while_redis_is_down_is_swept_into_the_queue_once_it_is_back(tmp_path: Path) -> None:
    # Before the sweeper, such a document stayed `queued` forever on this stack.
    fast_sweeper = {"sweeper_interval_seconds": 1.0, "requeue_after_seconds": 2.0}
    with _stack(tmp_path, **fast_sweeper) as (_worker, api):
        case = api.create_case()
        with _stopped("redis"):
            upload = api.upload(case["id"], "a.pdf", born_digital_pdf(["Swept after the broker came back."]))
            assert upload.status_code == 202, upload.text  # stored and committed: the job follows later
            reprocess = api.post(f"/api/v1/documents/{upload.json()['id']}/reprocess")
            assert reprocess.status_code == 202, reprocess.text  # the same answer as upload, not a 503
        document = api.wait_until_done(upload.json()["id"], timeout=120)
        assert document["status"] == "indexed"
        assert api.search('"Swept after the broker"')["total"] == 1


def test_elasticsearch_down_while_processing_is_retried_until_it_is_back(tmp_path: Path) -> None:
    with _stack(tmp_path, task_max_retries=10, task_retry_backoff_seconds=1.0) as (_worker, api):
        case = api.create_case()
        with _stopped("elasticsearch"):
            document_id = api.upload(case["id"], "a.pdf", born_digital_pdf()).json()["id"]
            _wait_for(lambda: _attempts(api, document_id) >= 2, 120, "the worker never retried")
            assert api.get(f"/api/v1/documents/{document_id}").json()["status"] == "processing"
        document = api.wait_until_done(document_id, timeout=300)
        assert document["status"] == "indexed", document["error"]
        assert api.search('"natural justice"', case_id=case["id"])["total"] == 1


def test_elasticsearch_down_past_the_retry_budget_fails_with_a_reason(tmp_path: Path) -> None:
    with _stack(tmp_path, task_max_retries=1, task_retry_backoff_seconds=0.2) as (_worker, api):
        case = api.create_case()
        content = born_digital_pdf()
        with _stopped("elasticsearch"):
            document_id = api.upload(case["id"], "a.pdf", content).json()["id"]
            document = api.wait_until_done(document_id, timeout=120)
        assert document["status"] == "failed"
        assert document["error"].startswith("gave up after repeated backend errors: Elasticsearch")
        assert api.get(f"/api/v1/documents/{document_id}/file").content == content
        assert api.post(f"/api/v1/documents/{document_id}/reprocess").status_code == 202
        assert api.wait_until_done(document_id)["status"] == "indexed"


def test_worker_killed_mid_ocr_loses_nothing(tmp_path: Path) -> None:
    pages = LEGAL_PAGES * 3  # nine scanned pages: long enough to kill the worker in the middle
    with _stack(tmp_path, broker_visibility_timeout_seconds=5, ocr_workers=1) as (worker, api):
        case = api.create_case()
        document_id = api.upload(case["id"], "scan.pdf", scanned_pdf(pages)).json()["id"]
        _wait_for(lambda: api.get(f"/api/v1/documents/{document_id}").json()["status"] == "processing", 60,
                  "the worker never started the document")  # fmt: skip
        time.sleep(1.0)
        worker.kill()  # SIGKILL to the worker and its pool process, mid-OCR
        assert api.get(f"/api/v1/documents/{document_id}").json()["status"] == "processing"
        worker.start()  # a replacement; the broker redelivers the unacknowledged task to it
        document = api.wait_until_done(document_id, timeout=300)
        assert document["status"] == "indexed", document["error"]
        assert (document["page_count"], document["ocr_pages"]) == (9, 9)
        assert _attempts(api, document_id) == 2
        result = api.search('"remanded to the competent authority"', case_id=case["id"])
        assert sorted(hit["page"] for hit in result["hits"]) == [3, 6, 9]
