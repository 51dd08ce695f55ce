"""Uploading on the case page in the browser: several files at once, progress, live status without a reload,
failures with their reason and Reprocess, refusals with the problem's detail, and file names that are markup."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from playwright.sync_api import FilePayload, Locator, Page, expect

from tests.samples import LEGAL_PAGES, born_digital_pdf, scanned_pdf, scanned_tiff, truncated_pdf
from tests.web.conftest import WebStack, assert_accessible, sign_in
from tests.web.test_cases import never_a_dialog

# OCR on a shared two-core machine: generous, and only ever an upper bound (expect returns as soon as it holds).
PROCESSING_TIMEOUT_MS = 240_000

# Every <progress> the page ever shows, and every status each document row passes through.
WATCH_ROWS = """() => {
  window.casefileSeen = {progress: 0, statuses: {}, marker: 'no reload'};
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (!(node instanceof Element)) continue;
      window.casefileSeen.progress += node.matches('progress') ? 1 : node.querySelectorAll('progress').length;
      const rows = node.matches('tr[id^=doc-]') ? [node] : [];
      for (const row of rows) (window.casefileSeen.statuses[row.id] ||= []).push(row.dataset.status);
    }
  }).observe(document.getElementById('document-rows'), {childList: true, subtree: true});
}"""


def file(name: str, content: bytes, mime: str) -> FilePayload:
    return {"name": name, "mimeType": mime, "buffer": content}


def row_of(page: Page, filename: str) -> Locator:
    return page.locator("#document-rows tr").filter(has_text=filename)


def open_new_case(page: Page, web_stack: WebStack, username: str = "web-clerk") -> str:
    case = web_stack.create_case(f"UP {uuid.uuid4().hex[:8]}", title="Upload test")
    sign_in(page, username, f"/cases/{case['id']}")
    page.evaluate(WATCH_ROWS)
    return str(case["id"])


def test_a_text_pdf_a_scanned_pdf_and_a_tiff_picked_at_once_all_reach_indexed_without_a_reload(
    page: Page, web_stack: WebStack
) -> None:
    open_new_case(page, web_stack)
    picker = page.get_by_label("Add documents")
    expect(picker).to_have_attribute("multiple", "")
    picker.set_input_files([
        file("petition.pdf", born_digital_pdf(LEGAL_PAGES[:2]), "application/pdf"),
        file("scanned-order.pdf", scanned_pdf([LEGAL_PAGES[2]]), "application/pdf"),
        file("annexure.tiff", scanned_tiff([LEGAL_PAGES[0]]), "image/tiff"),
    ])  # fmt: skip
    for name in ("petition.pdf", "scanned-order.pdf", "annexure.tiff"):
        expect(row_of(page, name).locator(".status")).to_have_text("indexed", timeout=PROCESSING_TIMEOUT_MS)
    text_pdf, scan, tiff = (row_of(page, name) for name in ("petition.pdf", "scanned-order.pdf", "annexure.tiff"))
    expect(text_pdf.locator("td").nth(2)).to_have_text("2")
    expect(text_pdf.locator("td").nth(3)).to_have_text("text layer")
    expect(scan.locator("td").nth(3)).to_have_text("OCR")
    expect(tiff.locator("td").nth(3)).to_have_text("OCR")
    expect(scan.locator("td").nth(4)).to_have_text(re.compile(r"^\d{1,3}%$"))  # the mean OCR confidence
    viewer_link = re.compile(r"^/documents/[0-9a-f-]{36}/pages/1$")
    expect(scan.get_by_role("link", name="scanned-order.pdf")).to_have_attribute("href", viewer_link)
    seen = page.evaluate("window.casefileSeen")
    assert seen["marker"] == "no reload"  # the same page all along: the statuses came in live
    assert seen["progress"] >= 3  # each file had its progress bar while it uploaded
    for statuses in seen["statuses"].values():
        assert statuses[-1] == "indexed"
    assert_accessible(page)
    page.reload()  # and the server-rendered page agrees
    expect(page.locator("#document-rows .status")).to_have_text(["indexed", "indexed", "indexed"])


def test_a_damaged_pdf_shows_its_reason_and_reprocess_sends_it_through_again(page: Page, web_stack: WebStack) -> None:
    open_new_case(page, web_stack)
    page.get_by_label("Add documents").set_input_files([file("damaged.pdf", truncated_pdf(), "application/pdf")])
    row = row_of(page, "damaged.pdf")
    expect(row.locator(".status")).to_have_text("failed")
    expect(row.locator(".reason")).to_contain_text("damaged")
    assert_accessible(page)
    document_id = str(row.get_attribute("id"))
    row.get_by_role("button", name="Reprocess").click()
    # It leaves `failed` (queued again, back through the pipeline), then ends in `failed` once more.
    page.wait_for_function(
        """(id) => { const seen = window.casefileSeen.statuses[id] || [];
        return seen.includes('queued') && seen[seen.length - 1] === 'failed'; }""",
        arg=document_id,
        timeout=PROCESSING_TIMEOUT_MS,
    )
    expect(row.locator(".status")).to_have_text("failed")
    expect(row.locator(".reason")).to_contain_text("damaged")
    assert page.evaluate("window.casefileSeen.statuses")[document_id][0] == "failed"


def test_a_file_over_a_limit_fails_with_the_reason_and_reprocess_indexes_it_once_the_limit_is_raised(
    page: Page, web_stack: WebStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_new_case(page, web_stack)
    monkeypatch.setattr(web_stack.settings, "max_pages", 1)  # the running server reads its settings per request
    page.get_by_label("Add documents").set_input_files([
        file("two-pages.pdf", born_digital_pdf(LEGAL_PAGES[:2]), "application/pdf")
    ])  # fmt: skip
    row = row_of(page, "two-pages.pdf")
    expect(row.locator(".reason")).to_have_text("the PDF has 2 pages; the limit is 1")
    expect(row.locator(".status")).to_have_text("failed")
    monkeypatch.undo()  # an administrator raises the limit
    row.get_by_role("button", name="Reprocess").click()
    expect(row.locator(".status")).to_have_text("indexed", timeout=PROCESSING_TIMEOUT_MS)
    expect(row.locator(".reason")).to_have_count(0)
    expect(row.get_by_role("button", name="Reprocess")).to_have_count(0)


def test_an_oversize_upload_shows_the_problem_detail_in_its_row(
    page: Page, web_stack: WebStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_new_case(page, web_stack)
    monkeypatch.setattr(web_stack.settings, "max_upload_mb", 1)
    big = b"%PDF-1.4\n" + os.urandom(1536 * 1024)
    huge = b"%PDF-1.4\n" + os.urandom(6 * 1024 * 1024)  # past the framing allowance: refused before its body
    page.get_by_label("Add documents").set_input_files([
        file("big.pdf", big, "application/pdf"), file("huge.pdf", huge, "application/pdf"),
        file("small.txt", b"a short note", "text/plain"),
    ])  # fmt: skip
    row = row_of(page, "big.pdf")
    expect(row.locator(".status")).to_have_text("failed")
    expect(row.locator(".reason")).to_have_text("file is larger than the 1 MB upload limit")
    expect(row_of(page, "huge.pdf").locator(".reason")).to_have_text("the upload is larger than the 1 MB upload limit")
    expect(row_of(page, "small.txt").locator(".status")).to_have_text("indexed", timeout=PROCESSING_TIMEOUT_MS)
    assert_accessible(page)


def test_file_names_that_are_markup_show_as_text_dropped_or_picked_and_no_script_runs(
    page: Page, web_stack: WebStack
) -> None:
    opened = never_a_dialog(page)
    case_id = open_new_case(page, web_stack)
    picked, dropped = "<script>alert('picked').txt", "<img src=x onerror=alert('dropped')>.txt"
    page.get_by_label("Add documents").set_input_files([file(picked, b"picked note", "text/plain")])
    transfer = page.evaluate_handle(
        """(name) => { const transfer = new DataTransfer();
        transfer.items.add(new File(['dropped note'], name, {type: 'text/plain'})); return transfer; }""",
        dropped,
    )
    page.dispatch_event(".dropzone", "drop", {"dataTransfer": transfer})
    for name in (picked, dropped):
        expect(row_of(page, name).locator(".status")).to_have_text("indexed", timeout=PROCESSING_TIMEOUT_MS)
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    page.goto(f"/cases/{case_id}")  # rendered by the server this time
    for name in (picked, dropped):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    assert opened == []
