"""Screenshots of the main pages at 1366×768 for the README (docs/screenshots/). Only with CASEFILE_SCREENSHOTS=1,
so that an ordinary run never rewrites files in the tree."""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.samples import LEGAL_PAGES, born_digital_pdf, scanned_tiff, urdu_scan_png
from tests.web.conftest import WebStack, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.skipif(
    os.environ.get("CASEFILE_SCREENSHOTS") != "1", reason="set CASEFILE_SCREENSHOTS=1 to write docs/screenshots"
)


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_screenshots_of_the_main_pages(page: Page, web_stack: WebStack) -> None:
    suffix = uuid.uuid4().hex[:4].upper()
    hearing = date.today() + timedelta(days=6)
    case = web_stack.create_case(
        f"W.P. No. 1234-{suffix} of 2024", title="Muhammad Aslam v. Province of Punjab through Chief Secretary",
        case_type="writ petition", next_hearing_on=hearing.isoformat(), filed_on="2024-03-11",
        parties=[{"role": "petitioner", "name": "Muhammad Aslam"}, {"role": "respondent", "name": "Province of Punjab"},
                 {"role": "respondent", "name": "محکمہ مال، حکومت پنجاب"}],
    )  # fmt: skip
    for number, title, status in (
        (f"C.P. No. 88-{suffix} of 2023", "Federation of Pakistan v. Rashid Ahmed", "pending"),
        (f"Crl. A. No. 410-{suffix} of 2022", "State v. Imran Khan Niazi", "reserved"),
        (f"R.F.A. No. 12-{suffix} of 2021", "Ghulam Rasool v. Lahore Development Authority", "decided"),
    ):
        web_stack.create_case(number, title=title, status=status, case_type="appeal")
    with web_stack.api() as client:
        client.post(f"/api/v1/cases/{case['id']}/assignments", json={"user_id": web_stack.user_ids["web-officer"]})
    uploads = [
        web_stack.upload(case["id"], "petition.pdf", born_digital_pdf()),
        web_stack.upload(case["id"], "annexure-B-scan.tiff", scanned_tiff(LEGAL_PAGES[:1])),
        web_stack.upload(case["id"], "درخواست-ضمانت.png", urdu_scan_png()),
    ]
    for uploaded in uploads:
        web_stack.wait_until_done(uploaded["id"])

    sign_in(page, "web-clerk")
    expect(page.get_by_role("heading", name="Recent uploads")).to_be_visible()
    shoot(page, "home-clerk")
    page.goto("/cases")
    shoot(page, "cases")
    page.goto(f"/cases/{case['id']}")
    expect(page.locator("#document-rows .status")).to_have_text(["indexed", "indexed", "indexed"])
    page.locator("#documents").scroll_into_view_if_needed()
    shoot(page, "case")
    page.set_viewport_size({"width": 1366, "height": 1400})
    page.goto(f"/cases/{case['id']}")
    page.screenshot(path=str(SCREENSHOTS / "case-full.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.context.clear_cookies()

    sign_in(page, "web-officer")
    shoot(page, "home-officer")
    page.context.clear_cookies()
    sign_in(page, "web-admin", "/admin")
    shoot(page, "admin")
    page.goto("/audit")
    shoot(page, "audit")
