"""`casefile verify` finds each kind of damage by name on both stacks, and --repair mends the index."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer import Typer
from typer.testing import CliRunner

from cli.operations import register
from core.backends import Backends
from core.config import Settings, get_settings
from core.db import new_session
from core.models import Case, Document, DocumentStatus
from core.uow import unit_of_work
from ingest import repository as documents_repository
from ingest import service as documents
from ops.verify import Kind, verify
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore
from storage.staging import stage_upload
from tests.conftest import Api
from tests.samples import born_digital_pdf

PAPERS = {
    "missing": "The petitioner sought bail on medical grounds.",
    "corrupt": "The respondent filed a reply about the land mutation.",
    "unindexed": "The tribunal reserved its judgment on the pension dispute.",
    "healthy": "The appeal is dismissed with costs.",
}


def _backends(api: Api) -> Backends:
    backends: Backends = api.client.app.state.backends  # type: ignore[attr-defined]
    return backends


def _storage_key(settings: Settings, document_id: str) -> str:
    with new_session(settings) as session:
        return documents.get_document(session, document_id).storage_key


def _corrupt(backends: Backends, key: str) -> None:
    """Replace the blob's bytes behind the store's back (the store itself never overwrites an original)."""
    tampered = b"%PDF-1.4 tampered"
    if isinstance(backends.store, LocalBlobStore):
        (backends.store.root / key).write_bytes(tampered)
    else:
        assert isinstance(backends.store, S3BlobStore)
        backends.store.client.put_object(backends.store.bucket, key, io.BytesIO(tampered), len(tampered))


def _upload_all(api: Api, case_id: str, papers: dict[str, str]) -> dict[str, str]:
    ids = {}
    for name, text in papers.items():
        response = api.upload(case_id, f"{name}.pdf", born_digital_pdf([text, f"second page of {name}"]))
        assert response.status_code == 202, response.text
        ids[name] = response.json()["id"]
    for document_id in ids.values():
        assert api.wait_until_done(document_id)["status"] == "indexed"
    return ids


def _hits(api: Api, query: str) -> set[str]:
    return {hit["document_id"] for hit in api.search(query)["hits"]}


def test_verify_names_each_problem_and_repair_mends_the_index(stack_api: Api, tmp_path: Path) -> None:
    backends = _backends(stack_api)
    ids = _upload_all(stack_api, stack_api.create_case()["id"], PAPERS)
    drifted_case = stack_api.create_case(number="C.R. 7 of 2022", court="Peshawar High Court")
    drifted = _upload_all(stack_api, drifted_case["id"], {"drifted": "Possession of the shop was restored."})

    clean = verify(backends)
    assert clean.ok and clean.findings == []
    assert clean.documents == clean.originals == clean.indexed_documents == clean.index_documents == 5
    assert clean.blobs == 5

    # The damage: a lost original, a corrupt one, a document missing from the index, an index entry and a blob
    # with no document, and a case whose fields changed in the database without the index following.
    backends.store.delete(_storage_key(stack_api.settings, ids["missing"]))
    _corrupt(backends, _storage_key(stack_api.settings, ids["corrupt"]))
    backends.index.delete_document(ids["unindexed"])
    with new_session(stack_api.settings) as session:
        healthy = documents.get_document(session, ids["healthy"])
        ghost = [
            dataclasses.replace(entry, document_id="00000000-0000-4000-8000-00000000dead")
            for entry in documents.page_entries(healthy, documents_repository.list_pages(session, healthy.id))
        ]
    backends.index.replace_document(ghost[0].document_id, ghost)
    staged, orphan = stage_upload(io.BytesIO(b"bytes nobody refers to"), tmp_path, 1000)
    backends.store.put(orphan.key, staged, orphan)
    with unit_of_work(stack_api.settings) as session:
        case = session.get(Case, drifted_case["id"])
        assert case is not None
        case.court = "Supreme Court"  # the index still says Peshawar High Court
    assert _hits(stack_api, '"pension dispute"') == set()

    report = verify(backends)
    assert not report.ok
    found = {(finding.kind, finding.subject) for finding in report.findings}
    assert found == {
        (Kind.original_missing, ids["missing"]),
        (Kind.original_corrupt, ids["corrupt"]),
        (Kind.index_missing, ids["unindexed"]),
        (Kind.index_orphan, ghost[0].document_id),
        (Kind.index_wrong, drifted["drifted"]),
        (Kind.blob_orphan, orphan.key),
    }
    wrong = next(finding for finding in report.findings if finding.kind is Kind.index_wrong)
    assert "court 'Peshawar High Court', not 'Supreme Court'" in wrong.detail

    repaired = verify(backends, repair=True)
    outcome = {finding.kind: finding for finding in repaired.findings}
    for kind in (Kind.index_missing, Kind.index_orphan, Kind.index_wrong):
        assert outcome[kind].resolved, outcome[kind]
    assert outcome[Kind.original_missing].action == "marked failed and removed from the index"
    assert not outcome[Kind.original_missing].resolved  # the bytes are still gone
    assert outcome[Kind.blob_orphan].action == "kept (--delete-orphan-blobs deletes it)"

    # The index is whole again, and the documents whose originals are lost are failed, with the reason.
    assert _hits(stack_api, '"pension dispute"') == {ids["unindexed"]}
    assert _hits(stack_api, "appeal dismissed") == {ids["healthy"]}
    assert stack_api.search("shop", court="Supreme Court")["total"] == 1
    assert _hits(stack_api, "medical grounds") == set()
    for name, reason in (("missing", "is missing from the blob store"), ("corrupt", "does not match its record")):
        document = stack_api.get(f"/api/v1/documents/{ids[name]}").json()
        assert document["status"] == DocumentStatus.failed and reason in document["error"]

    after = verify(backends)
    assert {(finding.kind, finding.subject) for finding in after.findings} == {
        (Kind.original_missing, ids["missing"]),
        (Kind.original_corrupt, ids["corrupt"]),
        (Kind.blob_orphan, orphan.key),
    }
    # A recent orphan is kept even when deletion is asked for; an old enough one is deleted.
    young = verify(backends, repair=True, delete_orphan_blobs=True)
    assert next(f for f in young.findings if f.kind is Kind.blob_orphan).action == "kept: too recent to delete"
    deleted = verify(backends, repair=True, delete_orphan_blobs=True, orphan_grace=timedelta(0))
    assert next(f for f in deleted.findings if f.kind is Kind.blob_orphan).action == "deleted"
    assert not backends.store.exists(orphan.key)


def test_a_failed_document_left_in_the_index_is_stale(stack_api: Api) -> None:
    backends = _backends(stack_api)
    ids = _upload_all(stack_api, stack_api.create_case()["id"], {"healthy": PAPERS["healthy"]})
    with unit_of_work(stack_api.settings) as session:
        documents.mark_failed(session, ids["healthy"], "reprocessing failed")
    report = verify(backends, repair=True)
    assert [(finding.kind, finding.subject, finding.resolved) for finding in report.findings] == [
        (Kind.index_stale, ids["healthy"], True)
    ]
    assert _hits(stack_api, "appeal dismissed") == set()
    assert verify(backends).ok


@pytest.fixture
def cli_env(api: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    """The CLI reads its settings from CASEFILE_* variables: point them at the test's install."""
    monkeypatch.setenv("CASEFILE_DATA_DIR", str(api.settings.data_dir))
    monkeypatch.setenv("COLUMNS", "200")  # rich's tables fold long cells at 80 columns
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


def test_the_command_exits_non_zero_and_names_the_document(cli_env: Api) -> None:
    app = Typer()
    register(app)
    runner = CliRunner()
    ids = _upload_all(cli_env, cli_env.create_case()["id"], {"healthy": PAPERS["healthy"]})

    fine = runner.invoke(app, ["verify"])
    assert fine.exit_code == 0, fine.output
    assert "all consistent" in fine.output

    _backends(cli_env).index.delete_document(ids["healthy"])
    broken = runner.invoke(app, ["verify", "--json"])
    assert broken.exit_code == 1, broken.output
    report = json.loads(broken.stdout)  # log lines go to stderr
    assert report["ok"] is False
    assert [(finding["kind"], finding["subject"]) for finding in report["findings"]] == [
        ("index missing", ids["healthy"])
    ]

    mended = runner.invoke(app, ["verify", "--repair"])
    assert mended.exit_code == 0, mended.output
    assert "re-indexed from the database" in mended.output and "all repaired" in mended.output
    assert runner.invoke(app, ["verify"]).exit_code == 0
    assert _hits(cli_env, "appeal dismissed") == {ids["healthy"]}


def test_documents_in_flight_are_not_judged(stack_api: Api) -> None:
    backends = _backends(stack_api)
    ids = _upload_all(stack_api, stack_api.create_case()["id"], {"healthy": PAPERS["healthy"]})
    with unit_of_work(stack_api.settings) as session:
        document = session.get(Document, ids["healthy"])
        assert document is not None
        document.status = DocumentStatus.queued  # as a reprocess leaves it until its task runs
    backends.index.delete_document(ids["healthy"])
    assert verify(backends).ok


def test_a_wrong_page_count_is_found_and_mended(stack_api: Api) -> None:
    backends = _backends(stack_api)
    ids = _upload_all(stack_api, stack_api.create_case()["id"], {"healthy": PAPERS["healthy"]})
    with new_session(stack_api.settings) as session:
        document = documents.get_document(session, ids["healthy"])
        entries = documents.page_entries(document, documents_repository.list_pages(session, document.id))
    stray = dataclasses.replace(entries[0], page_number=3, text="a stray third page about adjournment")
    backends.index.replace_document(ids["healthy"], [*entries, stray])
    assert _hits(stack_api, "adjournment") == {ids["healthy"]}

    report = verify(backends, repair=True)
    assert [(finding.kind, finding.subject) for finding in report.findings] == [(Kind.index_wrong, ids["healthy"])]
    assert "page count 3, not 2" in report.findings[0].detail and report.findings[0].resolved
    assert _hits(stack_api, "adjournment") == set()
    assert verify(backends).ok
