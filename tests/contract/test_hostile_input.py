"""Bad files get a clear 4xx or end `failed` with a reason; the original stays downloadable; nothing hangs."""

from __future__ import annotations

import os

import pytest

from tests.conftest import Api, open_stack
from tests.samples import (
    born_digital_pdf,
    elf_executable,
    encrypted_pdf,
    many_pages_pdf,
    png_bomb,
    truncated_pdf,
    urdu_scan_png,
)
from tests.stacks import STACKS


def _assert_problem(response, status: int, words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and words in body["detail"].lower()
    return dict(body)


def _assert_kept(stack_api: Api, body: dict, content: bytes) -> None:
    document = stack_api.get(f"/api/v1/documents/{body['document_id']}").json()
    assert document["status"] == "failed" and document["error"]
    assert stack_api.get(f"/api/v1/documents/{body['document_id']}/file").content == content


@pytest.mark.parametrize(
    ("filename", "make", "status", "words"),
    [
        ("random.pdf", lambda: os.urandom(64 * 1024), 415, "not supported"),
        ("setup.pdf", elf_executable, 415, "not supported"),
        ("locked.pdf", encrypted_pdf, 422, "encrypted"),
        ("truncated.pdf", truncated_pdf, 422, "damaged"),
        ("bomb.png", png_bomb, 422, "decompression bomb"),
        ("../../etc/passwd.pdf", born_digital_pdf, 422, "filename"),
    ],
)
def test_rejected_at_upload_but_kept(stack_api: Api, filename: str, make, status: int, words: str) -> None:
    case = stack_api.create_case()
    content = make()
    body = _assert_problem(stack_api.upload(case["id"], filename, content), status, words)
    _assert_kept(stack_api, body, content)
    assert stack_api.client.get("/health").status_code == 200


def test_control_characters_in_filename(stack_api: Api) -> None:
    # httpx percent-encodes such names, so send the multipart body as a hostile client would.
    case = stack_api.create_case()
    content = born_digital_pdf()
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="bad\x07name\x1b.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + content + b"\r\n--XyZ--\r\n"
    )
    response = stack_api.client.post(
        f"/api/v1/cases/{case['id']}/documents",
        content=body,
        headers=stack_api.headers() | {"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    problem = _assert_problem(response, 422, "filename")
    _assert_kept(stack_api, problem, content)
    assert stack_api.get(f"/api/v1/documents/{problem['document_id']}").json()["filename"] == "badname.pdf"


def test_415_names_the_supported_types(stack_api: Api) -> None:
    case = stack_api.create_case()
    body = _assert_problem(stack_api.upload(case["id"], "x.pdf", elf_executable()), 415, "not supported")
    assert {"application/pdf", "image/tiff", "image/png", "image/jpeg", "text/plain"} <= set(body["supported_types"])


def test_empty_file_is_422(stack_api: Api) -> None:
    case = stack_api.create_case()
    _assert_problem(stack_api.upload(case["id"], "empty.pdf", b""), 422, "empty")


def test_page_limit(stack_api: Api) -> None:
    stack_api.settings.max_pages = 5
    case = stack_api.create_case()
    content = many_pages_pdf(6)
    body = _assert_problem(stack_api.upload(case["id"], "long.pdf", content), 413, "limit is 5")
    _assert_kept(stack_api, body, content)


@pytest.mark.parametrize("stack", STACKS)
def test_upload_size_limit(stack: str, tmp_path) -> None:
    with open_stack(stack, tmp_path, max_upload_mb=1) as api:
        case = api.create_case()
        _assert_problem(api.upload(case["id"], "huge.txt", b"a" * (1024 * 1024 + 1)), 413, "1 mb")


def test_damage_found_while_processing_ends_failed(stack_api: Api) -> None:
    """A PNG whose header is fine but whose pixel data is cut off passes the upload check."""
    content = urdu_scan_png()[:20_000]
    case = stack_api.create_case()
    response = stack_api.upload(case["id"], "cut.png", content)
    assert response.status_code == 202, response.text
    document = stack_api.wait_until_done(response.json()["id"])
    assert document["status"] == "failed"
    assert "page 1 of the image is damaged" in document["error"]
    assert stack_api.get(f"/api/v1/documents/{document['id']}/file").content == content
    # The worker keeps going: a good file after the bad one is indexed.
    good = stack_api.upload(case["id"], "good.pdf", born_digital_pdf())
    assert stack_api.wait_until_done(good.json()["id"])["status"] == "indexed"
