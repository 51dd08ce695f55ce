"""Report pages: the pending report grouped by court, its chart and table, and its XLSX download with the same
counts; a ministry's focal person counts its own cases only; auditors have no reports."""

from __future__ import annotations

import io
import uuid

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.web.conftest import OTHER_UNIT, WebStack, assert_accessible, sign_in


def _court_count(page: Page, court: str) -> str:
    row = page.get_by_test_id("report-table").get_by_role("row").filter(has_text=court)
    return row.get_by_role("cell").nth(1).inner_text()


def test_open_the_pending_report_and_download_it_as_xlsx(page: Page, web_stack: WebStack) -> None:
    court = f"Reports Court {uuid.uuid4().hex[:6]}"
    for index in range(3):
        web_stack.create_case(f"RPT {court} {index}", court=court)
    web_stack.create_case(f"RPT {court} other", court=court, unit_id=web_stack.unit_ids[OTHER_UNIT])

    sign_in(page, "web-focal", "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Pending cases", exact=True).click()
    page.get_by_label("Group by").select_option("court")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Pending cases by court")).to_be_visible()
    assert _court_count(page, court) == "3"  # the other ministry's case is not theirs to count
    chart = page.get_by_role("img", name="Pending cases by court: pending cases")
    expect(chart).to_be_visible()
    assert f"{court} 3" in (chart.locator("desc").text_content() or "")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLSX").click()
    assert download.value.suggested_filename.startswith("casefile-pending-by-court-")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active  # the file has no .xlsx name
    assert sheet is not None
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[court] == 3
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert list(header) == ["Court", "Pending cases"]

    page.context.clear_cookies()
    sign_in(page, "web-admin", "/reports/pending?by=court")
    assert _court_count(page, court) == "4"


def test_every_report_page_renders_and_auditors_have_none(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-officer", "/reports")
    for name, heading in (("ageing", "Ageing of pending cases"), ("overdue", "Overdue deadlines by owner"),
                          ("hearings", "Hearings and adjournments per case"),
                          ("outcomes", "Outcomes for the government by unit"),
                          ("median-days", "Median days to decision by unit")):  # fmt: skip
        page.goto(f"/reports/{name}")
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
        assert_accessible(page)
    assert page.goto("/reports/pending?by=judge").status == 404  # type: ignore[union-attr]
    page.context.clear_cookies()
    sign_in(page, "web-auditor", "/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports")).to_have_count(0)
    assert page.goto("/reports").status == 403  # type: ignore[union-attr]
    assert page.goto("/reports/pending").status == 403  # type: ignore[union-attr]
