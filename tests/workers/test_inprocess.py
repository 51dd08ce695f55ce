"""The in-process worker resumes what a crash left behind."""

from __future__ import annotations

import io

from access.schemas import SYSTEM
from cases import service as cases_service
from cases.schemas import CaseCreate
from core.backends import build_backends
from core.config import Settings
from core.db import migrate
from core.models import DocumentStatus
from core.uow import unit_of_work
from ingest import service as documents
from tests.conftest import open_api
from tests.samples import born_digital_pdf


def test_documents_left_queued_or_processing_are_resumed(embedded_settings: Settings) -> None:
    migrate(embedded_settings)
    backends = build_backends(embedded_settings)
    ids = []
    with unit_of_work(embedded_settings) as session:
        case = cases_service.create_case(session, SYSTEM, CaseCreate(number="1", title="t", court="c"))
        for status, pages in (
            (DocumentStatus.queued, ["first paper"]),
            (DocumentStatus.processing, ["second paper"]),
        ):
            upload = documents.UploadRequest(case.id, "a.pdf", io.BytesIO(born_digital_pdf(pages)))
            outcome = documents.upload_document(session, backends, SYSTEM, upload)
            outcome.document.status = status  # as if the process died here
            ids.append(outcome.document.id)

    with open_api(embedded_settings) as api:  # a restart: the app starts its worker
        for document_id in ids:
            assert api.wait_until_done(document_id)["status"] == "indexed"
        assert api.search("paper")["total"] == 2
