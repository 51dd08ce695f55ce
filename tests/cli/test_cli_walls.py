"""`casefile search --as-user` keeps to the user's walls (issue 9): a word planted in a document the user may not
see (another unit's case, or a sealed document in their own unit's case) never reaches the terminal."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from core.config import Settings, get_settings
from core.db import migrate
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_api

runner = CliRunner()
FORBIDDEN = "zqcliforbiddenzq"  # in another unit's case
SEALED = "zqclisealedzq"  # in a sealed document of the clerk's own unit's case
ALLOWED = "zqcliallowedzq"  # in an ordinary document of the clerk's own unit's case
FORBIDDEN_NUMBER = "CLI-FORBIDDEN-7"
SEALED_TITLE = "sealed statement"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The CLI's settings (from the environment) and, made through the API on the same data: a case of another
    unit with FORBIDDEN, and a case of the test unit with ALLOWED and a sealed document with SEALED."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("CASEFILE_DATA_DIR", str(tmp_path_factory.mktemp("cli-walls") / "data"))
        monkeypatch.setenv("CASEFILE_OCR_WORKERS", "2")
        monkeypatch.setenv("CASEFILE_BOOTSTRAP_TOKEN", BOOTSTRAP_TOKEN)
        get_settings.cache_clear()
        try:
            yield _plant(get_settings())
        finally:
            get_settings.cache_clear()


def _plant(settings: Settings) -> dict[str, str]:
    migrate(settings)
    with open_api(settings) as api:
        unit = api.post("/api/v1/units", json={"name": "Ministry of Elsewhere", "kind": "ministry"})
        assert unit.status_code == 201, unit.text
        foreign = api.create_case(FORBIDDEN_NUMBER, title=f"{FORBIDDEN} v. State", unit_id=unit.json()["id"])
        own = api.create_case("CLI-OWN-1")
        documents = [
            _upload(api, foreign["id"], "foreign.txt", f"Affidavit mentioning {FORBIDDEN} in full.\n"),
            _upload(api, own["id"], "own.txt", f"Order mentioning {ALLOWED} in full.\n"),
            sealed := _upload(api, own["id"], "sealed.txt", f"Statement mentioning {SEALED} in full.\n"),
        ]
        for document_id in documents:
            assert api.wait_until_done(document_id, timeout=120)["status"] == "indexed"
        body = {"sealed": True, "seal_reason": "in camera", "title": SEALED_TITLE}
        response = api.patch(f"/api/v1/documents/{sealed}", json=body)
        assert response.status_code == 200, response.text
    return {"foreign": foreign["id"], "own": own["id"]}


def _upload(api: Api, case_id: str, filename: str, text: str) -> str:
    response = api.upload(case_id, filename, text.encode())
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


@pytest.fixture
def wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no word is folded across lines: what is not printed whole is not printed."""
    from cli.main import console

    monkeypatch.setattr(console, "width", 400)


def search(query: str, *options: str) -> tuple[int, str]:
    """The exit code and the output, with the table title's echo of the query itself taken out."""
    from cli.main import app

    result = runner.invoke(app, ["search", query, *options])
    return result.exit_code, result.output.replace(f"match {query!r}", "match <the query>")


def matches(output: str) -> int:
    found = re.search(r"(\d+) page\(s\) match", output)
    assert found, output
    return int(found.group(1))


def test_the_operator_and_the_owner_find_the_planted_words(planted: dict[str, str], wide_console: None) -> None:
    """The positive control: the words are indexed, and the table prints them whole."""
    code, output = search(FORBIDDEN)
    assert code == 0 and matches(output) == 1 and FORBIDDEN_NUMBER in output and FORBIDDEN in output, output
    code, output = search(ALLOWED, "--as-user", "test-clerk")
    assert code == 0 and matches(output) == 1 and "CLI-OWN-1" in output and ALLOWED in output, output


@pytest.mark.parametrize("word", [FORBIDDEN, SEALED], ids=["other unit", "sealed document"])
@pytest.mark.parametrize("user", ["test-clerk", "test-focal_person", "test-client", "test-officer", "test-auditor"])
def test_search_as_a_user_does_not_show_a_forbidden_word(
    planted: dict[str, str], wide_console: None, user: str, word: str
) -> None:
    code, output = search(word, "--as-user", user)
    assert code in (0, 2), output  # an answer with nothing in it, or a refusal
    assert word not in output and FORBIDDEN_NUMBER not in output and SEALED_TITLE not in output, output
    if code == 0:
        assert matches(output) == 0, output
    # Narrowing to the forbidden case, or a prefix of the word, shows nothing either.
    for arguments in ((word, "--case-id", planted["foreign"]), (word[:8] + "*",)):
        code, output = search(*arguments, "--as-user", user)
        assert word not in output and FORBIDDEN_NUMBER not in output, output
        assert code == 2 or matches(output) == 0, output


def test_search_as_an_unknown_user_is_refused(planted: dict[str, str]) -> None:
    code, output = search(FORBIDDEN, "--as-user", "nobody-at-all")
    assert code == 2 and "no user named" in output and FORBIDDEN not in output, output
