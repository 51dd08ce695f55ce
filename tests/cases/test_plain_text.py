"""Control characters in case and document text are refused the same way on both stacks (PostgreSQL cannot store
NUL; SQLite would, so without the schema check the stacks would differ)."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.samples import born_digital_pdf


@pytest.mark.parametrize(
    "fields",
    [
        {"title": "Ahmad\x00 v. Province"},
        {"court": "Lahore\x07 High Court"},
        {"case_type": "writ\x00"},
        {"parties": [{"name": "Ahmad\x00", "role": "petitioner"}]},
        {"tags": ["service\x1b"]},
    ],
)
def test_control_characters_in_a_case_are_a_422_problem(stack_api: Api, fields: dict[str, object]) -> None:
    response = stack_api.post(
        "/api/v1/cases",
        json={"number": "W.P. 1 of 2024", "title": "t", "court": "c", "unit_id": stack_api.unit_id} | fields,
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert stack_api.get("/api/v1/cases").json()["total"] == 0  # nothing was stored


def test_line_breaks_in_a_title_fold_to_spaces(stack_api: Api) -> None:
    case = stack_api.create_case(title="Ahmad\n v.\tProvince")
    assert case["title"] == "Ahmad v. Province"
    refused = stack_api.patch(f"/api/v1/cases/{case['id']}", json={"seal_reason": "in camera\x00"})
    assert refused.status_code == 422, refused.text


def test_control_characters_in_a_document_title_are_a_422_problem(stack_api: Api) -> None:
    case = stack_api.create_case()
    upload = stack_api.upload(case["id"], "a.pdf", born_digital_pdf(["bail"]), title="Reply\x00")
    assert upload.status_code == 422, upload.text
    document = stack_api.upload(case["id"], "a.pdf", born_digital_pdf(["bail"])).json()
    patched = stack_api.patch(f"/api/v1/documents/{document['id']}", json={"title": "Reply\x00"})
    assert patched.status_code == 422, patched.text
