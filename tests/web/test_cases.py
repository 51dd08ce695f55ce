"""The case pages in the browser: create, list, case-level search, edit, assignments, the walls and escaping."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Dialog, Page, expect

from tests.conftest import TEST_PASSWORD
from tests.web.conftest import WebStack, assert_accessible, sign_in


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def create_through_form(page: Page, number: str, title: str, court: str = "Lahore High Court") -> str:
    """Fill the new-case form as a clerk would; return the new case's id from the page it lands on."""
    page.goto("/cases")
    page.get_by_role("link", name="New case").click()
    page.get_by_label("Case number").fill(number)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Court").fill(court)
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/cases/*-*")
    return page.url.rsplit("/", 1)[-1]


def never_a_dialog(page: Page) -> list[str]:
    """Record every alert/confirm/prompt: an injected script would open one."""
    opened: list[str] = []

    def note(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", note)
    return opened


def test_a_clerk_creates_a_case_through_the_form_and_finds_it_in_the_list_and_by_search(
    page: Page, web_stack: WebStack
) -> None:
    sign_in(page, "web-clerk")
    word = uuid.uuid4().hex[:10]
    number = unique("W.P. No.")
    page.goto("/cases")
    assert_accessible(page)
    page.get_by_role("link", name="New case").click()
    assert_accessible(page)
    page.get_by_label("Case number").fill(number)
    page.get_by_label("Title").fill(f"Aslam v. Province {word}")
    page.get_by_label("Court").fill("Lahore High Court")
    page.get_by_label("Case type").fill("writ petition")
    page.get_by_label("Parties").fill("petitioner: Muhammad Aslam\nrespondent: Province of Punjab")
    page.get_by_label("Next hearing").fill("2030-01-15")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(number)
    expect(page.get_by_test_id("case-title")).to_have_text(f"Aslam v. Province {word}")
    expect(page.get_by_text("Muhammad Aslam")).to_be_visible()
    expect(page.get_by_text("2030-01-15")).to_be_visible()
    expect(page.get_by_test_id("seal-state")).to_have_text("not sealed")
    assert_accessible(page)

    page.goto("/cases")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.get_by_label("Search cases").fill(word)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("case-count")).to_contain_text("1 case")
    expect(page.get_by_role("link", name=number)).to_be_visible()
    page.get_by_label("Status").select_option("decided")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=number)).to_have_count(0)  # filters narrow the search
    assert_accessible(page)


def test_a_form_with_a_duplicate_number_or_a_blank_title_is_sent_back_with_the_reason(
    page: Page, web_stack: WebStack
) -> None:
    number = unique("C.A.")
    web_stack.create_case(number)
    sign_in(page, "web-clerk", "/cases/new")
    page.get_by_label("Case number").fill(number)
    page.get_by_label("Title").fill("Another title")
    page.get_by_label("Court").fill("Lahore High Court")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text(f"already has a case numbered '{number}'")
    expect(page.get_by_label("Title")).to_have_value("Another title")  # what was typed is kept
    page.get_by_label("Case number").fill(unique("C.A."))
    page.get_by_label("Title").fill("   ")
    page.evaluate("document.getElementById('title').removeAttribute('required')")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("alert")).to_contain_text("Title")
    assert_accessible(page)


def test_an_officer_of_another_unit_sees_the_case_nowhere(page: Page, web_stack: WebStack) -> None:
    word = uuid.uuid4().hex[:10]
    number = unique("Crl. A.")
    case = web_stack.create_case(number, title=f"Walled {word}")
    sign_in(page, "other-officer")
    page.goto("/cases")
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    expect(page.get_by_role("link", name=number)).to_have_count(0)
    page.goto(f"/cases?q={word}")
    expect(page.get_by_test_id("case-count")).to_have_text("0 cases matching “" + word + "”")
    response = page.goto(f"/cases/{case['id']}")
    assert response is not None and response.status == 404
    walled = page.locator("main").inner_text().replace(case["id"], "<id>")
    assert word not in page.content() and number not in page.content()
    missing_id = str(uuid.uuid4())
    missing = page.goto(f"/cases/{missing_id}")
    assert missing is not None and missing.status == 404
    # The same page for a case that exists but is walled off as for one that never existed, but for the id.
    assert page.locator("main").inner_text().replace(missing_id, "<id>") == walled
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    assert_accessible(page)
    # Nor through the document rows the case page polls, nor by reprocessing one of its documents.
    document = web_stack.upload(case["id"], "walled.txt", f"walled note {word}".encode())
    row = page.request.get(f"/cases/{case['id']}/documents/{document['id']}/row", headers={"Accept": "text/html"})
    assert row.status == 404 and word not in row.text()
    token = page.evaluate("document.body.dataset.csrfToken")
    refused = page.request.post(f"/cases/{case['id']}/documents/{document['id']}/reprocess",
                                headers={"X-CSRF-Token": token, "Accept": "text/html"})  # fmt: skip
    assert refused.status == 404


def test_the_list_pages_through_many_cases_and_keeps_its_filters(page: Page, web_stack: WebStack) -> None:
    court = unique("Court of Paging")
    for number in range(1, 23):
        web_stack.create_case(f"P-{number:02d}", court=court)
    sign_in(page, "web-focal", "/cases")
    page.get_by_label("Court").fill(court)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("case-count")).to_have_text("22 cases")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    expect(page.locator("table.cases tbody tr")).to_have_count(20)
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.locator("table.cases tbody tr")).to_have_count(2)
    expect(page.get_by_label("Court")).to_have_value(court)
    assert_accessible(page)


def test_a_script_in_a_title_or_party_is_shown_as_text_and_never_runs(page: Page, web_stack: WebStack) -> None:
    script = "<script>alert('case')</script>"
    opened = never_a_dialog(page)
    sign_in(page, "web-clerk")
    number = unique("<img src=x onerror=alert(1)>")
    case_id = create_through_form(page, number, f"{script} v. State")
    expect(page.get_by_test_id("case-title")).to_have_text(f"{script} v. State")
    page.goto(f"/cases/{case_id}/edit")
    page.get_by_label("Parties").fill(f"petitioner: {script}")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(script, exact=True)).to_be_visible()
    page.goto("/cases")
    expect(page.get_by_role("cell", name=f"{script} v. State")).to_be_visible()
    expect(page.get_by_role("link", name=number)).to_be_visible()
    assert opened == []
    assert page.locator("script:text('alert')").count() == 0


def test_editing_a_case_changes_it_and_only_those_who_may_write_see_edit(page: Page, web_stack: WebStack) -> None:
    case = web_stack.create_case(unique("R.F.A."), title="Before the edit")
    sign_in(page, "web-focal", f"/cases/{case['id']}")
    expect(page.get_by_test_id("case-title")).to_have_text("Before the edit")
    expect(page.get_by_role("link", name="Edit case")).to_have_count(0)  # focal persons read only
    assert page.goto(f"/cases/{case['id']}/edit").status == 403  # type: ignore[union-attr]
    page.context.clear_cookies()
    sign_in(page, "web-clerk", f"/cases/{case['id']}")
    page.get_by_role("link", name="Edit case").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("After the edit")
    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("case-title")).to_have_text("After the edit")
    expect(page.locator(".facts")).to_contain_text("pending")


def test_assigning_an_officer_shows_them_the_case_and_who_has_seen_it(page: Page, web_stack: WebStack) -> None:
    number = unique("W.P.")
    case = web_stack.create_case(number, title="Assignment test")
    sign_in(page, "web-clerk", f"/cases/{case['id']}")
    page.get_by_label("Officer to assign").select_option(label="Web Officer (Ministry of Test)")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#people")).to_contain_text("Web Officer")
    page.get_by_label("Grant to").select_option(label="Ministry of Elsewhere")
    page.get_by_role("button", name="Grant").click()
    expect(page.locator("#people")).to_contain_text("Ministry of Elsewhere (unit): read")
    page.get_by_role("button", name="Revoke the grant to Ministry of Elsewhere (unit)").click()
    expect(page.locator("#people")).not_to_contain_text("Ministry of Elsewhere (unit)")
    page.context.clear_cookies()

    sign_in(page, "web-officer", "/cases")
    page.get_by_label("Officer").select_option(label="Web Officer")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=number).click()
    seen = page.get_by_role("table", name="Who has seen this case")
    expect(seen).to_contain_text("web-clerk (clerk)")
    expect(seen).to_contain_text("web-officer (officer)")
    assert_accessible(page)
    page.get_by_role("link", name="The case's full access log").click()
    expect(page.get_by_role("table", name="Audit events, newest first")).to_contain_text("case.assign")
    assert_accessible(page)


def test_a_tampered_form_is_refused_with_403(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-clerk", "/cases/new")
    page.evaluate("document.querySelector('main input[name=csrf_token]').value = 'tampered'")
    page.get_by_label("Case number").fill(unique("Tampered"))
    page.get_by_label("Title").fill("Never saved")
    page.get_by_label("Court").fill("Lahore High Court")
    with page.expect_response("**/cases/new") as answer:
        page.get_by_role("button", name="Create").click()
    assert answer.value.status == 403
    expect(page.get_by_text("reload the page")).to_be_visible()
    with httpx.Client(base_url=web_stack.base_url) as client:  # and without any token at all
        client.post("/sign-in", data={"username": "web-clerk", "password": TEST_PASSWORD})
        refused = client.post("/cases/new", data={"number": "X", "title": "Y", "court": "Z"})
        assert refused.status_code == 403
    page.goto("/cases?q=%22Never%20saved%22")
    expect(page.get_by_test_id("case-count")).to_contain_text("0 cases")


def test_an_admin_seals_a_case_with_a_reason_and_the_unit_loses_sight_of_it(page: Page, web_stack: WebStack) -> None:
    number = unique("SEAL")
    case = web_stack.create_case(number, title="To be sealed")
    sign_in(page, "web-admin", f"/cases/{case['id']}/edit")
    assert_accessible(page)
    page.get_by_label("Sealed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("sealing needs a seal_reason")  # the service's rule
    page.get_by_label("Seal reason").fill("in-camera proceedings")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("seal-state")).to_have_text("sealed: in-camera proceedings")
    page.context.clear_cookies()
    sign_in(page, "web-focal", f"/cases/{case['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    page.context.clear_cookies()
    sign_in(page, "web-clerk", "/cases")
    expect(page.get_by_role("link", name=number)).to_have_count(0)
