"""The lawyers' query language on the search page in Chromium (decision 0017): the help shows the operators, and a
proximity query finds the right page with its words marked; a malformed one says where it goes wrong."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.samples import born_digital_pdf
from tests.web.conftest import WebStack, assert_accessible, sign_in


@pytest.fixture(scope="module")
def brief(web_stack: WebStack) -> dict[str, Any]:
    """Three pages: the words near each other on page 2 only (page 1 has them far apart, page 3 in the wrong order)."""
    tag = uuid.uuid4().hex[:6]
    case = web_stack.create_case(f"W.P. No. 4711 of 2024 {tag}", "Quince Traders v. Customs")
    far = "The quince consignment arrived. " + "Nothing was said about it for many days and weeks. " * 3 + "Embargo."
    pages = [far, "The quince embargo was lifted by the collector.", "An embargo on quince was never ordered."]
    with web_stack.api() as client:
        files = {"file": ("quince.pdf", born_digital_pdf(pages))}
        response = client.post(f"/api/v1/cases/{case['id']}/documents", files=files, data={"doc_type": "order"})
    assert response.status_code == 202, response.text
    document = web_stack.wait_until_done(response.json()["id"])
    assert document["status"] == "indexed", document
    return {"case": case, "document": document}


def test_the_help_shows_the_operators(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-clerk", "/search")
    help_section = page.get_by_role("region", name="How to search")
    for example in ("bail w/5 surety", "notice /s hearing", "petitioner~1", "court:lahore"):
        expect(help_section).to_contain_text(example)
    assert_accessible(page)


def test_a_proximity_query_finds_the_right_page(page: Page, web_stack: WebStack, brief: dict[str, Any]) -> None:
    sign_in(page, "web-clerk", "/search")
    page.get_by_role("searchbox", name="Search").fill("quince pre/2 embargo")
    page.get_by_role("button", name="Run search").click()
    total = page.get_by_test_id("result-total")
    expect(total).to_have_attribute("data-total", "1")
    hit = page.locator("li.hit")
    expect(hit).to_have_count(1)
    expect(hit.get_by_role("link", name="page 2")).to_be_visible()
    expect(hit.locator(".snippet mark")).to_have_text(["quince", "embargo"], ignore_case=True)
    assert_accessible(page)
    # Either order: page 3 too; far apart (page 1) never.
    page.get_by_role("searchbox", name="Search").fill("quince w/2 embargo")
    page.get_by_role("button", name="Run search").click()
    expect(total).to_have_attribute("data-total", "2")
    expect(page.locator("li.hit").get_by_role("link", name="page 1")).to_have_count(0)


def test_a_malformed_operator_says_where(page: Page, web_stack: WebStack) -> None:
    sign_in(page, "web-clerk", "/search")
    page.get_by_role("searchbox", name="Search").fill("quince w/ embargo")
    page.get_by_role("button", name="Run search").click()
    expect(page.get_by_role("alert")).to_contain_text("the operator 'w/' at character 8 needs a distance")
    assert_accessible(page)
