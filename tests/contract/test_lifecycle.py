"""The case lifecycle (issue 12, decision 0021) on both stacks: transitions and their history, decisions, assignment
(lead and assisting, acknowledgement, the unacknowledged flag, reassignment, suggestions), the timeline, comments
with @mentions, requests for comments, and the walls on every new case route. The clock is passed to the service
(`now`), never slept on."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from access.service import principal_for
from cases import lifecycle
from core.models import Assignment, CaseStatus, Role, User
from core.uow import unit_of_work
from tests.conftest import Api

TRANSITIONS = {status.value: [each.value for each in lifecycle.TRANSITIONS[status]] for status in CaseStatus}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _number() -> str:
    return f"W.P. {uuid.uuid4().hex[:8]} of 2025"


def _user(api: Api, role: str, unit_id: str | None = None, **fields: Any) -> tuple[dict[str, Any], dict[str, str]]:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    body = {"username": name, "full_name": f"{role.title()} {name[-8:]}", "role": role,
            "unit_id": unit_id or api.unit_id} | fields  # fmt: skip
    user = _ok(api.post("/api/v1/users", json=body), 201)
    token = _ok(api.post("/api/v1/tokens", json={"name": "t", "user_id": user["id"]}), 201)["token"]
    return user, {"Authorization": f"Bearer {token}"}


def _assign(api: Api, case_id: str, user_id: str, **fields: Any) -> dict[str, Any]:
    body = {"user_id": user_id} | fields
    return dict(_ok(api.post(f"/api/v1/cases/{case_id}/assignments", json=body), 201))


def test_every_disallowed_transition_is_409_with_what_is_allowed_and_changes_keep_their_history(
    stack_api: Api,
) -> None:
    api = stack_api
    for status, allowed in TRANSITIONS.items():
        case = api.create_case(number=_number(), status=status)
        for target in TRANSITIONS:
            if target == status or target in allowed:
                continue
            response = api.patch(f"/api/v1/cases/{case['id']}", json={"status": target, "reason": "try"})
            assert response.status_code == 409, (status, target, response.text)
            problem = response.json()
            assert response.headers["content-type"].startswith("application/problem+json")
            assert problem["allowed"] == allowed and problem["current"] == status, (status, target, problem)
        assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["status"] == status  # nothing changed
        for target in allowed:  # each allowed move works, on a case of its own
            other = api.create_case(number=_number(), status=status)
            moved = _ok(api.patch(f"/api/v1/cases/{other['id']}", json={"status": target, "reason": f"to {target}"}))
            assert moved["status"] == target

    case = api.create_case(number=_number())
    assert case["status"] == "intake"
    for target, reason in (("pending", "notice issued"), ("reserved", "arguments heard"), ("pending", "re-hearing")):
        _ok(api.patch(f"/api/v1/cases/{case['id']}", json={"status": target, "reason": reason}))
    _ok(api.patch(f"/api/v1/cases/{case['id']}", role=Role.clerk, json={"status": "closed", "reason": "withdrawn"}))
    history = _ok(api.get(f"/api/v1/cases/{case['id']}/status-history"))
    assert history["status"] == "closed" and history["allowed"] == []
    moves = [(each["from_status"], each["to_status"], each["reason"]) for each in history["history"]]
    assert moves == [
        (None, "intake", "registered"),
        ("intake", "pending", "notice issued"),
        ("pending", "reserved", "arguments heard"),
        ("reserved", "pending", "re-hearing"),
        ("pending", "closed", "withdrawn"),
    ]
    assert history["history"][-1]["actor"] == "test-clerk (clerk)"
    assert history["history"][-1]["user_id"] == api.user_ids[Role.clerk]
    times = [each["at"] for each in history["history"]]
    assert times == sorted(times)


def test_a_decision_records_date_outcome_and_judgment_and_decides_the_case(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number=_number(), status="reserved")
    other = api.create_case(number=_number())
    judgment = _ok(api.upload(case["id"], "judgment.txt", b"The petition is allowed.", doc_type="judgment"), 202)
    elsewhere = _ok(api.upload(other["id"], "other.txt", b"Another case's paper."), 202)
    url = f"/api/v1/cases/{case['id']}/decision"
    bad = {"decided_on": "2025-03-01", "outcome": "in_favour", "judgment_document_id": elsewhere["id"]}
    assert api.post(url, json=bad).status_code == 422
    assert api.post(url, json={"decided_on": "2025-03-01", "outcome": "in favour"}).status_code == 422
    body = {"decided_on": "2025-03-01", "outcome": "dismissed_as_withdrawn", "judgment_document_id": judgment["id"]}
    decision = _ok(api.post(url, role=Role.clerk, json=body), 201)
    assert (decision["decided_on"], decision["outcome"]) == ("2025-03-01", "dismissed_as_withdrawn")
    assert decision["judgment_document_id"] == judgment["id"]
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["status"] == "decided"
    again = api.post(url, json={"decided_on": "2025-03-02", "outcome": "against"})
    assert again.status_code == 409 and again.json()["allowed"] == ["appeal", "closed"]
    last = _ok(api.get(f"/api/v1/cases/{case['id']}/status-history"))["history"][-1]
    assert (last["from_status"], last["to_status"]) == ("reserved", "decided")
    assert "dismissed_as_withdrawn" in last["reason"]
    # In appeal, the case is decided again: a second decision row.
    _ok(api.patch(f"/api/v1/cases/{case['id']}", json={"status": "appeal", "reason": "ICA filed"}))
    _ok(api.post(url, json={"decided_on": "2025-09-01", "outcome": "partly"}), 201)


def test_assignment_roles_acknowledgement_and_the_unacknowledged_flag(stack_api: Api) -> None:
    api = stack_api
    lead, lead_headers = _user(api, "officer")
    helper, helper_headers = _user(api, "officer")
    case = api.create_case(number=_number())
    first = _assign(api, case["id"], lead["id"], note="please appear on Monday")
    assert (first["role"], first["note"], first["acknowledged_at"], first["unacknowledged"]) == (
        "lead", "please appear on Monday", None, False)  # fmt: skip
    assert _ok(api.get(f"/api/v1/cases/{case['id']}"))["status"] == "assigned"  # intake -> assigned on its own
    change = _ok(api.get(f"/api/v1/cases/{case['id']}/status-history"))["history"][-1]
    assert (change["from_status"], change["to_status"]) == ("intake", "assigned")
    second = _assign(api, case["id"], helper["id"])
    assert second["role"] == "assisting"
    clash = api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": helper["id"], "role": "lead"})
    assert clash.status_code == 201 and clash.json()["id"] == second["id"]  # already on it: the same assignment
    third_officer, _ = _user(api, "officer")
    refused = api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": third_officer["id"], "role": "lead"})
    assert refused.status_code == 409 and refused.json()["lead_user_id"] == lead["id"]

    # Only the assigned officer acknowledges: a colleague on the case gets 403, an officer off it 404.
    acknowledge = f"/api/v1/assignments/{first['id']}/acknowledge"
    assert api.client.post(acknowledge, headers=helper_headers).status_code == 403
    assert api.post(acknowledge, role=Role.officer).status_code == 404
    done = _ok(api.client.post(acknowledge, headers=lead_headers))
    assert done["acknowledged_at"] is not None and done["unacknowledged"] is False

    # The flag, with the clock controlled: the helper's assignment is due in 3 days (the default setting).
    with unit_of_work(api.settings) as session:
        admin = principal_for(session.get(User, api.user_ids[Role.clerk]))
        row = session.get(Assignment, second["id"])
        assert row is not None and row.acknowledge_by is not None
        assert row.acknowledge_by - row.created_at == dt.timedelta(days=3)
        later = row.created_at + dt.timedelta(days=3, minutes=1)
        assert not row.unacknowledged_at(row.created_at + dt.timedelta(days=2, hours=23))
        assert row.unacknowledged_at(later)
        flagged = lifecycle.current_assignments(session, admin, unacknowledged=True, now=later)
        assert second["id"] in {each.id for each in flagged} and first["id"] not in {each.id for each in flagged}
        row.acknowledge_by = row.created_at - dt.timedelta(seconds=1)  # as if the days had passed
    listed = _ok(api.get("/api/v1/assignments", params={"unacknowledged": "true"}))
    assert [each["id"] for each in listed["items"] if each["case_id"] == case["id"]] == [second["id"]]
    assert listed["items"][0]["unacknowledged"] is True
    current = _ok(api.get(f"/api/v1/cases/{case['id']}"))["assignments"]
    assert {each["id"]: each["unacknowledged"] for each in current} == {first["id"]: False, second["id"]: True}
    own = _ok(api.client.get("/api/v1/assignments", headers=helper_headers, params={"unacknowledged": "true"}))
    assert [each["id"] for each in own["items"]] == [second["id"]]
    _ok(api.client.post(f"/api/v1/assignments/{second['id']}/acknowledge", headers=helper_headers))
    assert _ok(api.client.get("/api/v1/assignments", headers=helper_headers,
                              params={"unacknowledged": "true"}))["items"] == []  # fmt: skip


def test_reassignment_needs_a_reason_and_keeps_the_history(stack_api: Api) -> None:
    api = stack_api
    first, first_headers = _user(api, "officer")
    second, second_headers = _user(api, "officer")
    case = api.create_case(number=_number())
    lead = _assign(api, case["id"], first["id"])
    url = f"/api/v1/cases/{case['id']}/reassign"
    assert (
        api.post(url, json={"from_user_id": first["id"], "to_user_id": second["id"], "reason": ""}).status_code == 422
    )
    assert api.post(url, json={"from_user_id": first["id"], "to_user_id": second["id"]}).status_code == 422
    body = {"from_user_id": first["id"], "to_user_id": second["id"], "reason": "transferred to Karachi"}
    new = _ok(api.post(url, role=Role.clerk, json=body), 201)
    assert (new["user_id"], new["role"]) == (second["id"], "lead")
    listing = _ok(api.get(f"/api/v1/cases/{case['id']}/assignments"))
    assert [each["id"] for each in listing["current"]] == [new["id"]]
    [ended] = listing["history"]
    assert ended["id"] == lead["id"] and ended["ended_at"] is not None
    assert "transferred to Karachi" in ended["ended_reason"] and ended["ended_by"] == "test-clerk (clerk)"
    # The walls follow: the officer it was taken from no longer sees the case; the new one does.
    assert api.client.get(f"/api/v1/cases/{case['id']}", headers=first_headers).status_code == 404
    assert api.client.get(f"/api/v1/cases/{case['id']}", headers=second_headers).status_code == 200
    # Ending an assignment with a reason keeps it too; the officer may be assigned again later.
    _ok(api.post(url, json={"from_user_id": second["id"], "to_user_id": first["id"], "reason": "back from leave"}), 201)
    current = _ok(api.get(f"/api/v1/cases/{case['id']}/assignments"))["current"][0]
    response = api.client.delete(f"/api/v1/cases/{case['id']}/assignments/{current['id']}",
                                 headers=api.headers(), params={"reason": "retired"})  # fmt: skip
    assert response.status_code == 204
    listing = _ok(api.get(f"/api/v1/cases/{case['id']}/assignments"))
    assert listing["current"] == [] and len(listing["history"]) == 3
    assert listing["history"][-1]["ended_reason"] == "retired"


def test_suggestions_rank_by_specialisation_court_and_workload_with_reasons(stack_api: Api) -> None:
    api = stack_api
    unit = _ok(api.post("/api/v1/units", json={"name": f"Solicitor {uuid.uuid4().hex[:6]}", "kind": "law_office"}), 201)
    specialist, _ = _user(api, "officer", unit["id"])
    regular, _ = _user(api, "officer", unit["id"])
    busy, _ = _user(api, "officer", unit["id"])
    _ok(api.client.put(f"/api/v1/users/{specialist['id']}/specialisations", headers=api.headers(),
                       json={"specialisations": ["Service", "tax"]}))  # fmt: skip
    assert api.client.put(f"/api/v1/users/{specialist['id']}/specialisations", headers=api.headers(Role.clerk),
                          json={"specialisations": ["tax"]}).status_code == 403  # fmt: skip
    court = f"Court {uuid.uuid4().hex[:6]}"
    _assign(api, api.create_case(number=_number(), court=court)["id"], regular["id"])
    for _ in range(3):
        _assign(api, api.create_case(number=_number(), court="Elsewhere")["id"], busy["id"])
    _assign(api, api.create_case(number=_number(), court=court, status="closed")["id"], busy["id"])  # not open
    case = api.create_case(number=_number(), court=court, case_type="service appeal", title="Pension v. Federation")
    items = _ok(api.get(f"/api/v1/cases/{case['id']}/assignment-suggestions"))["items"]
    mine = [each for each in items if each["user_id"] in {specialist["id"], regular["id"], busy["id"]}]
    assert [each["user_id"] for each in mine] == [specialist["id"], regular["id"], busy["id"]]
    by_id = {each["user_id"]: each for each in mine}
    assert by_id[specialist["id"]]["reasons"] == ["0 open cases", "specialises in service"]
    assert by_id[regular["id"]]["reasons"] == ["1 open case", f"appears in {court} (1 open case there)"]
    assert by_id[busy["id"]]["reasons"] == ["3 open cases"]
    assert [by_id[key]["score"] for key in (specialist["id"], regular["id"], busy["id"])] == [30, 15, -15]
    _assign(api, case["id"], specialist["id"])  # an officer on the case is not suggested again
    again = _ok(api.get(f"/api/v1/cases/{case['id']}/assignment-suggestions"))["items"]
    assert specialist["id"] not in {each["user_id"] for each in again}
    assert api.get(f"/api/v1/cases/{case['id']}/assignment-suggestions", role=Role.focal_person).status_code == 403


def test_comments_with_documents_and_mentions_and_requests_for_comments(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number=_number())
    _assign(api, case["id"], api.user_ids[Role.officer])
    paper = _ok(api.upload(case["id"], "reply.txt", b"Para-wise comments of the ministry."), 202)
    url = f"/api/v1/cases/{case['id']}/comments"
    body = {"body": "Draft reply attached @test-officer, and @nobody-here.\nPlease see para 4.",
            "document_ids": [paper["id"]]}  # fmt: skip
    comment = _ok(api.post(url, role=Role.focal_person, json=body), 201)
    assert comment["mentions"] == ["test-officer"] and comment["document_ids"] == [paper["id"]]
    notices = _ok(api.get("/api/v1/notifications", role=Role.officer))["items"]
    mention = next(each for each in notices if each["kind"] == "mention")
    assert mention["case_id"] == case["id"] and mention["document_id"] is None
    assert "test-focal_person" in mention["title"] and "#comments" in mention["link"]
    reply = _ok(api.post(url, role=Role.officer, json={"body": "Noted."}), 201)
    assert [each["id"] for each in _ok(api.get(url, role=Role.clerk))["items"]] == [comment["id"], reply["id"]]
    assert api.post(url, role=Role.auditor, json={"body": "x"}).status_code == 404  # auditors see no case
    assert api.post(url, role=Role.client, json={"body": "x"}).status_code == 403
    other = api.create_case(number=_number())
    stranger = _ok(api.upload(other["id"], "x.txt", b"Elsewhere."), 202)
    assert api.post(url, json={"body": "see", "document_ids": [stranger["id"]]}).status_code == 422
    assert api.post(url, json={"body": "bad \x00 text"}).status_code == 422

    # A request for comments the ministry must answer; overdue ones are listed until answered.
    requests_url = f"/api/v1/cases/{case['id']}/comment-requests"
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    late = _ok(
        api.post(requests_url, role=Role.officer, json={"due_on": yesterday, "question": "Service record?"}), 201
    )
    soon = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    fine = _ok(api.post(requests_url, json={"due_on": soon, "question": "Pay slips?"}), 201)
    assert late["overdue"] is True and fine["overdue"] is False
    assert api.post(requests_url, role=Role.focal_person, json={"due_on": soon, "question": "x"}).status_code == 403
    overdue = _ok(api.get("/api/v1/comment-requests", role=Role.focal_person, params={"overdue": "true"}))["items"]
    assert late["id"] in {each["id"] for each in overdue} and fine["id"] not in {each["id"] for each in overdue}
    answer = {"body": "Service record attached.", "document_ids": [paper["id"]], "request_id": late["id"]}
    _ok(api.post(url, role=Role.focal_person, json=answer), 201)
    overdue = _ok(api.get("/api/v1/comment-requests", params={"overdue": "true"}))["items"]
    assert late["id"] not in {each["id"] for each in overdue}
    answered = {each["id"]: each for each in _ok(api.get(requests_url))["items"]}[late["id"]]
    assert answered["answered_at"] is not None and answered["overdue"] is False


def test_the_timeline_merges_everything_in_time_order(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number=_number())
    _ok(api.upload(case["id"], "petition.txt", b"The petition.", doc_type="petition", title="Writ petition"), 202)
    assignment = _assign(api, case["id"], api.user_ids[Role.officer])
    _ok(api.post(f"/api/v1/assignments/{assignment['id']}/acknowledge", role=Role.officer))
    _ok(api.patch(f"/api/v1/cases/{case['id']}", json={"status": "pending", "reason": "notice issued"}))
    _ok(api.post(f"/api/v1/cases/{case['id']}/comments", role=Role.focal_person, json={"body": "Reply by Friday"}), 201)
    # Hearings and deadlines (decision 0022) sit on their dates: here, after everything else.
    hearing = {"date": "2099-01-10", "time": "09:30", "court": "Lahore High Court", "purpose": "arguments"}
    _ok(api.post(f"/api/v1/cases/{case['id']}/hearings", json=hearing), 201)
    deadline = {"kind": "reply", "due_on": "2099-01-05", "owner_id": api.user_ids[Role.officer]}
    _ok(api.post(f"/api/v1/cases/{case['id']}/deadlines", json=deadline), 201)
    items = _ok(api.get(f"/api/v1/cases/{case['id']}/timeline"))["items"]
    assert [(each["kind"], each["at"][:16]) for each in items[-2:]] == [
        ("deadline", "2099-01-05T00:00"),
        ("hearing", "2099-01-10T09:30"),
    ]
    assert items[-1]["summary"] == "hearing before Lahore High Court: arguments"
    times = [each["at"] for each in items]
    assert times == sorted(times)
    kinds = [each["kind"] for each in items if each["kind"] not in ("hearing", "deadline")]
    assert kinds == ["status", "filing", "assigned", "status", "acknowledged", "status", "comment"]
    summaries = [each["summary"] for each in items]
    assert "petition filed: Writ petition" in summaries and "Reply by Friday" in summaries
    assert "status assigned → pending: notice issued" in summaries


def test_another_units_officer_gets_404_on_every_new_case_route(stack_api: Api) -> None:
    api = stack_api
    case = api.create_case(number=_number())
    assignment = _assign(api, case["id"], api.user_ids[Role.officer])
    unit = _ok(api.post("/api/v1/units", json={"name": f"Other {uuid.uuid4().hex[:6]}", "kind": "ministry"}), 201)
    _outsider, headers = _user(api, "officer", unit["id"])
    _focal, focal_headers = _user(api, "focal_person", unit["id"])
    base = f"/api/v1/cases/{case['id']}"
    calls = [
        ("GET", f"{base}/assignments", None),
        ("GET", f"{base}/assignment-suggestions", None),
        ("POST", f"{base}/reassign", {"from_user_id": api.user_ids[Role.officer], "to_user_id": _outsider["id"],
                                      "reason": "x"}),
        ("GET", f"{base}/status-history", None),
        ("PATCH", base, {"status": "pending"}),
        ("POST", f"{base}/decision", {"decided_on": "2025-01-01", "outcome": "against"}),
        ("GET", f"{base}/timeline", None),
        ("GET", f"{base}/comments", None),
        ("POST", f"{base}/comments", {"body": "hello"}),
        ("GET", f"{base}/comment-requests", None),
        ("POST", f"{base}/comment-requests", {"due_on": "2025-01-01", "question": "x"}),
        ("POST", f"/api/v1/assignments/{assignment['id']}/acknowledge", None),
    ]  # fmt: skip
    # The other unit's focal person too, on the routes a focal person may use at all (the others refuse the role
    # outright, 403 for every case alike).
    focal_calls = [call for call in calls if call[0] == "GET" or call[1].endswith("/comments")]
    for who, tried in ((headers, calls), (focal_headers, focal_calls)):
        for method, url, body in tried:
            response = api.client.request(method, url, headers=who, json=body)
            assert response.status_code == 404, (method, url, response.status_code, response.text)
            assert case["number"] not in response.text
        listed = _ok(api.client.get("/api/v1/assignments", headers=who))["items"]
        assert assignment["id"] not in {each["id"] for each in listed}
        assert _ok(api.client.get("/api/v1/comment-requests", headers=who))["items"] == []
