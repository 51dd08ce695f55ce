"""The page viewer in Chromium: a search hit opens the right page with boxes over the hit's words, next and previous
page and hit, zoom, the page's text (Urdu right to left), the original's download, the audit record of a view,
friendly 404s, and markup shown literally."""

from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import Dialog, Locator, Page, expect

from search.query import parse_query
from tests.web.conftest import WebStack, assert_accessible, sign_in
from tests.web.corpus import (
    PHRASE,
    PHRASE_LINE,
    PHRASE_PAGE,
    SCAN_PAGES,
    Rect,
    english_scan,
    markup_pdf,
    phrase_rect,
    urdu_scan,
)
from web.pages.viewer import is_urdu, marked_text


def _on_image(box: Locator, image: Locator) -> Rect:
    """Where a box is drawn, as fractions of the image as the browser lays it out."""
    outer, inner = image.bounding_box(), box.bounding_box()
    assert outer is not None and inner is not None
    return Rect((inner["x"] - outer["x"]) / outer["width"], (inner["y"] - outer["y"]) / outer["height"],
                inner["width"] / outer["width"], inner["height"] / outer["height"])  # fmt: skip


def _image_loaded(page: Page) -> None:
    image = page.locator("img.page-image")
    expect(image).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('img.page-image'); return i.naturalWidth > 0 }")


def _assert_boxes_over_the_phrase(page: Page) -> None:
    boxes = page.locator(".hit-box")
    expect(boxes.first).to_be_attached()
    drawn = phrase_rect(SCAN_PAGES[PHRASE_PAGE - 1][PHRASE_LINE], PHRASE, PHRASE_LINE)
    image = page.locator("img.page-image")
    rects = [_on_image(boxes.nth(index), image) for index in range(boxes.count())]
    assert rects, "no box on the page"
    assert all(rect.overlaps(drawn, tolerance=0.01) for rect in rects), (rects, drawn)
    # Together the boxes cover the phrase's width, within a few hundredths.
    left, right = min(r.x for r in rects), max(r.x + r.w for r in rects)
    assert abs(left - drawn.x) < 0.03 and abs(right - (drawn.x + drawn.w)) < 0.03, (rects, drawn)


def test_a_hit_opens_its_page_with_boxes_over_the_phrase(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    sign_in(page, "web-clerk", "/search")
    page.get_by_role("searchbox", name="Search").fill(f'"{PHRASE}"')
    page.get_by_role("button", name="Run search").click()
    page.locator("li.hit").get_by_role("link", name="page 2").click()
    expect(page).to_have_url(re.compile(rf"/documents/{scan.document_id}/pages/2\?q="))
    expect(page.get_by_text("Page 2 of 3", exact=True)).to_be_visible()
    image = page.locator("img.page-image")
    expect(image).to_have_attribute("src", f"/api/v1/documents/{scan.document_id}/pages/2/image?width=1000")
    _image_loaded(page)
    expect(page.locator(".hit-box")).to_have_count(3)  # tamarind, orchard, boundary
    _assert_boxes_over_the_phrase(page)
    expect(page.get_by_test_id("page-text")).to_contain_text(f"old {PHRASE} near the canal")
    expect(page.get_by_test_id("page-text").locator("mark")).to_have_text(PHRASE.split())
    expect(page.get_by_test_id("page-text")).to_have_attribute("dir", "auto")
    expect(page.get_by_test_id("hit-of")).to_have_text("Hit 1 of 1")
    assert_accessible(page)


def test_zoom_keeps_the_boxes_on_the_words(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    sign_in(page, "web-clerk", f"/documents/{scan.document_id}/pages/2?q={quote(PHRASE)}")
    _image_loaded(page)
    width = page.locator("img.page-image").bounding_box()["width"]  # type: ignore[index]
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_role("button", name="Zoom in").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("150%")
    zoomed = page.locator("img.page-image").bounding_box()["width"]  # type: ignore[index]
    assert zoomed > width * 1.4
    _assert_boxes_over_the_phrase(page)
    page.get_by_role("button", name="Zoom out").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("125%")
    page.get_by_role("button", name="Fit width").click()
    expect(page.get_by_test_id("zoom-level")).to_have_text("100%")
    assert abs(page.locator("img.page-image").bounding_box()["width"] - width) < 1  # type: ignore[index]


def test_next_and_previous_page_and_hit(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    base = f"/documents/{scan.document_id}/pages"
    sign_in(page, "web-clerk", f"{base}/1?q=tamarind")
    expect(page.get_by_text("Page 1 of 3", exact=True)).to_be_visible()
    expect(page.get_by_test_id("hit-of")).to_have_text("1 page matches")  # page 1 holds no hit
    expect(page.locator(".hit-box")).to_have_count(0)
    expect(page.get_by_text("Previous page", exact=True)).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_text("Previous hit", exact=True)).to_have_attribute("aria-disabled", "true")
    page.get_by_role("link", name="Next hit").click()
    expect(page).to_have_url(re.compile(rf"{base}/2\?q=tamarind$"))
    expect(page.get_by_text("Page 2 of 3", exact=True)).to_be_visible()
    expect(page.get_by_test_id("hit-of")).to_have_text("Hit 1 of 1")
    expect(page.locator(".hit-box")).to_have_count(1)
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 3 of 3", exact=True)).to_be_visible()
    expect(page.get_by_text("Next page", exact=True)).to_have_attribute("aria-disabled", "true")
    page.get_by_role("link", name="Previous hit").click()
    expect(page.get_by_text("Page 2 of 3", exact=True)).to_be_visible()
    # A query on every page: hits walk 1 -> 2 -> 3 and back, the query kept in each address.
    page.goto(f"{base}/1?q={quote('clerk recorded')}")
    expect(page.get_by_test_id("hit-of")).to_have_text("Hit 1 of 3")
    page.get_by_role("link", name="Next hit").click()
    expect(page.get_by_test_id("hit-of")).to_have_text("Hit 2 of 3")
    page.get_by_role("link", name="Next hit").click()
    expect(page.get_by_test_id("hit-of")).to_have_text("Hit 3 of 3")
    expect(page.get_by_text("Next hit", exact=True)).to_have_attribute("aria-disabled", "true")
    page.get_by_role("link", name="Previous hit").click()
    expect(page.get_by_text("Page 2 of 3", exact=True)).to_be_visible()
    page.get_by_role("link", name="Previous page").click()
    expect(page).to_have_url(re.compile(rf"{base}/1\?q=clerk\+recorded$"))
    # Find in this document asks again from here.
    page.get_by_label("Find in this document").fill("foregoing reasons")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_test_id("hit-of")).to_have_text("1 page matches")
    page.get_by_role("link", name="Next hit").click()
    expect(page.get_by_text("Page 3 of 3", exact=True)).to_be_visible()


def test_an_urdu_page_reads_right_to_left_in_the_shipped_font(page: Page, web_stack: WebStack) -> None:
    scan = urdu_scan(web_stack)
    sign_in(page, "web-clerk", f"/documents/{scan.document_id}/pages/1?q={quote('ضمانت')}")
    text = page.get_by_test_id("page-text")
    expect(text).to_have_attribute("dir", "rtl")
    expect(text).to_have_attribute("lang", "ur")
    expect(text).to_contain_text("ضمانت")
    assert text.evaluate("element => getComputedStyle(element).direction") == "rtl"
    assert "Noto Naskh Arabic" in text.evaluate("element => getComputedStyle(element).fontFamily")
    page.wait_for_function("() => document.fonts.check('16px \"Noto Naskh Arabic\"', 'ضمانت')")
    expect(page.locator(".hit-box")).not_to_have_count(0)
    assert_accessible(page)


def test_out_of_range_and_walled_pages_are_friendly_404s(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    base = f"/documents/{scan.document_id}/pages"
    sign_in(page, "web-clerk")
    for number in ("9", "0", "-1", "two"):
        response = page.goto(f"{base}/{number}")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Not found", ignore_case=True)
    page.goto(f"{base}/9")
    expect(page.locator("main")).to_contain_text("This document has no page 9: it has 3 pages.")
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "other-officer")
    response = page.goto(f"{base}/2?q=tamarind")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("There is no such document, or it has not been shared with you.")
    expect(page.locator("main")).not_to_contain_text("Tamarind")
    response = page.goto("/documents/no-such-document/pages/1")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("There is no such document")


def test_markup_in_page_text_and_query_shows_literally(page: Page, web_stack: WebStack) -> None:
    markup = markup_pdf(web_stack)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    query = "quokka <script>alert('q')</script>"
    sign_in(page, "web-clerk", f"/documents/{markup.document_id}/pages/1?q={quote(query)}")
    text = page.get_by_test_id("page-text")
    expect(text).to_contain_text("<script>alert('page')</script> quokka <b>bold</b> & more")
    expect(text.locator("script, b")).to_have_count(0)
    expect(text.locator("mark")).to_have_text(["script", "alert", "script", "quokka", "quokka"])  # the query's words
    expect(page.get_by_label("Find in this document")).to_have_value(query)
    expect(page.get_by_role("heading", level=1)).to_have_text("markup.pdf")
    expect(page.locator(".crumbs")).to_contain_text("<script>alert('title')</script> Markup v. State")
    assert dialogs == []


def test_download_of_the_original_and_the_view_is_audited(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)

    def page_3_events(action: str) -> int:
        """How many audit rows of this action the clerk has for page 3 (other tests here view this scan too)."""
        with web_stack.api("web-admin") as client:
            items = client.get("/api/v1/audit", params={"action": action, "target_id": scan.document_id,
                                                        "actor": "web-clerk", "size": 500}).json()["items"]  # fmt: skip
        return sum(1 for event in items if event["detail"].get("page") == 3)

    views_before, images_before = page_3_events("document.view_page"), page_3_events("document.view_image")
    sign_in(page, "web-clerk", f"/documents/{scan.document_id}/pages/3")
    image = page.locator("img.page-image")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('img.page-image').complete")
    link = page.get_by_role("link", name="Download original")
    expect(link).to_have_attribute("href", f"/api/v1/documents/{scan.document_id}/file")
    download = page.request.get(f"/api/v1/documents/{scan.document_id}/file")  # the browser's session cookie
    assert download.status == 200 and download.body().startswith(b"%PDF")
    assert page_3_events("document.view_page") == views_before + 1  # one view, not one more for its image
    assert page_3_events("document.view_image") >= images_before  # the image (unless the browser had it cached)


def test_the_page_text_marks_the_matched_words_and_escapes_the_rest() -> None:
    marked = marked_text("a <b>bail</b> bails", parse_query("bail"))
    assert marked == "a &lt;b&gt;<mark>bail</mark>&lt;/b&gt; <mark>bails</mark>"
    assert marked_text("natural\njustice, natural law", parse_query('"natural justice"')) == (
        "<mark>natural</mark>\n<mark>justice</mark>, natural law"
    )
    assert marked_text("bail <i>", parse_query("bail -surety")) == "<mark>bail</mark> &lt;i&gt;"
    assert marked_text("<i>", None) == "&lt;i&gt;"
    assert is_urdu("درخواست ضمانت منظور", "eng") and not is_urdu("Bail granted", "urd") and is_urdu("", "urd+eng")
