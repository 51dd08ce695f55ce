"""GET /api/v1/audit (filters, paging, CSV) and GET /api/v1/cases/{id}/access-log ("who has seen this case")."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from access import service as access_service
from access.schemas import SYSTEM, TokenCreate, UserCreate
from core.models import Role
from core.uow import unit_of_work
from tests.conftest import Api
from tests.samples import born_digital_pdf

NOT_AUDITORS = (Role.clerk, Role.officer, Role.focal_person, Role.client)


def audit(api: Api, role: Role = Role.auditor, **params: object) -> dict[str, Any]:
    response = api.get("/api/v1/audit", role=role, params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_the_trail_filters_by_actor_action_target_case_and_time(stack_api: Api) -> None:
    api = stack_api
    started = datetime.now(UTC)
    case = api.create_case()
    other = api.create_case(number="W.P. No. 2 of 2024")
    document = api.upload(case["id"], "a.pdf", born_digital_pdf()).json()
    for _ in range(3):
        assert api.get(f"/api/v1/cases/{case['id']}", role=Role.clerk).status_code == 200
    assert api.get(f"/api/v1/cases/{other['id']}", role=Role.clerk).status_code == 200
    assert api.get(f"/api/v1/documents/{document['id']}/file", role=Role.focal_person).status_code == 200
    clerk = api.user_ids[Role.clerk]

    by_name = audit(api, actor="test-clerk", action="case.read")
    by_id = audit(api, actor=clerk, action="case.read")
    assert by_name["total"] == by_id["total"] == 4
    assert by_name["items"] == by_id["items"]
    read = audit(api, actor="test-clerk", action="case.read", target_id=case["id"])
    assert read["total"] == 3
    item = read["items"][0]  # type: ignore[index]
    assert (item["actor"], item["user_id"], item["case_id"], item["outcome"]) == ("test-clerk (clerk)", clerk,
                                                                                  case["id"], "ok")  # fmt: skip
    assert item["sequence"] and len(item["hash"]) == 64 and len(item["previous_hash"]) == 64

    on_case = audit(api, case_id=case["id"])
    actions = {entry["action"] for entry in on_case["items"]}  # type: ignore[attr-defined]
    assert {"case.create", "document.upload", "case.read", "document.download"} <= actions
    assert audit(api, action="document.*", case_id=case["id"])["total"] == 2  # the upload and the download
    assert audit(api, action="document")["total"] == 0  # exact unless it ends in "*"

    assert audit(api, actor="test-clerk", **{"from": started.isoformat()})["total"] >= 4
    assert audit(api, actor="test-clerk", **{"to": started.isoformat()})["total"] == 0
    naive = (started + timedelta(hours=1)).replace(tzinfo=None).isoformat()  # no offset: taken as UTC
    assert audit(api, actor="test-clerk", **{"from": naive})["total"] == 0
    refused = api.get("/api/v1/audit", role=Role.auditor, params={"from": naive, "to": started.isoformat()})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"

    first = audit(api, actor="test-clerk", size=3)
    second = audit(api, actor="test-clerk", size=3, page=2)
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1  # type: ignore[arg-type]
    ids = [entry["id"] for entry in first["items"] + second["items"]]  # type: ignore[operator]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4  # newest first, no row twice


def test_only_admins_and_auditors_read_the_trail(api: Api) -> None:
    assert audit(api, role=Role.admin)["total"] > 0
    for role in NOT_AUDITORS:
        response = api.get("/api/v1/audit", role=role)
        assert response.status_code == 403, (role, response.text)
    assert api.client.get("/api/v1/audit").status_code == 401


def test_reading_the_trail_is_itself_recorded(api: Api) -> None:
    audit(api, action="search")
    latest = audit(api, action="audit.query")["items"][0]  # type: ignore[index]
    assert latest["actor"] == "test-auditor (auditor)" and latest["detail"]["filters"] == {"action": "search"}


def test_csv_export_streams_every_matching_row_with_a_header(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case()
    for _ in range(3):
        api.get(f"/api/v1/cases/{case['id']}")
    # A failed sign-in records the typed name: a spreadsheet must not run it as a formula.
    api.client.post("/api/v1/auth/login", json={"username": "=HYPERLINK(1)", "password": "wrong password"})
    expected = audit(api, case_id=case["id"])

    response = api.get("/api/v1/audit", role=Role.auditor, params={"case_id": case["id"], "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="casefile-audit-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == [
        "sequence", "id", "at", "actor", "user_id", "token_id", "address", "action", "target_type", "target_id",
        "case_id", "outcome", "detail", "previous_hash", "hash",
    ]  # fmt: skip
    assert [int(row["id"]) for row in rows] == [item["id"] for item in expected["items"]]  # type: ignore[attr-defined]
    assert {row["action"] for row in rows} == {"case.create", "case.read"}

    by_accept = api.get("/api/v1/audit", role=Role.auditor, params={"action": "auth.sign_in", "outcome": "failed"},
                        headers={"Accept": "text/csv"})  # fmt: skip
    assert by_accept.headers["content-type"].startswith("text/csv")
    failed = list(csv.DictReader(io.StringIO(by_accept.text)))
    assert [row["actor"] for row in failed] == ["'=HYPERLINK(1) (failed sign-in)"]
    exports = audit(api, action="audit.export")
    assert exports["total"] == 2  # each export is on the record


def test_csv_export_is_refused_before_it_starts(api: Api) -> None:
    assert api.get("/api/v1/audit", role=Role.officer, params={"format": "csv"}).status_code == 403
    now = datetime.now(UTC).isoformat()
    refused = api.get("/api/v1/audit", role=Role.auditor, params={"format": "csv", "from": now, "to": now})
    assert refused.status_code == 422


def officer(api: Api, name: str) -> tuple[str, str]:
    """Another officer in the test unit: (user id, token)."""
    with unit_of_work(api.settings) as session:
        person = access_service.create_user(
            session, SYSTEM, UserCreate(username=name, full_name=name, role=Role.officer, unit_id=api.unit_id)
        )
        token = access_service.create_token(session, SYSTEM, TokenCreate(name="t", user_id=person.id))[1]
        return person.id, token


def test_the_access_log_says_who_has_seen_the_case(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case()
    document = api.upload(case["id"], "a.pdf", born_digital_pdf()).json()
    url = f"/api/v1/cases/{case['id']}/access-log"
    assert api.get(url, role=Role.officer).status_code == 404  # not assigned yet: as if there were no case
    assigned = api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": api.user_ids[Role.officer]})
    assert assigned.status_code == 201, assigned.text
    _stranger, stranger_token = officer(api, f"officer-{uuid.uuid4().hex[:6]}")  # an officer not assigned

    api.get(f"/api/v1/cases/{case['id']}", role=Role.clerk)
    api.get(f"/api/v1/cases/{case['id']}", role=Role.clerk)
    api.get(f"/api/v1/documents/{document['id']}/file", role=Role.officer)
    assert api.wait_until_done(document["id"])["status"] == "indexed"
    page_image = api.get(f"/api/v1/documents/{document['id']}/pages/1/image", role=Role.focal_person)
    assert page_image.status_code == 200  # seeing a page as an image is seeing the case

    log = api.get(url, role=Role.auditor)
    assert log.status_code == 200, log.text
    body = log.json()
    viewers = {viewer["actor"]: viewer for viewer in body["viewers"]}
    assert set(viewers) == {
        "test-clerk (clerk)", "test-officer (officer)", "test-focal_person (focal_person)",
        "bootstrap (admin)",  # wait_until_done reads the document
    }  # fmt: skip
    assert viewers["test-clerk (clerk)"]["views"] == 2
    assert viewers["test-clerk (clerk)"]["user_id"] == api.user_ids[Role.clerk]
    assert viewers["test-officer (officer)"]["views"] == 1
    assert body["total"] == len(body["items"]) and {"case.create", "case.assign"} <= {
        item["action"] for item in body["items"]
    }
    assert all(item["case_id"] == case["id"] for item in body["items"])

    assert api.get(url, role=Role.officer).status_code == 200  # assigned
    assert api.get(url, role=Role.admin).status_code == 200
    for role in (Role.clerk, Role.focal_person, Role.client):  # they may see the case, not its log
        assert api.get(url, role=role).status_code == 404, role
    assert api.client.get(url, headers={"Authorization": f"Bearer {stranger_token}"}).status_code == 404
    assert api.get("/api/v1/cases/no-such-case/access-log", role=Role.auditor).status_code == 404
    assert api.get(f"/api/v1/cases/{case['id']}", role=Role.auditor).status_code in (403, 404)  # not the case
    assert api.client.get(url).status_code == 401

    looked = audit(api, action="case.access_log", target_id=case["id"])
    assert looked["total"] == 3  # the auditor, the officer and the admin


@pytest.mark.parametrize("size", [0, 501])
def test_page_sizes_are_bounded(api: Api, size: int) -> None:
    assert api.get("/api/v1/audit", role=Role.auditor, params={"size": size}).status_code == 422
