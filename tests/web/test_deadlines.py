"""Deadlines in the browser (issue 12, decision 0022): add one on the case page, see it overdue on the owner's home,
and see the scheduler escalate it to the unit's head as a notification (the clock passed to the run, no waiting)."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import Page, expect

from litigation import tasks
from tests.conftest import TEST_UNIT
from tests.web.conftest import WebStack, assert_accessible, sign_in


def test_an_overdue_deadline_is_highlighted_and_escalates_to_the_units_head(page: Page, web_stack: WebStack) -> None:
    number = f"C.P. {uuid.uuid4().hex[:6]} of 2025"
    case = web_stack.create_case(number, title="Karim v. Province")
    with web_stack.api() as client:
        assigned = client.post(
            f"/api/v1/cases/{case['id']}/assignments", json={"user_id": web_stack.user_ids["web-officer"]}
        )
        assert assigned.status_code == 201, assigned.text
        head = client.put(
            f"/api/v1/units/{web_stack.unit_ids[TEST_UNIT]}/head", json={"user_id": web_stack.user_ids["web-focal"]}
        )
        assert head.status_code == 204, head.text
    due = dt.date.today() - dt.timedelta(days=3)

    sign_in(page, "web-officer", f"/cases/{case['id']}")
    deadlines = page.get_by_role("region", name="Deadlines")
    expect(deadlines).to_contain_text("No deadlines.")
    deadlines.get_by_label("Kind").select_option("para_wise_comments")
    deadlines.get_by_label("Due on").fill(due.isoformat())
    deadlines.get_by_label("Owner").select_option(label="Web Officer")
    deadlines.get_by_label("Note").fill(f"comments on {number}")
    deadlines.get_by_role("button", name="Add deadline").click()
    page.wait_for_url(f"**/cases/{case['id']}#deadlines")
    row = page.get_by_role("region", name="Deadlines").get_by_role("row").filter(has_text=f"comments on {number}")
    expect(row).to_contain_text("overdue")
    expect(row).to_have_class("overdue")
    assert_accessible(page)

    page.goto("/")
    mine = page.get_by_role("region", name="My deadlines")
    overdue = mine.get_by_role("row").filter(has_text=number)
    expect(overdue).to_contain_text("overdue")
    expect(overdue).to_have_class("overdue")
    assert_accessible(page)

    # The scheduler's run for today (the clock passed in): the overdue deadline goes to the unit's head, once.
    assert tasks.send_reminders(web_stack.settings, None, on=dt.date.today()).created >= 1
    assert tasks.send_reminders(web_stack.settings, None, on=dt.date.today()).created == 0

    page.context.clear_cookies()
    sign_in(page, "web-focal", "/notifications")
    notice = page.locator("li.notification").filter(has_text=number)
    expect(notice).to_contain_text(f"Overdue since {due.isoformat()}")
    expect(notice).to_contain_text("Web Officer")
    expect(notice).to_contain_text("unread")
    assert_accessible(page)


def test_the_limitation_helper_suggests_and_an_officer_adds_the_deadline(page: Page, web_stack: WebStack) -> None:
    number = f"I.C.A. {uuid.uuid4().hex[:6]} of 2025"
    case = web_stack.create_case(number, title="Nadeem v. Federation")
    with web_stack.api() as client:
        assigned = client.post(
            f"/api/v1/cases/{case['id']}/assignments", json={"user_id": web_stack.user_ids["web-officer"]}
        )
        assert assigned.status_code == 201, assigned.text
    sign_in(page, "web-officer", f"/cases/{case['id']}")
    helper = page.get_by_role("form", name="Limitation helper")
    helper.get_by_label("Decided on").fill("2025-01-10")
    helper.get_by_label("Certified copy applied for").fill("2025-01-15")
    helper.get_by_label("Certified copy received").fill("2025-02-04")
    helper.get_by_role("button", name="Suggest deadlines").click()
    suggestions = page.get_by_test_id("limitation-suggestions")
    cpla = suggestions.get_by_role("row").filter(has_text="Supreme Court")
    expect(cpla).to_contain_text("2025-03-31")  # 60 days, plus the 20 taken to obtain the certified copy
    expect(cpla).to_contain_text("verify locally")
    expect(page.get_by_role("region", name="Deadlines")).to_contain_text("No deadlines.")  # suggested, not made
    assert_accessible(page)

    cpla.get_by_role("button", name="Add as a deadline").click()
    page.wait_for_url(f"**/cases/{case['id']}#deadlines")
    row = page.get_by_role("region", name="Deadlines").get_by_role("row").filter(has_text="cpla limitation")
    expect(row).to_contain_text("2025-03-31")
    expect(row).to_contain_text("20 days taken to obtain the certified copy")
