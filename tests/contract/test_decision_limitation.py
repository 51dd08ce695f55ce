"""The limitation helper on a decision (issue 12, decision 0022), on both stacks: POST /cases/{id}/decision answers
with the rule table's suggestions counted from the decision's date; nothing is created until the officer confirms a
suggestion by adding the deadline."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from core.models import Role
from tests.conftest import Api


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _case(api: Api, status: str = "reserved") -> dict[str, Any]:
    return api.create_case(number=f"W.P. {uuid.uuid4().hex[:8]} of 2025", status=status)


def _audit_actions(api: Api, case_id: str) -> list[str]:
    rows = _ok(api.get("/api/v1/audit", params={"case_id": case_id, "size": 500}))["items"]
    return [row["action"] for row in rows]


def test_a_decision_answers_with_limitation_suggestions_and_creates_no_deadline(stack_api: Api) -> None:
    api = stack_api
    officer = api.user_ids[Role.officer]
    case = _case(api)
    _ok(api.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": officer}), 201)
    url = f"/api/v1/cases/{case['id']}/decision"
    decision = _ok(api.post(url, role=Role.officer, json={"decided_on": "2025-01-10", "outcome": "against"}), 201)
    assert (decision["decided_on"], decision["outcome"], decision["case_id"]) == ("2025-01-10", "against", case["id"])
    suggested = {item["rule_id"]: item for item in decision["limitation_suggestions"]}
    # The same days as GET .../limitation-suggestions?decided_on=2025-01-10 (the shipped rule table).
    assert suggested["cpla_supreme_court"]["due_on"] == "2025-03-11"  # 60 days from 10 January
    assert suggested["intra_court_appeal"]["due_on"] == "2025-01-30"  # 20 days
    assert suggested["civil_revision"]["due_on"] == "2025-04-10"  # 90 days
    assert suggested["service_tribunal_appeal"]["due_on"] == "2025-02-09"  # no communication date: the decision's
    for item in suggested.values():
        assert item["counted_from"] == "2025-01-10" and item["excluded_days"] == 0
        assert item["source"] and item["verify_note"] == "verify locally"
    assert suggested["cpla_supreme_court"]["deadline_kind"] == "cpla_limitation"
    separately = _ok(api.get(f"/api/v1/cases/{case['id']}/limitation-suggestions", params={"decided_on": "2025-01-10"}))
    assert decision["limitation_suggestions"] == separately["suggestions"]
    assert "nothing was created" in decision["limitation_note"]

    # Suggested, not made: no deadline and no deadline audit row until the officer confirms one.
    assert _ok(api.get(f"/api/v1/cases/{case['id']}/deadlines"))["total"] == 0
    assert "deadline.create" not in _audit_actions(api, case["id"])
    chosen = suggested["cpla_supreme_court"]
    made = _ok(
        api.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            role=Role.officer,
            json={"kind": chosen["deadline_kind"], "due_on": chosen["due_on"], "owner_id": officer,
                  "note": chosen["explanation"]},
        ),
        201,
    )  # fmt: skip
    assert (made["kind"], made["due_on"]) == ("cpla_limitation", "2025-03-11")
    listed = _ok(api.get(f"/api/v1/cases/{case['id']}/deadlines"))["items"]
    assert [(each["kind"], each["due_on"]) for each in listed] == [("cpla_limitation", "2025-03-11")]


def test_the_suggestions_follow_the_admins_rule_table_and_a_refused_decision_suggests_nothing(stack_api: Api) -> None:
    api = stack_api
    rules = _ok(api.get("/api/v1/limitation-rules"))["items"]
    edited = []
    for rule in rules:
        body = {key: value for key, value in rule.items() if key != "updated_at"}
        if rule["id"] == "cpla_supreme_court":
            body["period_days"] = 30
        if rule["id"] == "civil_revision":
            body["active"] = False
        edited.append(body)
    _ok(api.client.put("/api/v1/limitation-rules", json={"items": edited}, headers=api.headers()))

    case = _case(api, status="pending")
    url = f"/api/v1/cases/{case['id']}/decision"
    decision = _ok(api.post(url, role=Role.clerk, json={"decided_on": "2025-01-10", "outcome": "in_favour"}), 201)
    suggested = {item["rule_id"]: item["due_on"] for item in decision["limitation_suggestions"]}
    assert suggested["cpla_supreme_court"] == "2025-02-09"  # the admin's 30 days, not the shipped 60
    assert "civil_revision" not in suggested  # an inactive rule suggests nothing
    assert len(suggested) == sum(1 for rule in edited if rule["active"])

    # Decided already: the move is refused (409) and the answer is the problem, with no suggestions in it.
    again = api.post(url, json={"decided_on": "2025-02-01", "outcome": "against"})
    assert again.status_code == 409 and "limitation_suggestions" not in again.json()
    assert len(_ok(api.get(f"/api/v1/cases/{case['id']}/status-history"))["history"]) == 2  # registered, decided
    # In appeal, a second decision suggests from its own date.
    _ok(api.patch(f"/api/v1/cases/{case['id']}", json={"status": "appeal", "reason": "ICA filed"}))
    second = _ok(api.post(url, json={"decided_on": "2025-09-01", "outcome": "partly"}), 201)
    assert {item["rule_id"]: item["due_on"] for item in second["limitation_suggestions"]}[
        "intra_court_appeal"
    ] == "2025-09-21"
    assert _ok(api.get(f"/api/v1/cases/{case['id']}/deadlines"))["total"] == 0
