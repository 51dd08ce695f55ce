"""The sweeper sends again the jobs of documents whose job was lost, on the embedded stack as on Celery's."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from access.schemas import SYSTEM
from core.backends import build_backends
from core.models import DocumentStatus, utcnow
from core.uow import unit_of_work
from ingest import repository
from ingest import service as documents
from tests.conftest import open_api
from tests.samples import born_digital_pdf
from tests.stacks import embedded_settings


def test_lost_jobs_are_swept_while_the_app_runs(tmp_path: Path) -> None:
    settings = embedded_settings(
        tmp_path, "cf_test-bootstrap-token-0123456789", sweeper_interval_seconds=0.5, requeue_after_seconds=1.0
    )
    with open_api(settings) as api:
        case = api.create_case()
        backends = build_backends(settings)
        ids = []
        # No queue in these units of work: their jobs are lost, as when the broker was down at the commit.
        for words, status in (("queued paper", DocumentStatus.queued), ("abandoned paper", DocumentStatus.processing)):
            with unit_of_work(settings) as session:
                upload = documents.UploadRequest(case["id"], "a.pdf", io.BytesIO(born_digital_pdf([words])))
                document = documents.upload_document(session, backends, SYSTEM, upload).document
                document.status = status
                document.lease_until = utcnow() - timedelta(seconds=1)  # its worker died holding it
                ids.append(document.id)
        for document_id in ids:
            assert api.wait_until_done(document_id, timeout=60)["status"] == "indexed"
        assert api.search("paper")["total"] == 2


def test_a_sweep_sends_each_stale_document_once_per_interval(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, "cf_test-bootstrap-token-0123456789", requeue_after_seconds=60)
    with open_api(settings) as api:
        case = api.create_case()
    backends = build_backends(settings)
    with unit_of_work(settings) as session:
        upload = documents.UploadRequest(case["id"], "a.pdf", io.BytesIO(born_digital_pdf()))
        document_id = documents.upload_document(session, backends, SYSTEM, upload).document.id
    now = utcnow()
    with unit_of_work(settings) as session:
        assert documents.requeue_stale_documents(session, settings, now) == []  # queued only just now
        later = now + timedelta(seconds=61)
        assert documents.requeue_stale_documents(session, settings, later) == [document_id]
        assert documents.requeue_stale_documents(session, settings, later) == []  # its clock restarted
        stored = repository.get_document(session, document_id)
        assert stored is not None and stored.status == DocumentStatus.queued


def test_upload_files_left_by_a_killed_process_are_cleaned_at_start(tmp_path: Path) -> None:
    import os
    import time

    settings = embedded_settings(tmp_path, "cf_test-bootstrap-token-0123456789")
    staging = documents.staging_dir(settings)
    staging.mkdir(parents=True)
    stale, fresh = staging / "upload-stale", staging / "upload-fresh"
    stale.write_bytes(b"half an upload")
    fresh.write_bytes(b"an upload in progress in another process")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    with open_api(settings):
        assert not stale.exists() and fresh.exists()
