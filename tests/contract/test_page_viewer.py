"""What the viewer needs (issue 10, decision 0014), on every stack: page images (PNG or WebP, cached on disk, ETag
and 304), the boxes of a query's words on a page, boxes on search hits, and the walls around all of it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from core.models import Role
from tests.conftest import Api
from tests.samples import LEGAL_PAGES, born_digital_pdf

PROBLEM_JSON = "application/problem+json"
A4_RATIO = 841.89 / 595.28


def _indexed(api: Api, case_id: str, filename: str, content: bytes) -> str:
    response = api.upload(case_id, filename, content)
    assert response.status_code == 202, response.text
    document_id = str(response.json()["id"])
    assert api.wait_until_done(document_id)["status"] == "indexed"
    return document_id


@pytest.fixture
def paper(stack_api: Api) -> dict[str, str]:
    case = stack_api.create_case()
    return {"case_id": case["id"], "document_id": _indexed(stack_api, case["id"], "writ.pdf", born_digital_pdf())}


def _image(api: Api, document_id: str, page: int = 1, role: Role = Role.admin, **params: Any) -> Any:
    return api.get(f"/api/v1/documents/{document_id}/pages/{page}/image", role=role, params=params)


def _boxes(api: Api, document_id: str, q: str, page: int = 1, role: Role = Role.admin) -> Any:
    return api.get(f"/api/v1/documents/{document_id}/pages/{page}/boxes", role=role, params={"q": q})


def _darkest(image: Image.Image) -> int:
    darkest, _ = image.getextrema()
    assert isinstance(darkest, int)
    return darkest


def _problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["status"] == status


def test_a_page_image_is_rendered_at_the_width_asked_then_served_from_the_cache(
    stack_api: Api, paper: dict[str, str]
) -> None:
    document_id = paper["document_id"]
    first = _image(stack_api, document_id, width=600)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "image/png"
    assert first.headers["cache-control"].startswith("private, max-age=")
    image = Image.open(io.BytesIO(first.content))
    assert image.format == "PNG" and image.width == 600
    assert image.height == pytest.approx(600 * A4_RATIO, abs=2)
    # Ink where reportlab drew the first line (72 pt from the left, 72 pt from the top), paper elsewhere.
    grey = image.convert("L")
    line_top = round(600 * A4_RATIO * 62 / 841.89)
    assert _darkest(grey.crop((70, line_top, 300, line_top + 16))) < 100
    assert _darkest(grey.crop((0, 0, 600, 40))) > 200

    cached = list((Path(stack_api.settings.data_dir) / "page-images" / document_id).glob("p1-w600-*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.content
    written = cached[0].stat().st_mtime_ns
    second = _image(stack_api, document_id, width=600)
    assert second.status_code == 200 and second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert cached[0].stat().st_mtime_ns == written  # served, not rendered again

    again = stack_api.get(
        f"/api/v1/documents/{document_id}/pages/1/image",
        params={"width": 600},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    stale = stack_api.get(
        f"/api/v1/documents/{document_id}/pages/1/image", params={"width": 600}, headers={"If-None-Match": '"old"'}
    )
    assert stale.status_code == 200

    other_width = _image(stack_api, document_id, width=1000)
    assert Image.open(io.BytesIO(other_width.content)).width == 1000  # the default width, too
    assert other_width.headers["etag"] != first.headers["etag"]
    assert _image(stack_api, document_id).headers["etag"] == other_width.headers["etag"]
    webp = _image(stack_api, document_id, page=3, width=400, format="webp")
    assert webp.status_code == 200 and webp.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(webp.content)).format == "WEBP"


def test_a_page_out_of_range_or_a_width_out_of_bounds_is_refused(stack_api: Api, paper: dict[str, str]) -> None:
    document_id = paper["document_id"]
    for page in (0, len(LEGAL_PAGES) + 1, 10**12):
        _problem(_image(stack_api, document_id, page=page), 404)
        _problem(_boxes(stack_api, document_id, "writ", page=page), 404)
    for width in (5, 99, 2401):
        _problem(_image(stack_api, document_id, width=width), 422)
    _problem(_image(stack_api, document_id, format="gif"), 422)
    _problem(_boxes(stack_api, document_id, "(writ"), 400)  # the search's own query errors


def test_the_walls_hide_page_images_and_boxes(stack_api: Api, paper: dict[str, str]) -> None:
    api = stack_api
    unit = api.post("/api/v1/units", json={"name": "Ministry of Elsewhere", "kind": "ministry"})
    assert unit.status_code == 201, unit.text
    theirs = api.create_case(number="Crl. A. 7 of 2025", unit_id=unit.json()["id"])
    foreign = _indexed(api, theirs["id"], "theirs.pdf", born_digital_pdf(["Foreign writ of certiorari"]))
    sealed = _indexed(api, paper["case_id"], "sealed.pdf", born_digital_pdf(["Sealed writ of prohibition"]))
    response = api.patch(f"/api/v1/documents/{sealed}", json={"sealed": True, "seal_reason": "in camera"})
    assert response.status_code == 200, response.text

    assert _image(api, paper["document_id"], role=Role.clerk).status_code == 200
    for document_id in (foreign, sealed):
        assert _image(api, document_id).status_code == 200  # the admin sees both
        for call in (_image(api, document_id, role=Role.clerk), _boxes(api, document_id, "writ", role=Role.clerk)):
            _problem(call, 404)
            assert "writ" not in call.text.lower()
    _problem(_image(api, paper["document_id"], role=Role.auditor), 404)  # an auditor reads no case content


def test_a_text_document_has_no_page_image_and_no_boxes(stack_api: Api, paper: dict[str, str]) -> None:
    document_id = _indexed(stack_api, paper["case_id"], "note.txt", b"A plain note about the writ.")
    _problem(_image(stack_api, document_id), 404)
    boxes = _boxes(stack_api, document_id, "writ")
    assert boxes.status_code == 200 and boxes.json() == {"document_id": document_id, "page": 1, "boxes": []}
    (page,) = stack_api.get(f"/api/v1/documents/{document_id}/pages").json()["items"]
    assert page["has_boxes"] is False


def test_boxes_mark_a_phrase_where_it_was_drawn_and_hits_carry_them(stack_api: Api, paper: dict[str, str]) -> None:
    document_id = paper["document_id"]
    response = _boxes(stack_api, document_id, '"writ of mandamus" -respondents')
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"document_id", "page", "boxes"}
    assert (body["document_id"], body["page"]) == (document_id, 1)
    assert [box["text"] for box in body["boxes"]] == ["writ", "of", "mandamus"]
    for box in body["boxes"]:
        assert set(box) == {"x", "y", "w", "h", "text"}
        # reportlab drew line 3 of page 1 at 72 + 2 × 16 pt below the top, its baseline; 12 pt Helvetica.
        assert box["y"] == pytest.approx((72 + 32 - 10) / 841.89, abs=0.006)
        assert box["h"] == pytest.approx(13 / 841.89, abs=0.004)
        assert 72 / 595.28 < box["x"] < 0.9 and 0 < box["w"] < 0.2
    assert body["boxes"][0]["x"] < body["boxes"][1]["x"] < body["boxes"][2]["x"]
    assert [box["text"] for box in _boxes(stack_api, document_id, "respondents").json()["boxes"]] == ["respondents"]
    assert _boxes(stack_api, document_id, "nowhere").json()["boxes"] == []

    pages = stack_api.get(f"/api/v1/documents/{document_id}/pages").json()["items"]
    assert [page["has_boxes"] for page in pages] == [True] * len(LEGAL_PAGES)

    result = stack_api.search('"writ of mandamus" OR remanded')
    hits = {hit["page"]: hit for hit in result["hits"] if hit["document_id"] == document_id}
    assert set(hits) == {1, 3}
    assert [box["text"] for box in hits[1]["boxes"]] == ["writ", "of", "mandamus"]
    assert hits[1]["boxes"] == body["boxes"]  # the same boxes as the endpoint's
    assert [box["text"] for box in hits[3]["boxes"]] == ["remanded"]
    assert stack_api.search("mandamus", case_id=paper["case_id"], size=1)["hits"][0]["boxes"][0]["text"] == "mandamus"
