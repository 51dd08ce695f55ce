"""The search page in Chromium: page hits with snippets and links to the viewer, facets, dates, pagination, the
case-level switch, the bookmarkable URL, the walls, and text that must show literally."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Dialog, Page, expect

from tests.web.conftest import WebStack, assert_accessible, sign_in
from tests.web.corpus import PHRASE, english_scan, many_pages, markup_pdf
from web.pages.search import marked_snippet


def _search(page: Page, query: str) -> None:
    page.get_by_role("searchbox", name="Search").fill(query)
    page.get_by_role("button", name="Run search").click()


def _total(page: Page) -> int:
    total = page.get_by_test_id("result-total")
    expect(total).to_be_visible()
    return int(total.get_attribute("data-total") or "-1")


def test_an_empty_search_shows_the_query_language_and_no_error(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-clerk", "/search")
    expect(page).to_have_url(f"{web_stack.base_url}/search")
    expect(page.get_by_role("searchbox", name="Search")).to_be_visible()
    help_section = page.get_by_role("region", name="How to search")
    expect(help_section).to_contain_text('"natural justice"')
    expect(help_section).to_contain_text("OR")
    expect(help_section).to_contain_text("adjourn*")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_test_id("result-total")).to_have_count(0)
    assert_accessible(page)


def test_a_phrase_from_a_scan_finds_its_page_and_links_to_the_viewer(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    sign_in(page, "web-clerk", "/search")
    _search(page, f'"{PHRASE}"')
    assert _total(page) == 1
    hit = page.locator("li.hit")
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text(scan.case["number"])
    expect(hit).to_contain_text("Tamarind Growers v. Canal Board")  # the case title
    expect(hit).to_contain_text("orchard-scan.pdf")  # the document (no title given: its file name)
    expect(hit.locator("mark").first).to_be_visible()
    expect(hit.locator(".snippet mark")).to_have_text([PHRASE], ignore_case=True)
    link = hit.get_by_role("link", name="page 2")
    expect(link).to_have_attribute("href", f"/documents/{scan.document_id}/pages/2?q=%22tamarind+orchard+boundary%22")
    assert_accessible(page)
    link.click()
    expect(page).to_have_url(re.compile(rf"/documents/{scan.document_id}/pages/2\?q="))
    # The page's search is recorded like the API's: who, what and how many.
    with web_stack.api("web-admin") as client:
        events = client.get("/api/v1/audit", params={"action": "search", "actor": "web-clerk"}).json()["items"]
    assert any(event["detail"].get("query") == f'"{PHRASE}"' and event["detail"].get("total") == 1 for event in events)


def test_the_url_holds_the_whole_search_and_a_reload_gives_the_same_results(page: Page, web_stack: WebStack) -> None:
    english_scan(web_stack)
    sign_in(page, "web-clerk", "/search")
    page.get_by_role("searchbox", name="Search").fill("clerk recorded hearing")
    page.get_by_label("Document type").select_option("judgment")
    page.get_by_label("Filed from").fill("2000-01-01")  # no filing date on the scan: the range leaves nothing
    page.get_by_role("button", name="Run search").click()
    assert _total(page) == 0
    page.get_by_label("Filed from").fill("")
    page.get_by_role("button", name="Run search").click()
    assert _total(page) == 3  # the shared line is on all three pages
    query = parse_qs(urlsplit(page.url).query, keep_blank_values=True)  # no empty fields: only what was asked
    assert query == {"q": ["clerk recorded hearing"], "doc_type": ["judgment"], "mode": ["pages"]}
    pages_shown = page.locator("li.hit").evaluate_all("hits => hits.map(hit => hit.dataset.page)")
    assert sorted(pages_shown) == ["1", "2", "3"]
    page.reload()
    assert _total(page) == 3
    assert page.locator("li.hit").evaluate_all("hits => hits.map(hit => hit.dataset.page)") == pages_shown
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("clerk recorded hearing")
    expect(page.get_by_label("Document type")).to_have_value("judgment")
    # A shared address opened fresh (another tab) shows the same search.
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_test_id("result-total")).to_have_attribute("data-total", "3")
    other.close()


def test_facets_filter_the_hits_and_pagination_walks_them(page: Page, web_stack: WebStack) -> None:
    many_pages(web_stack)
    english_scan(web_stack)
    sign_in(page, "web-clerk", "/search?q=wombat")
    assert _total(page) == 25
    expect(page.locator("li.hit")).to_have_count(20)
    expect(page.get_by_test_id("result-total")).to_contain_text("showing 1–20")
    facets = page.get_by_role("region", name="Refine")
    expect(facets).to_contain_text("evidence")
    facets.get_by_role("link", name="evidence").click()
    expect(page).to_have_url(re.compile(r"doc_type=evidence"))
    assert _total(page) == 25
    page.get_by_role("link", name="Next results").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("li.hit")).to_have_count(5)
    expect(page.get_by_test_id("result-total")).to_contain_text("showing 21–25")
    expect(page.get_by_text("Results page 2 of 2")).to_be_visible()
    page.get_by_role("link", name="Previous results").click()
    expect(page.locator("li.hit")).to_have_count(20)
    page.get_by_role("link", name="Remove filter Document type").click()
    expect(page).not_to_have_url(re.compile(r"doc_type="))
    page.goto("/search?q=wombat&doc_type=judgment")
    assert _total(page) == 0


def test_the_switch_to_case_level_results(page: Page, web_stack: WebStack) -> None:
    scan = english_scan(web_stack)
    many_pages(web_stack)
    sign_in(page, "web-clerk", "/search?q=tamarind")
    assert _total(page) == 1
    page.get_by_role("navigation", name="Result kind").get_by_role("link", name="Cases").click()
    expect(page).to_have_url(re.compile(r"mode=cases"))
    assert _total(page) == 1
    row = page.locator("table.case-results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(scan.case["number"])
    expect(row).to_contain_text("Tamarind Growers v. Canal Board")
    expect(row.get_by_role("link", name=scan.case["number"])).to_have_attribute("href", f"/cases/{scan.case['id']}")
    assert_accessible(page)
    page.get_by_role("navigation", name="Result kind").get_by_role("link", name="Page hits").click()
    expect(page.locator("li.hit")).to_have_count(1)


def test_an_officer_of_another_unit_finds_nothing_of_the_case(page: Page, web_stack: WebStack) -> None:
    english_scan(web_stack)
    sign_in(page, "other-officer", "/search")
    # The scan's own phrase: other tests give this officer cases of their own that mention tamarinds.
    _search(page, '"tamarind orchard boundary"')
    assert _total(page) == 0
    expect(page.locator(".snippet")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Canal Board")
    page.goto('/search?q="tamarind orchard boundary"&mode=cases')
    assert _total(page) == 0
    expect(page.locator("main")).not_to_contain_text("Canal Board")


def test_markup_in_page_text_and_in_the_query_shows_literally(page: Page, web_stack: WebStack) -> None:
    markup_pdf(web_stack)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page, "web-clerk", "/search")
    query = "quokka <script>alert('query')</script>"
    _search(page, query)
    expect(page.get_by_role("searchbox", name="Search")).to_have_value(query)
    # The query's own words (script, alert, query) are not on the page: search the plain word instead.
    _search(page, "quokka")
    assert _total(page) == 1
    snippet = page.locator(".snippet").first
    expect(snippet).to_contain_text("<script>alert('page')</script>")
    expect(snippet).to_contain_text("<b>bold</b> & more")
    expect(snippet.locator("script, b")).to_have_count(0)
    expect(snippet.locator("mark")).to_have_text(["quokka", "quokka"], ignore_case=True)
    expect(page.locator("li.hit")).to_contain_text("<script>alert('title')</script> Markup v. State")
    page.goto("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("<script>alert(1)</script>")
    assert dialogs == []


def test_a_malformed_query_shows_the_problem_on_the_page(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-clerk", "/search")
    _search(page, "(bail surety")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The search could not run")
    expect(alert).to_contain_text("the '(' at character 1 is never closed")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("(bail surety")
    page.goto("/search?q=bail&filed_from=yesterday")
    expect(page.get_by_role("alert")).to_contain_text("Filed from must be a date")
    page.goto("/search?q=bail&mode=cases&status=nonsense")
    expect(page.get_by_role("alert")).to_contain_text("'nonsense' is not a case status")


def test_an_auditor_may_not_search_case_papers(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-auditor", "/search?q=tamarind")
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()


def test_snippets_keep_only_balanced_mark_tags() -> None:
    assert marked_snippet("a <mark>b</mark> &lt;script&gt;") == "a <mark>b</mark> &lt;script&gt;"
    assert marked_snippet("<script>x</script> <mark>y") == "&lt;script&gt;x&lt;/script&gt; <mark>y</mark>"
    assert marked_snippet("</mark>z <mark><mark>w</mark>") == "z <mark>w</mark>"
    assert marked_snippet('<img src=x onerror="alert(1)">') == '&lt;img src=x onerror="alert(1)"&gt;'
