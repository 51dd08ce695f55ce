"""The precedent graph in Chromium (decision 0019): a page's citations in the viewer link to who cites the authority,
with counts per court and year; the look-up takes any spelling; a document's citations resolve to the reported
judgment Casefile holds; and a sealed citing document, or another unit's, is nowhere on the page for those who may
not see it."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import OTHER_UNIT, WebStack, assert_accessible, sign_in


def _upload(stack: WebStack, case_id: str, filename: str, text: str, **form: str) -> dict[str, Any]:
    with stack.api() as client:
        response = client.post(f"/api/v1/cases/{case_id}/documents", files={"file": (filename, text.encode())},
                               data=form)  # fmt: skip
    assert response.status_code == 202, response.text
    document = stack.wait_until_done(response.json()["id"])
    assert document["status"] == "indexed", document
    return document


@pytest.fixture(scope="module")
def precedents(web_stack: WebStack) -> dict[str, Any]:
    """An authority cited by an open paper and a sealed one of this unit, and by a paper of the other unit's case
    assigned to its officer; and the authority's own reported judgment."""
    page = random.Random(uuid.uuid4().int).randint(1000, 99999)
    tag = uuid.uuid4().hex[:6]
    ours = web_stack.create_case(f"W.P. No. {page} of 2023 {tag}", "Orchard Growers v. Canal Board")
    theirs = web_stack.create_case(f"Crl. A. No. {page} of 2024 {tag}", "State v. Tamarind", court="Sindh High Court",
                                   unit_id=web_stack.unit_ids[OTHER_UNIT])  # fmt: skip
    with web_stack.api() as client:
        assigned = client.post(f"/api/v1/cases/{theirs['id']}/assignments",
                               json={"user_id": web_stack.user_ids["other-officer"]})  # fmt: skip
        assert assigned.status_code == 201, assigned.text
    open_paper = _upload(web_stack, ours["id"], "orchard-petition.txt",
                         f"The petitioner relies on P.L.D. 2019 Supreme Court {page} for the canal's duty.",
                         filed_on="2023-04-01")  # fmt: skip
    sealed = _upload(web_stack, ours["id"], "witness-statement.txt",
                     f"Witness statement; counsel cites PLD 2019 SC {page}.", filed_on="2021-06-01")  # fmt: skip
    with web_stack.api() as client:
        response = client.patch(f"/api/v1/documents/{sealed['id']}", json={"sealed": True, "seal_reason": "witness"})
        assert response.status_code == 200, response.text
    foreign = _upload(web_stack, theirs["id"], "tamarind-appeal.txt",
                      f"Appeal grounds: PLD 2019 S.C. {page} governs.", filed_on="2024-02-01")  # fmt: skip
    reported_case = web_stack.create_case(f"C.A. No. {page} of 2019 {tag}", "Canal Board v. Growers",
                                          court="Supreme Court of Pakistan")  # fmt: skip
    reported = _upload(
        web_stack,
        reported_case["id"],
        "canal-board-judgment.txt",
        f"P L D 2019 Supreme Court {page}\n[Supreme Court of Pakistan]\nJUDGMENT\nThe duty is owed.",
    )
    assert reported["reported_as"] == [f"PLD 2019 SC {page}"]
    return {"citation": f"PLD 2019 SC {page}", "page": page, "open": open_paper, "sealed": sealed,
            "foreign": foreign, "reported": reported, "ours": ours, "theirs": theirs}  # fmt: skip


def test_the_case_list_finds_the_cases_citing_an_authority_typed_in_another_spelling(
    page: Page, precedents: dict[str, Any]
) -> None:
    typed = f"p.l.d. 2019 s.c. {precedents['page']}"
    sign_in(page, "other-officer")
    page.goto("/cases")
    page.get_by_label("Search cases").fill(typed)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("case-count")).to_contain_text("1 case")
    expect(page.get_by_role("link", name=precedents["theirs"]["number"])).to_be_visible()
    expect(page.get_by_role("link", name=precedents["ours"]["number"])).to_have_count(0)  # another unit's case
    assert_accessible(page)


def test_the_viewer_links_a_pages_citation_to_who_cites_it(page: Page, precedents: dict[str, Any]) -> None:
    citation = precedents["citation"]
    sign_in(page, "web-clerk", f"/documents/{precedents['open']['id']}/pages/1")
    citations = page.get_by_test_id("page-citations")
    expect(citations).to_contain_text(citation)
    assert_accessible(page)
    citations.get_by_role("link", name=citation).click()
    expect(page.get_by_role("heading", name=f"Who cites {citation}")).to_be_visible()
    # The clerk sees their unit's open paper (and the reported judgment); not the sealed paper, not the other unit's.
    expect(page.get_by_test_id("cited-by-total")).to_have_text("Cited in 1 document, on 1 page.")
    rows = page.get_by_test_id("citing-documents").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("citing-documents")).to_contain_text("orchard-petition.txt")
    expect(page.get_by_test_id("by-court")).to_contain_text("Lahore High Court")
    expect(page.get_by_test_id("by-year").locator("tbody")).to_have_text("202311")  # 2023: 1 document, 1 page
    expect(page.get_by_test_id("reported-as")).to_contain_text("canal-board-judgment.txt")
    body = page.locator("main").inner_text()
    for hidden in ("witness-statement.txt", "tamarind-appeal.txt", "Sindh High Court"):
        assert hidden not in body, hidden
    assert_accessible(page)


def test_another_units_officer_sees_only_their_own_citing_paper(page: Page, precedents: dict[str, Any]) -> None:
    sign_in(page, "other-officer", f"/citations/{precedents['citation']}")
    expect(page.get_by_test_id("cited-by-total")).to_have_text("Cited in 1 document, on 1 page.")
    expect(page.get_by_test_id("citing-documents")).to_contain_text("tamarind-appeal.txt")
    expect(page.get_by_test_id("by-court")).to_contain_text("Sindh High Court")
    body = page.locator("main").inner_text()
    for hidden in ("witness-statement.txt", "orchard-petition.txt", "canal-board-judgment.txt", "Lahore High Court"):
        assert hidden not in body, hidden
    assert_accessible(page)


def test_the_look_up_takes_any_spelling(page: Page, precedents: dict[str, Any]) -> None:
    sign_in(page, "web-admin", "/citations")
    page.get_by_label("Citation, in any spelling").fill(f"p.l.d. 2019 supreme court {precedents['page']}")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("heading", name=f"Who cites {precedents['citation']}")).to_be_visible()
    expect(page.get_by_test_id("cited-by-total")).to_have_text("Cited in 3 documents, on 3 pages.")  # the admin
    page.get_by_label("Citation, in any spelling").fill("not a citation")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("alert")).to_contain_text("is not a citation")
    assert_accessible(page)


def test_a_documents_citations_resolve_to_the_reported_judgment(page: Page, precedents: dict[str, Any]) -> None:
    sign_in(page, "web-clerk", f"/documents/{precedents['open']['id']}/citations")
    table = page.get_by_test_id("document-cites")
    expect(table).to_contain_text(precedents["citation"])
    expect(table.get_by_role("link", name="canal-board-judgment.txt")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/documents/{precedents['reported']['id']}/citations")
    expect(page.get_by_test_id("reported-as")).to_contain_text(f"Reported as {precedents['citation']}")
    assert_accessible(page)
