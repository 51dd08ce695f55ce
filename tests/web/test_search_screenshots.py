"""Screenshots of the search page and the viewer at 1366×768 for docs/screenshots/ (the README shows them). Written
only with CASEFILE_SCREENSHOTS=1, so that an ordinary test run never changes the tree; the layout checks run always."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import WebStack, sign_in
from tests.web.corpus import PHRASE, english_scan, many_pages, urdu_scan

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _save(page: Page, name: str) -> None:
    if os.environ.get("CASEFILE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


def _apart(first: Locator, second: Locator) -> None:
    """Two regions side by side or one above the other: their boxes do not overlap."""
    one, two = first.bounding_box(), second.bounding_box()
    assert one is not None and two is not None
    overlap_x = min(one["x"] + one["width"], two["x"] + two["width"]) - max(one["x"], two["x"])
    overlap_y = min(one["y"] + one["height"], two["y"] + two["height"]) - max(one["y"], two["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (one, two)


def _image_loaded(page: Page) -> None:
    expect(page.locator("img.page-image")).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.page-image').naturalWidth > 0")
    page.evaluate("() => document.fonts.ready")


def test_search_page_with_results(page: Page, web_stack: WebStack) -> None:
    english_scan(web_stack)
    many_pages(web_stack)
    sign_in(page, "web-clerk", "/search?q=" + quote("clerk OR wombat"))
    expect(page.locator("li.hit").first).to_be_visible()
    _apart(page.get_by_role("region", name="Refine"), page.get_by_role("region", name="Results"))
    _apart(page.locator(".search-form"), page.get_by_role("region", name="Refine"))
    _save(page, "search.png")


def test_viewer_with_boxes(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    sign_in(page, "web-clerk", f"/documents/{scan.document_id}/pages/2?q={quote(chr(34) + PHRASE + chr(34))}")
    _image_loaded(page)
    expect(page.locator(".hit-box")).to_have_count(3)
    _apart(page.locator(".page-pane"), page.locator(".text-pane"))
    _apart(page.locator(".viewer-bar"), page.locator(".viewer"))
    # Start the view at the hit, as a reader would scroll to it.
    page.locator(".page-scroller").evaluate(
        "(scroller) => { const box = scroller.querySelector('.hit-box'); scroller.scrollTop = box.offsetTop - 60 }"
    )
    _save(page, "viewer.png")


def test_viewer_of_an_urdu_page(page: Page, web_stack: WebStack) -> None:
    scan = urdu_scan(web_stack)
    sign_in(page, "web-clerk", f"/documents/{scan.document_id}/pages/1?q={quote('ضمانت')}")
    _image_loaded(page)
    text = page.get_by_test_id("page-text")
    assert text.evaluate("element => getComputedStyle(element).direction") == "rtl"
    _apart(page.locator(".page-pane"), page.locator(".text-pane"))
    _save(page, "viewer-urdu.png")
