"""Each role's home page: what they need first, through the same walls as the rest."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.samples import born_digital_pdf
from tests.web.conftest import WebStack, assert_accessible, sign_in
from tests.web.test_cases import create_through_form


def test_a_clerk_sees_their_units_recent_uploads_live_and_the_cases_they_created(
    page: Page, web_stack: WebStack
) -> None:
    sign_in(page, "web-clerk")
    number = f"HOME {uuid.uuid4().hex[:8]}"
    case_id = create_through_form(page, number, "Created by the clerk")
    document = web_stack.upload(case_id, f"home-{uuid.uuid4().hex[:6]}.pdf", born_digital_pdf())
    page.goto("/")
    created = page.get_by_role("table", name="Cases you created")
    expect(created.get_by_role("link", name=number)).to_be_visible()
    uploads = page.get_by_role("table", name="Recent uploads")
    row = uploads.locator(f"#doc-{document['id']}")
    expect(row.get_by_role("link", name=number)).to_be_visible()
    expect(row.locator(".status")).to_have_text("indexed", timeout=240_000)  # live: the row polls until done
    assert_accessible(page)


def test_an_officer_sees_assigned_cases_next_hearings_and_new_filings(page: Page, web_stack: WebStack) -> None:
    number = f"HEAR {uuid.uuid4().hex[:8]}"
    hearing = date.today() + timedelta(days=3)
    case = web_stack.create_case(number, title="Hearing soon", next_hearing_on=hearing.isoformat())
    with web_stack.api() as client:
        assigned = client.post(f"/api/v1/cases/{case['id']}/assignments",
                               json={"user_id": web_stack.user_ids["web-officer"]})  # fmt: skip
        assert assigned.status_code == 201, assigned.text
    filing = f"filing-{uuid.uuid4().hex[:6]}.pdf"
    web_stack.upload(case["id"], filing, born_digital_pdf(["A new filing " + uuid.uuid4().hex]))
    sign_in(page, "web-officer")
    expect(page.get_by_role("table", name="Cases assigned to you").get_by_role("link", name=number)).to_be_visible()
    hearings = page.get_by_role("region", name="Your next hearings")
    expect(hearings).to_contain_text(f"{hearing.isoformat()} · {number}")
    expect(page.get_by_role("table", name="New filings in your cases")).to_contain_text(filing)
    assert_accessible(page)


def test_a_focal_person_sees_their_units_cases_and_not_another_units(page: Page, web_stack: WebStack) -> None:
    ours = web_stack.create_case(f"FOCAL {uuid.uuid4().hex[:8]}", title="Our unit's", status="pending")
    theirs = web_stack.create_case(
        f"ELSE {uuid.uuid4().hex[:8]}", title="Their unit's", unit_id=web_stack.unit_ids["Ministry of Elsewhere"]
    )
    sign_in(page, "web-focal")
    table = page.get_by_role("table", name="Your unit's cases")
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=ours["number"]))
    expect(row).to_contain_text("pending")
    expect(table.get_by_role("link", name=theirs["number"])).to_have_count(0)
    assert_accessible(page)


def test_an_admin_sees_the_administration_summary_and_an_auditor_the_trail(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-admin")
    summary = page.get_by_role("region", name="Administration")
    for name in ("units", "users", "tokens", "granted cases"):
        expect(summary.get_by_role("link", name=re.compile(rf"^\d+ {name}$"))).to_be_visible()
    expect(summary.get_by_role("link", name="Manage units, users, tokens and grants")).to_have_attribute(
        "href", "/admin"
    )
    assert_accessible(page)
    page.context.clear_cookies()
    sign_in(page, "web-auditor")
    trail = page.get_by_role("table", name="Audit events, newest first")
    expect(trail).to_contain_text("auth.sign_in")
    expect(page.get_by_role("link", name="Cases")).to_have_count(0)  # auditors see no case content
    assert_accessible(page)
