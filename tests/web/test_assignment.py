"""Assignment in the browser (issue 12, decision 0021): a clerk assigns a lead officer with a note, seeing the
suggestions and their reasons; the officer acknowledges from their home page and has the case there; a reassignment
takes a reason and keeps the earlier assignment."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD
from tests.web.conftest import WebStack, assert_accessible, sign_in


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]} of 2025"


def test_a_clerk_assigns_an_officer_who_acknowledges_and_sees_the_case_at_home(page: Page, web_stack: WebStack) -> None:
    number = unique("W.P.")
    case = web_stack.create_case(number, title="Pension arrears v. Federation", case_type="service appeal")
    sign_in(page, "web-clerk", f"/cases/{case['id']}")
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("Web Officer")
    expect(suggestions).to_contain_text("open case")
    page.get_by_label("Officer to assign").select_option(label="Web Officer (Ministry of Test)")
    page.get_by_label("Assignment role").select_option("lead")
    page.get_by_label("Assignment note").fill("Appear on Monday; reply due Friday")
    page.get_by_role("button", name="Assign", exact=True).click()
    officers = page.get_by_test_id("assignments")
    expect(officers).to_contain_text("Web Officer, lead")
    expect(officers).to_contain_text("awaiting acknowledgement")
    expect(officers).to_contain_text("Appear on Monday; reply due Friday")
    expect(page.get_by_test_id("case-status")).to_have_text("assigned")  # intake -> assigned on its own
    expect(page.get_by_test_id("timeline")).to_contain_text("Web Officer assigned as lead")
    assert_accessible(page)
    page.context.clear_cookies()

    sign_in(page, "web-officer")
    waiting = page.get_by_test_id("to-acknowledge")
    expect(waiting).to_contain_text(number)
    assert_accessible(page)
    page.get_by_role("button", name=f"Acknowledge {number}").click()
    expect(page.get_by_role("button", name=f"Acknowledge {number}")).to_have_count(0)
    expect(page.get_by_role("table", name="Cases assigned to you")).to_contain_text(number)
    page.get_by_role("table", name="Cases assigned to you").get_by_role("link", name=number).click()
    expect(page.get_by_test_id("assignments")).to_contain_text("acknowledged")
    expect(page.get_by_test_id("timeline")).to_contain_text("Web Officer acknowledged")


def test_a_reassignment_needs_a_reason_and_keeps_the_earlier_assignment(page: Page, web_stack: WebStack) -> None:
    name = f"Second Officer {uuid.uuid4().hex[:6]}"
    with web_stack.api() as client:
        created = client.post("/api/v1/users", json={"username": f"second-{uuid.uuid4().hex[:8]}", "full_name": name,
                              "role": "officer", "unit_id": web_stack.unit_ids["Ministry of Test"],
                              "password": TEST_PASSWORD})  # fmt: skip
        assert created.status_code == 201, created.text
        case = web_stack.create_case(unique("C.P."), title="Reassignment test")
        assigned = client.post(f"/api/v1/cases/{case['id']}/assignments",
                               json={"user_id": web_stack.user_ids["web-officer"]})  # fmt: skip
        assert assigned.status_code == 201, assigned.text
    sign_in(page, "web-clerk", f"/cases/{case['id']}")
    page.get_by_label("Reassign from").select_option(label="Web Officer (lead)")
    page.get_by_label("Reassign to").select_option(label=name)
    reason = page.get_by_label("Reason for reassignment")
    expect(reason).to_have_attribute("required", "")
    reason.fill("Web Officer transferred to the Karachi bench")
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_test_id("assignments")).to_contain_text(f"{name}, lead")
    expect(page.get_by_test_id("assignments")).not_to_contain_text("Web Officer,")
    page.get_by_text("Earlier assignments (1)").click()
    expect(page.locator("details")).to_contain_text("transferred to the Karachi bench")
    assert_accessible(page)
