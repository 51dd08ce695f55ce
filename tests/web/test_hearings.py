"""Hearings in the browser (issue 12, decision 0022): add a hearing on the case page, record its outcome with a next
date, see the next hearing follow, and find the case on the printable cause list for that day."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in


def test_record_an_outcome_with_a_next_date_and_see_the_cause_list(page: Page, web_stack: WebStack) -> None:
    number = f"W.P. {uuid.uuid4().hex[:6]} of 2025"
    case = web_stack.create_case(
        number,
        title="Rahim v. Federation",
        parties=[{"name": "Rahim", "role": "petitioner"}, {"name": "Federation", "role": "respondent"}],
    )
    with web_stack.api() as client:
        assigned = client.post(
            f"/api/v1/cases/{case['id']}/assignments", json={"user_id": web_stack.user_ids["web-officer"]}
        )
        assert assigned.status_code == 201, assigned.text
    first = dt.date.today() + dt.timedelta(days=2)
    following = dt.date.today() + dt.timedelta(days=16)

    sign_in(page, "web-officer", f"/cases/{case['id']}")
    hearings = page.get_by_role("region", name="Hearings")
    expect(hearings).to_contain_text("No hearings recorded.")
    hearings.get_by_label("Date", exact=True).fill(first.isoformat())
    hearings.get_by_label("Time").fill("09:30")
    hearings.get_by_label("Bench").fill("DB-I")
    hearings.get_by_label("Purpose").fill("arguments on the stay")
    hearings.get_by_role("button", name="Add hearing").click()
    page.wait_for_url(f"**/cases/{case['id']}#hearings")
    hearings = page.get_by_role("region", name="Hearings")
    next_hearing = page.locator("dt:text-is('Next hearing') + dd")
    expect(next_hearing).to_have_text(first.isoformat())
    assert_accessible(page)

    row = hearings.get_by_role("row").filter(has_text="arguments on the stay")
    row.get_by_label("Outcome").select_option("adjourned")
    row.get_by_label("Next date").fill(following.isoformat())
    row.get_by_label("Adjournment reason").fill("counsel for the respondents sought time")
    row.get_by_role("button", name="Record").click()
    page.wait_for_url(f"**/cases/{case['id']}#hearings")
    hearings = page.get_by_role("region", name="Hearings")
    expect(next_hearing).to_have_text(following.isoformat())
    expect(hearings.get_by_role("row")).to_have_count(3)  # the header, the hearing and the next one it listed
    expect(hearings.get_by_role("row").nth(1)).to_contain_text(f"adjourned; next {following.isoformat()}")
    expect(hearings.get_by_role("row").nth(2)).to_contain_text("not recorded")

    hearings.get_by_test_id("cause-list-link").click()
    page.wait_for_url(f"**/cause-list?date={following.isoformat()}")
    group = page.get_by_role("region", name="Web Officer")
    expect(group.get_by_role("link", name=number)).to_be_visible()
    expect(group.get_by_role("row").filter(has_text=number)).to_contain_text("Rahim v. Federation")
    expect(group.get_by_role("row").filter(has_text=number)).to_contain_text("arguments on the stay")
    assert_accessible(page)

    # The printable page: printed, the header and the filters are gone and the list stays.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(group.get_by_role("link", name=number)).to_be_visible()
    page.emulate_media(media="screen")

    # Another unit's officer sees none of it.
    page.context.clear_cookies()
    sign_in(page, "other-officer", f"/cause-list?date={following.isoformat()}")
    expect(page.get_by_text(number)).to_have_count(0)
    expect(page.get_by_test_id("cause-total")).to_contain_text("0 matters")


def test_the_calendar_feed_address_is_shown_once(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-officer", "/cause-list")
    page.get_by_role("button", name="Make a new calendar address").click()
    url = page.get_by_test_id("calendar-url").input_value()
    assert "/calendar/" in url and url.endswith(".ics")
    assert_accessible(page)
    response = page.request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.body()
