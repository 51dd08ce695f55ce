"""Case metadata, uploads, downloads and reprocessing through the API, on every stack."""

from __future__ import annotations

from core.models import Role
from tests.conftest import Api
from tests.samples import born_digital_pdf


def test_case_round_trip_and_unique_number_per_court(stack_api: Api) -> None:
    case = stack_api.create_case(
        parties=[
            {"name": "Muhammad Ahmad", "role": "petitioner"},
            {"name": "Province of Punjab", "role": "respondent"},
        ],
        status="pending",
        filed_on="2024-03-01",
        tags=["service"],
    )
    read = stack_api.get(f"/api/v1/cases/{case['id']}").json()
    assert read["parties"][1] == {"name": "Province of Punjab", "role": "respondent"}
    assert (read["status"], read["filed_on"], read["tags"]) == ("pending", "2024-03-01", ["service"])

    duplicate = stack_api.post("/api/v1/cases", json={"number": case["number"], "title": "x", "court": case["court"]})
    assert duplicate.status_code == 409
    other_court = stack_api.post("/api/v1/cases", json={"number": case["number"], "title": "x", "court": "Sindh HC"})
    assert other_court.status_code == 201
    assert stack_api.get("/api/v1/cases/no-such-id").status_code == 404
    assert stack_api.post("/api/v1/cases", json={"number": "", "title": "x"}).status_code == 422


def test_same_bytes_twice_returns_the_existing_document(stack_api: Api) -> None:
    case = stack_api.create_case()
    content = born_digital_pdf()
    first = stack_api.upload(case["id"], "a.pdf", content)
    second = stack_api.upload(case["id"], "copy-of-a.pdf", content)
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["id"] == first.json()["id"]
    listed = stack_api.get(f"/api/v1/cases/{case['id']}/documents").json()
    assert listed["total"] == 1


def test_download_original_with_ranges(stack_api: Api) -> None:
    case = stack_api.create_case()
    content = born_digital_pdf()
    uploaded = stack_api.upload(case["id"], "Order dated 1.2.2024 (final).pdf", content).json()
    assert uploaded["content_type"] == "application/pdf" and len(uploaded["sha256"]) == 64
    url = f"/api/v1/documents/{uploaded['id']}/file"

    whole = stack_api.get(url, role=Role.focal_person)
    assert whole.status_code == 200 and whole.content == content
    assert whole.headers["content-type"] == "application/pdf"
    assert whole.headers["content-disposition"].startswith('attachment; filename="Order dated 1.2.2024 (final).pdf"')

    part = stack_api.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(content)}"
    tail = stack_api.get(url, headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == content[-5:]
    beyond = stack_api.get(url, headers={"Range": f"bytes={len(content)}-"})
    assert beyond.status_code == 416


def test_patch_case_updates_index_fields(stack_api: Api) -> None:
    case = stack_api.create_case(status="pending")
    uploaded = stack_api.upload(case["id"], "p.pdf", born_digital_pdf(), doc_type="petition").json()
    assert stack_api.wait_until_done(uploaded["id"])["status"] == "indexed"
    assert stack_api.search("mandamus", case_id=case["id"], status="pending")["total"] == 1

    response = stack_api.patch(f"/api/v1/cases/{case['id']}", json={"status": "decided", "court": "Islamabad HC"})
    assert response.status_code == 200 and response.json()["status"] == "decided"
    assert stack_api.search("mandamus", case_id=case["id"], status="pending")["total"] == 0
    result = stack_api.search("mandamus", case_id=case["id"], status="decided")
    assert result["total"] == 1
    assert result["facets"]["court"] == [{"value": "Islamabad HC", "count": 1}]
    assert result["facets"]["doc_type"] == [{"value": "petition", "count": 1}]


def test_reprocess(stack_api: Api) -> None:
    case = stack_api.create_case()
    uploaded = stack_api.upload(case["id"], "p.pdf", born_digital_pdf()).json()
    stack_api.wait_until_done(uploaded["id"])
    response = stack_api.post(f"/api/v1/documents/{uploaded['id']}/reprocess")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert stack_api.wait_until_done(uploaded["id"])["status"] == "indexed"
    assert stack_api.search("mandamus", case_id=case["id"])["total"] == 1  # replaced, not doubled


def test_roles_and_tokens(stack_api: Api) -> None:
    assert stack_api.client.get("/api/v1/cases").status_code == 401
    bad = stack_api.client.get("/api/v1/cases", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
    body = {"number": "C.P. 1 of 2025", "title": "x", "court": "Supreme Court"}
    assert stack_api.post("/api/v1/cases", role=Role.officer, json=body).status_code == 403
    assert stack_api.post("/api/v1/cases", role=Role.client, json=body).status_code == 403
    created = stack_api.post("/api/v1/cases", role=Role.clerk, json=body)
    assert created.status_code == 201 and created.json()["unit_id"] == stack_api.unit_id  # the clerk's unit
    case_url = f"/api/v1/cases/{created.json()['id']}"
    for role in (Role.focal_person, Role.client):
        assert stack_api.get(case_url, role=role).status_code == 200
        assert stack_api.get("/api/v1/search", role=role, params={"q": "x"}).status_code == 200
    assert stack_api.get(case_url, role=Role.officer).status_code == 404  # not assigned: as if it did not exist
    assert stack_api.get(case_url, role=Role.auditor).status_code == 404  # no case content for auditors
    hello = {"file": ("a.txt", b"hello")}
    assert stack_api.post(f"{case_url}/documents", role=Role.officer, files=hello).status_code == 404
    assert stack_api.post(f"{case_url}/documents", role=Role.focal_person, files=hello).status_code == 403
    assigned = stack_api.post(f"{case_url}/assignments", json={"user_id": stack_api.user_ids[Role.officer]})
    assert assigned.status_code == 201, assigned.text
    assert stack_api.get(case_url, role=Role.officer).status_code == 200
    upload = stack_api.post(f"{case_url}/documents", role=Role.officer, files=hello)
    assert upload.status_code == 202, upload.text  # an assigned officer adds documents
    assert stack_api.client.get("/health").status_code == 200
    ready = stack_api.client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", "storage", "search", "queue"}
