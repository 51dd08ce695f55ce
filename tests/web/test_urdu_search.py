"""Urdu on the search page and in the viewer (decision 0018): a query typed with Arabic letters finds the Urdu scan,
marks the word in the snippet, and the viewer boxes them on the scan."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in
from tests.web.corpus import urdu_scan


def test_an_urdu_query_in_arabic_letters_finds_and_marks_the_urdu_scan(page: Page, web_stack: WebStack) -> None:
    scan = urdu_scan(web_stack)
    sign_in(page, "web-clerk", "/search")
    # The scan reads "عالیہ" (Farsi yeh, heh goal); the query is typed with Arabic yeh and heh (ي ه) and a zer.
    page.get_by_role("searchbox", name="Search").fill("عالِيه")
    page.get_by_role("button", name="Run search").click()
    hit = page.locator("li.hit", has_text=scan.case["number"])
    expect(hit).to_have_count(1)
    expect(hit.locator(".snippet mark").first).to_have_text("عالیہ")
    assert_accessible(page)
    hit.get_by_role("link", name="page 1").click()
    expect(page.locator(".hit-box")).not_to_have_count(0)
    expect(page.get_by_test_id("page-text").locator("mark").first).to_have_text("عالیہ")
