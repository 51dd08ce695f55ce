"""The case lifecycle in the browser (issue 12, decision 0021): the status control offers only the allowed moves, and
a move no longer allowed (the page was stale) is refused with what is allowed; a decision; comments with an
@mention that notifies; a request for comments the ministry answers."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]} of 2025"


def test_a_disallowed_transition_is_refused_with_what_is_allowed(page: Page, web_stack: WebStack) -> None:
    case = web_stack.create_case(unique("W.P."), title="Lifecycle test")
    sign_in(page, "web-clerk", f"/cases/{case['id']}")
    expect(page.get_by_test_id("case-status")).to_have_text("intake")
    options = page.get_by_label("New status").locator("option")
    expect(options).to_have_text(["assigned", "pending", "closed"])
    with web_stack.api() as client:  # meanwhile, someone else moves the case on
        moved = client.patch(f"/api/v1/cases/{case['id']}", json={"status": "pending", "reason": "notice issued"})
        assert moved.status_code == 200, moved.text
    page.get_by_label("New status").select_option("assigned")
    with page.expect_response(f"**/cases/{case['id']}/status") as answer:
        page.get_by_role("button", name="Change status").click()
    assert answer.value.status == 409
    expect(page.get_by_test_id("problem")).to_have_text(
        "a case that is pending cannot become assigned; allowed: reserved, decided, closed"
    )
    expect(page.get_by_test_id("case-status")).to_have_text("pending")
    expect(options).to_have_text(["reserved", "decided", "closed"])
    assert_accessible(page)

    page.get_by_label("New status").select_option("reserved")
    page.get_by_label("Reason for the status change").fill("arguments concluded")
    page.get_by_role("button", name="Change status").click()
    expect(page.get_by_test_id("case-status")).to_have_text("reserved")
    page.get_by_label("Decision date").fill("2025-06-30")
    page.get_by_label("Decision outcome").select_option(label="Partly in favour")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_test_id("case-status")).to_have_text("decided")
    expect(page.get_by_test_id("decisions")).to_contain_text("2025-06-30: Partly in favour")
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("status pending → reserved: arguments concluded")
    expect(timeline).to_contain_text("decided on 2025-06-30: partly")
    assert_accessible(page)


def test_a_comment_with_an_mention_notifies_and_a_request_for_comments_is_answered(
    page: Page, web_stack: WebStack
) -> None:
    number = unique("W.P.")
    case = web_stack.create_case(number, title="Comments test")
    with web_stack.api() as client:
        assigned = client.post(f"/api/v1/cases/{case['id']}/assignments",
                               json={"user_id": web_stack.user_ids["web-officer"]})  # fmt: skip
        assert assigned.status_code == 201, assigned.text
    document = web_stack.upload(case["id"], "parawise.txt", b"Para-wise comments of the ministry.")

    sign_in(page, "web-officer", f"/cases/{case['id']}")
    due = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Request comments from the ministry on").fill("The petitioner's service record")
    page.get_by_label("Comments due on").fill(due)
    page.get_by_role("button", name="Request comments").click()
    expect(page.get_by_test_id("comment-requests")).to_contain_text("overdue")
    page.context.clear_cookies()

    sign_in(page, "web-focal")
    expect(page.get_by_test_id("open-comment-requests")).to_contain_text("The petitioner's service record")
    page.goto(f"/cases/{case['id']}")
    page.get_by_label("Comment (@username notifies that person)").fill("Record attached, @web-officer: see para 4.")
    page.get_by_label("Refers to documents").select_option(document["id"])
    page.get_by_label("Answers the request").select_option(label="The petitioner's service record")
    page.get_by_role("button", name="Add comment").click()
    said = page.get_by_test_id("comments")
    expect(said).to_contain_text("Record attached, @web-officer: see para 4.")
    expect(said).to_contain_text("Mentioned: @web-officer")
    expect(said).to_contain_text("parawise.txt")
    expect(page.get_by_test_id("comment-requests")).to_contain_text("answered")
    assert_accessible(page)
    with web_stack.api("web-officer") as client:
        notices = client.get("/api/v1/notifications").json()["items"]
    assert any(each["kind"] == "mention" and each["case_id"] == case["id"] for each in notices), notices
