"""The audit trail page: filters, paging, the CSV export of the same filters, and who may read it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in


def test_an_auditor_filters_the_trail_and_exports_the_same_rows_as_csv(page: Page, web_stack: WebStack) -> None:
    case = web_stack.create_case(f"AUD {uuid.uuid4().hex[:8]}", title="Audited")
    sign_in(page, "web-clerk", f"/cases/{case['id']}")  # a read, on the record
    page.context.clear_cookies()
    sign_in(page, "web-auditor", "/audit")
    assert_accessible(page)
    page.get_by_label("Actor").fill("web-clerk")
    page.get_by_label("Action").fill("case.read")
    page.get_by_label("Case id").fill(case["id"])
    today = datetime.now(UTC).date()
    page.get_by_label("From").fill(today.isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("event-count")).to_have_text("1 event")
    events = page.get_by_role("table", name="Audit events, newest first")
    expect(events).to_contain_text("web-clerk (clerk)")
    expect(events).to_contain_text("case.read")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export these events as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [(row["actor"], row["action"], row["case_id"]) for row in rows] == [
        ("web-clerk (clerk)", "case.read", case["id"])
    ]

    page.get_by_label("From").fill((today + timedelta(days=1)).isoformat())  # after "to": said, not a crash
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("alert")).to_have_text("The first day must not be after the last day.")

    page.goto(f"/cases/{case['id']}/access-log")  # "who has seen this case", without the case itself
    expect(page.get_by_role("table", name="Who has seen this case")).to_contain_text("web-clerk (clerk)")
    assert page.goto(f"/cases/{case['id']}").status == 404  # type: ignore[union-attr]
    assert_accessible(page)


def test_the_trail_pages_and_only_admins_and_auditors_read_it(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-admin", "/audit")
    count = int(page.get_by_test_id("event-count").inner_text().split()[0])
    if count > 50:
        page.get_by_role("link", name="Next").click()
        expect(page.get_by_text("Page 2 of")).to_be_visible()
    for username in ("web-clerk", "web-officer", "web-focal"):
        page.context.clear_cookies()
        sign_in(page, username)
        expect(page.get_by_role("link", name="Audit")).to_have_count(0)
        assert page.goto("/audit").status == 403  # type: ignore[union-attr]
