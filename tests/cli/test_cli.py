"""The `casefile` command line against the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from access import service as access_service
from core.config import Settings, get_settings
from core.db import migrate
from core.uow import unit_of_work
from tests.samples import born_digital_pdf, truncated_pdf

runner = CliRunner()


@pytest.fixture
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CASEFILE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CASEFILE_OCR_WORKERS", "2")
    get_settings.cache_clear()
    migrate(get_settings())
    yield get_settings()
    get_settings.cache_clear()


def test_import_is_resumable_and_searchable(cli_settings: Settings, tmp_path: Path) -> None:
    from cli.main import app

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "petition.pdf").write_bytes(born_digital_pdf())
    (papers / "notes.txt").write_text("Hearing adjourned to next week at the request of counsel.")
    (papers / "broken.pdf").write_bytes(truncated_pdf())
    arguments = ["import", str(papers), "--case", "W.P. 9 of 2024", "--court", "Lahore High Court"]

    first = runner.invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert "imported 2, skipped 0 already imported, 1 rejected" in first.output
    again = runner.invoke(app, arguments)
    assert "imported 0, skipped 3 already imported, 0 rejected" in again.output

    found = runner.invoke(app, ["search", '"hearing adjourned"'])
    assert found.exit_code == 0 and "1 page(s) match" in found.output and "W.P. 9 of 2024" in found.output
    bad = runner.invoke(app, ["search", "-only"])
    assert bad.exit_code == 2


def test_tokens_create_prints_a_working_token_once(cli_settings: Settings) -> None:
    from cli.main import app

    unit_id = runner.invoke(app, ["units", "create", "Registry", "--kind", "court"]).stdout.strip()
    created = runner.invoke(
        app, ["users", "create", "amna", "--role", "clerk", "--unit", "Registry", "--password-stdin"],
        input="a long enough password\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    user_id = created.stdout.strip().splitlines()[-1]
    result = runner.invoke(app, ["tokens", "create", "--user", "amna", "--name", "laptop", "--expires-in-days", "30"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    with unit_of_work(cli_settings) as session:
        principal = access_service.authenticate_token(session, token)
    assert principal is not None and principal.role == "clerk" and principal.user_id == user_id
    assert principal.unit_id == unit_id
    assert runner.invoke(app, ["tokens", "create", "--name", "x", "--role", "judge"]).exit_code != 0
    assert runner.invoke(app, ["tokens", "create", "--name", "x", "--user", "nobody"]).exit_code == 1
    assert runner.invoke(app, ["users", "create", "x", "--role", "clerk", "--unit", "Nowhere"]).exit_code == 1


def test_reprocess_failed(cli_settings: Settings, tmp_path: Path) -> None:
    from cli.main import app

    assert "nothing to reprocess" in runner.invoke(app, ["reprocess", "--failed"]).output
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "broken.pdf").write_bytes(truncated_pdf())
    runner.invoke(app, ["import", str(papers), "--case", "1", "--court", "c"])
    result = runner.invoke(app, ["reprocess", "--failed"])
    assert result.exit_code == 0, result.output
    with unit_of_work(cli_settings) as session:
        from ingest.service import failed_documents, get_document

        (document_id,) = failed_documents(session)
        assert "damaged" in (get_document(session, document_id).error or "")


def test_commands_refuse_an_outdated_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.main import app

    monkeypatch.setenv("CASEFILE_DATA_DIR", str(tmp_path / "fresh"))
    get_settings.cache_clear()
    try:
        refused = runner.invoke(app, ["search", "bail"])
        assert refused.exit_code == 2
        assert "casefile migrate" in refused.output
        assert runner.invoke(app, ["migrate"]).exit_code == 0
        assert runner.invoke(app, ["search", "bail"]).exit_code == 0
    finally:
        get_settings.cache_clear()
