"""Backup and restore round trip on both stacks: a fresh install restored from a backup answers the same searches."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer import Typer
from typer.testing import CliRunner

from cli.operations import register
from core.backends import Backends, build_backends
from core.config import Settings, get_settings
from core.db import migrate
from ops.backup import MANIFEST, BackupError, backup, check_backup, restore
from ops.verify import Kind, verify
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_api
from tests.ops.test_verify import _corrupt, _storage_key
from tests.samples import born_digital_pdf
from tests.stacks import embedded_settings, production_stack

PAPERS = {
    "petition.pdf": born_digital_pdf(["The petitioner was denied natural justice.", "Relief is sought."]),
    "order.txt": b"Bail is granted subject to surety of two lakh rupees.",
    "reply.pdf": born_digital_pdf(["The respondent denies any breach of natural justice."]),
}
QUERIES = ('"natural justice"', "bail surety", "relief OR respondent", "petition*", "denies -bail")


def _search_results(api: Api) -> dict[str, list[tuple[str, int, str]]]:
    results = {}
    for query in QUERIES:
        hits = api.search(query)["hits"]
        results[query] = [(hit["document_id"], hit["page"], hit["case_number"]) for hit in hits]
    return results


@contextmanager
def fresh_install(source: Settings, root: Path) -> Iterator[Settings]:
    """An empty install of the same kind: new data dir; on the stack a new database, bucket and index alias."""
    root.mkdir()
    if source.database_url is None:
        yield embedded_settings(root, BOOTSTRAP_TOKEN)
        return
    with production_stack(root, BOOTSTRAP_TOKEN) as (settings, _worker):
        yield settings


def test_a_restored_install_answers_the_same_searches(stack_api: Api, tmp_path: Path) -> None:
    case = stack_api.create_case(number="W.P. 77 of 2024", court="Lahore High Court")
    other = stack_api.create_case(number="Crl. A. 3 of 2023", court="Peshawar High Court")
    ids = []
    for (filename, content), owner in zip(PAPERS.items(), (case, other, case), strict=True):
        response = stack_api.upload(owner["id"], filename, content)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    for document_id in ids:
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    before = _search_results(stack_api)
    assert all(before.values()), before  # every query finds something, so "the same" means something

    source: Backends = stack_api.client.app.state.backends  # type: ignore[attr-defined]
    directory = tmp_path / "backup"
    result = backup(source, directory)
    assert result.complete and result.documents == 3 and result.blobs == 3
    assert result.database == ("postgresql" if stack_api.settings.database_url else "sqlite")
    manifest = json.loads((directory / MANIFEST).read_text())
    assert {blob["sha256"] for blob in manifest["blobs"]} == {
        stack_api.get(f"/api/v1/documents/{document_id}").json()["sha256"] for document_id in ids
    }
    assert manifest["database"]["schema_revision"]
    with pytest.raises(BackupError, match="not empty"):
        backup(source, directory)  # never over an earlier backup

    with fresh_install(stack_api.settings, tmp_path / "fresh") as settings:
        target = build_backends(settings)
        restored = restore(target, directory)
        assert restored.documents == 3 and restored.blobs == 3 and restored.index_version
        with pytest.raises(BackupError, match="not empty"):
            restore(target, directory)  # a second restore would mix two installs
        with open_api(settings) as api:
            assert _search_results(api) == before
            for document_id, content in zip(ids, PAPERS.values(), strict=True):
                assert api.get(f"/api/v1/documents/{document_id}").json()["status"] == "indexed"
                assert api.get(f"/api/v1/documents/{document_id}/file").content == content
            # The restored install keeps working: a new upload is processed and found.
            response = api.upload(case["id"], "new.txt", b"A fresh adjournment application after restore.")
            assert api.wait_until_done(response.json()["id"])["status"] == "indexed"
            assert api.search("adjournment")["total"] == 1


def test_a_damaged_or_unfinished_backup_is_refused(api: Api, tmp_path: Path) -> None:
    case = api.create_case()
    document_id = api.upload(case["id"], "order.txt", PAPERS["order.txt"]).json()["id"]
    assert api.wait_until_done(document_id)["status"] == "indexed"
    source: Backends = api.client.app.state.backends  # type: ignore[attr-defined]
    directory = tmp_path / "backup"
    backup(source, directory)
    check_backup(directory)

    fresh = embedded_settings(tmp_path / "fresh", BOOTSTRAP_TOKEN)
    blob = next(path for path in (directory / "blobs").rglob("*") if path.is_file())
    original = blob.read_bytes()
    blob.write_bytes(original.replace(b"Bail", b"Jail"))
    with pytest.raises(BackupError, match="damaged"):
        restore(build_backends(fresh), directory)
    blob.write_bytes(original)

    unfinished = tmp_path / "unfinished"
    shutil.copytree(directory, unfinished)
    (unfinished / MANIFEST).unlink()
    with pytest.raises(BackupError, match="not a finished Casefile backup"):
        restore(build_backends(fresh), unfinished)
    assert list(build_backends(fresh).store.iter_blobs()) == []  # refused before anything was written

    migrate(fresh)  # an empty install with its schema (the API's first start) is still empty
    assert restore(build_backends(fresh), directory).documents == 1


@pytest.fixture
def cli_env(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("CASEFILE_DATA_DIR", str(api.settings.data_dir))
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


def test_the_commands_back_up_and_restore(cli_env: Api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = Typer()
    register(app)
    runner = CliRunner()
    case = cli_env.create_case()
    document_id = cli_env.upload(case["id"], "order.txt", PAPERS["order.txt"]).json()["id"]
    assert cli_env.wait_until_done(document_id)["status"] == "indexed"

    made = runner.invoke(app, ["backup", str(tmp_path / "backup")])
    assert made.exit_code == 0, made.output
    assert "1 original(s)" in made.output
    assert runner.invoke(app, ["backup", str(tmp_path / "backup")]).exit_code == 2  # not empty

    monkeypatch.setenv("CASEFILE_DATA_DIR", str(tmp_path / "fresh"))
    get_settings.cache_clear()
    checked = runner.invoke(app, ["restore", "--check", str(tmp_path / "backup")])
    assert checked.exit_code == 0, checked.output
    assert "ready to restore" in checked.output
    done = runner.invoke(app, ["restore", str(tmp_path / "backup")])
    assert done.exit_code == 0, done.output
    assert "search index rebuilt" in done.output
    with open_api(get_settings()) as api:
        assert [hit["document_id"] for hit in api.search("bail surety")["hits"]] == [document_id]


def test_lost_originals_come_back_from_a_backup(stack_api: Api, tmp_path: Path) -> None:
    """verify finds a lost and a corrupt original; restore --originals-only puts them back in the live install."""
    case = stack_api.create_case()
    ids = [stack_api.upload(case["id"], name, content).json()["id"] for name, content in PAPERS.items()]
    for document_id in ids:
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    backends: Backends = stack_api.client.app.state.backends  # type: ignore[attr-defined]
    backup(backends, tmp_path / "backup")

    backends.store.delete(_storage_key(stack_api.settings, ids[0]))
    _corrupt(backends, _storage_key(stack_api.settings, ids[1]))
    found = {(finding.kind, finding.subject) for finding in verify(backends).findings}
    assert found == {(Kind.original_missing, ids[0]), (Kind.original_corrupt, ids[1])}

    app = Typer()
    register(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("cli.operations._backends", lambda check=True: backends)
        result = CliRunner().invoke(app, ["restore", "--originals-only", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "put back 2 original(s); 1 were already intact" in result.output
    assert verify(backends).ok
    for document_id, content in zip(ids, PAPERS.values(), strict=True):
        assert stack_api.get(f"/api/v1/documents/{document_id}/file").content == content
