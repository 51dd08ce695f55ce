"""The limitation helper after a decision, in the browser (issue 12, decisions 0021 and 0022): recording a decision
leads to the rule table's suggestions from its date; nothing is made until the officer adds one as a deadline, and
an added suggestion is marked so it is not added twice."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in


def _decided_case(web_stack: WebStack, title: str) -> dict[str, str]:
    case = web_stack.create_case(f"W.P. {uuid.uuid4().hex[:8]} of 2025", title=title, status="reserved")
    with web_stack.api() as client:
        assigned = client.post(
            f"/api/v1/cases/{case['id']}/assignments", json={"user_id": web_stack.user_ids["web-officer"]}
        )
        assert assigned.status_code == 201, assigned.text
    return case


def test_recording_a_decision_suggests_limitation_deadlines_the_officer_confirms(
    page: Page, web_stack: WebStack
) -> None:
    case = _decided_case(web_stack, "Saleem v. Federation")
    sign_in(page, "web-officer", f"/cases/{case['id']}")
    expect(page.get_by_test_id("after-decision")).to_have_count(0)  # no decision yet: nothing suggested
    page.get_by_label("Decision date").fill("2025-01-10")
    page.get_by_label("Decision outcome").select_option(label="Against")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("case-status")).to_have_text("decided")

    after = page.get_by_test_id("after-decision")
    heading = after.get_by_role("heading", name="Deadlines for the next remedy after the decision of 2025-01-10")
    expect(heading).to_be_focused()  # brought into view and announced once the section loads
    cpla = after.get_by_role("row").filter(has_text="Supreme Court")
    expect(cpla).to_contain_text("2025-03-11")  # 60 days from the decision
    expect(cpla).to_contain_text("verify locally")
    ica = after.get_by_role("row").filter(has_text="Intra-court appeal")
    expect(ica).to_contain_text("2025-01-30")  # 20 days
    expect(after).to_contain_text("its owner: Web Officer")
    deadlines = page.get_by_role("region", name="Deadlines")
    expect(deadlines.get_by_test_id("deadlines")).to_have_count(0)  # suggested, not made
    with web_stack.api() as client:
        assert client.get(f"/api/v1/cases/{case['id']}/deadlines").json()["total"] == 0
    assert_accessible(page)

    cpla.get_by_role("button", name="Add as a deadline").click()
    page.wait_for_url(f"**/cases/{case['id']}?decision=*#after-decision")
    made = page.get_by_test_id("deadlines").get_by_role("row").filter(has_text="cpla limitation")
    expect(made).to_contain_text("2025-03-11")
    expect(made).to_contain_text("Web Officer")
    # Back at the suggestions: the added one is marked, the others can still be added.
    after = page.get_by_test_id("after-decision")
    cpla = after.get_by_role("row").filter(has_text="Supreme Court")
    expect(cpla.get_by_test_id("suggestion-added")).to_have_text("added")
    expect(cpla.get_by_role("button")).to_have_count(0)
    ica = after.get_by_role("row").filter(has_text="Intra-court appeal")
    ica.get_by_role("button", name="Add as a deadline").click()
    page.wait_for_url(f"**/cases/{case['id']}?decision=*#after-decision")
    expect(page.get_by_test_id("deadlines").get_by_role("row").filter(has_text="2025-01-30")).to_have_count(1)
    with web_stack.api() as client:
        listed = client.get(f"/api/v1/cases/{case['id']}/deadlines").json()["items"]
    assert sorted((each["kind"], each["due_on"]) for each in listed) == [
        ("appeal_limitation", "2025-01-30"),
        ("cpla_limitation", "2025-03-11"),
    ]
    assert {each["owner_id"] for each in listed} == {web_stack.user_ids["web-officer"]}
    assert_accessible(page)

    # The plain case page (no decision just recorded) does not lead with the suggestions.
    page.goto(f"/cases/{case['id']}")
    expect(page.get_by_test_id("deadlines")).to_be_visible()
    expect(page.get_by_test_id("after-decision")).to_have_count(0)


def test_a_reader_sees_the_suggestions_without_buttons_and_another_cases_decision_shows_nothing(
    page: Page, web_stack: WebStack
) -> None:
    case = _decided_case(web_stack, "Rashid v. Province")
    other = _decided_case(web_stack, "Tariq v. Province")
    with web_stack.api() as client:
        decided = client.post(f"/api/v1/cases/{case['id']}/decision",
                              json={"decided_on": "2025-02-01", "outcome": "in_favour"})  # fmt: skip
        assert decided.status_code == 201, decided.text
        foreign = client.post(f"/api/v1/cases/{other['id']}/decision",
                              json={"decided_on": "2025-03-01", "outcome": "against"})  # fmt: skip
        assert foreign.status_code == 201, foreign.text
    sign_in(page, "web-focal", f"/cases/{case['id']}?decision={decided.json()['id']}")
    after = page.get_by_test_id("after-decision")
    expect(after.get_by_role("row").filter(has_text="Supreme Court")).to_contain_text("2025-04-02")
    expect(after.get_by_role("button")).to_have_count(0)  # a focal person reads; only those who may write add
    assert_accessible(page)
    page.goto(f"/cases/{case['id']}?decision={foreign.json()['id']}")
    expect(page.get_by_role("region", name="Deadlines")).to_be_visible()
    expect(page.get_by_test_id("after-decision")).to_have_count(0)
