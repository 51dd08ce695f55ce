"""Upload → extract/OCR → index → search, for born-digital and scanned papers, on every stack."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.samples import born_digital_pdf, scanned_pdf, scanned_tiff, urdu_scan_png

PHRASE_ON_PAGE = [
    ('"adequate alternate remedy of appeal"', 2),
    ('"principles of natural justice"', 1),
    ('"remanded to the competent authority"', 3),
]


@pytest.mark.parametrize(
    ("filename", "make", "expected_source"),
    [
        ("petition.pdf", born_digital_pdf, "text_layer"),
        ("scanned-order.pdf", scanned_pdf, "ocr"),
        ("scanned-judgment.tif", scanned_tiff, "ocr"),
    ],
)
def test_phrase_lands_on_the_exact_page(stack_api: Api, filename: str, make, expected_source: str) -> None:
    case = stack_api.create_case()
    response = stack_api.upload(case["id"], filename, make(), title="Judgment", doc_type="judgment")
    assert response.status_code == 202, response.text
    uploaded = response.json()
    assert uploaded["status"] in ("queued", "processing", "indexed")

    document = stack_api.wait_until_done(uploaded["id"])
    assert document["status"] == "indexed", document["error"]
    assert document["page_count"] == 3
    assert document["ocr_pages"] == (3 if expected_source == "ocr" else 0)

    pages = stack_api.get(f"/api/v1/documents/{document['id']}/pages").json()["items"]
    assert [page["source"] for page in pages] == [expected_source] * 3

    for phrase, page_number in PHRASE_ON_PAGE:
        result = stack_api.search(phrase, case_id=case["id"])
        assert result["total"] == 1, (phrase, result)
        hit = result["hits"][0]
        assert (hit["document_id"], hit["page"], hit["case_number"]) == (
            document["id"],
            page_number,
            case["number"],
        )
        assert any("<mark>" in snippet for snippet in hit["snippets"])


def test_urdu_scan_is_searchable(stack_api: Api) -> None:
    case = stack_api.create_case(number="Crl. Misc. No. 77-B of 2025")
    response = stack_api.upload(case["id"], "bail-order.png", urdu_scan_png(), language="urd")
    assert response.status_code == 202, response.text
    document = stack_api.wait_until_done(response.json()["id"])
    assert document["status"] == "indexed", document["error"]
    assert document["language"] == "urd"
    result = stack_api.search('"درخواست ضمانت"', case_id=case["id"])
    assert result["total"] == 1
    assert result["hits"][0]["page"] == 1
