"""The lawyers' query language through the API on every stack (issue 11, decision 0017): proximity, sentence and
paragraph, fuzzy words, field queries, highlights and boxes, and malformed queries as 400 problems with a position."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

# One text file, three pages (a form feed starts a page); page 2 has two paragraphs.
ORDER = (
    "The petitioner seeks bail after arrest. The principles of natural justice require a fair hearing.\f"
    "Notice was issued to the respondent.\n\nThe hearing was adjourned because the record was missing.\f"
    "The case ends with golf\n"
)
LAST_PAGE = "hotel opens the last page. The magistrate recorded the statement of the pctitioner."


@pytest.fixture
def papers(stack_api: Api) -> dict[str, str]:
    case = stack_api.create_case(
        number="W.P. No. 1234 of 2023",
        court="Lahore High Court",
        case_type="constitutional",
        filed_on="2023-02-01",
        parties=[{"name": "Muhammad Aslam", "role": "petitioner"}],
    )
    other = stack_api.create_case(number="C.R. 55 of 2021", court="Sindh High Court", filed_on="2021-06-15")
    order = stack_api.upload(case["id"], "order.txt", (ORDER + "\f" + LAST_PAGE).encode(), doc_type="order")
    memo = stack_api.upload(
        other["id"], "memo.txt", b"Hearing notice for the natural justice memo.", doc_type="correspondence"
    )
    ids = {"order": order.json()["id"], "memo": memo.json()["id"]}
    for document_id in ids.values():
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    return ids


def _pages(api: Api, query: str) -> set[tuple[str, int]]:
    result = api.search(query)
    return {(hit["document_id"], hit["page"]) for hit in result["hits"]}


def test_proximity_sentence_paragraph_and_pages(stack_api: Api, papers: dict[str, str]) -> None:
    order = papers["order"]
    # "bail" and "arrest" are 2 apart: w/1 no, w/2 yes.
    assert _pages(stack_api, "bail w/1 arrest") == set()
    assert _pages(stack_api, "bail w/2 arrest") == {(order, 1)}
    assert _pages(stack_api, "arrest pre/2 bail") == set()
    assert _pages(stack_api, "bail pre/2 arrest") == {(order, 1)}
    # Across a sentence boundary w/N still counts; /s does not.
    assert _pages(stack_api, "arrest w/3 principles") == {(order, 1)}
    assert _pages(stack_api, "arrest /s principles") == set()
    assert _pages(stack_api, "arrest /p principles") == {(order, 1)}
    # Across a paragraph boundary: near, not in one paragraph.
    assert _pages(stack_api, "respondent w/3 hearing") == {(order, 2)}
    assert _pages(stack_api, "respondent /p hearing") == set()
    assert _pages(stack_api, "notice /p respondent") == {(order, 2)}
    # Never across pages.
    assert _pages(stack_api, "golf w/5 hotel") == set()
    # Binding: (bail w/2 arrest) AND justice.
    assert _pages(stack_api, "bail w/2 arrest justice") == {(order, 1)}
    assert _pages(stack_api, "bail w/2 arrest notice") == set()
    # Phrase and group operands.
    memo = papers["memo"]
    assert _pages(stack_api, '"natural justice" w/10 (hearing OR notice)') == {(order, 1), (memo, 1)}
    assert _pages(stack_api, '"natural justice" pre/5 (hearing OR notice)') == {(order, 1)}


def test_fuzzy_and_field_queries(stack_api: Api, papers: dict[str, str]) -> None:
    order, memo = papers["order"], papers["memo"]
    assert _pages(stack_api, "pctitioner~1 magistrate") == {(order, 4)}
    assert _pages(stack_api, "magistrat~") == {(order, 4)}
    assert (order, 4) in _pages(stack_api, "petitioner~2")
    assert {document for document, _ in _pages(stack_api, "court:sindh")} == {memo}
    assert {document for document, _ in _pages(stack_api, 'party:"muhammad aslam" hearing')} == {order}
    assert {document for document, _ in _pages(stack_api, "number:1234")} == {order}
    assert {document for document, _ in _pages(stack_api, "doc_type:correspondence")} == {memo}
    assert _pages(stack_api, "hearing -court:lahore") == {(memo, 1)}


def test_highlights_and_boxes_mark_the_operands(stack_api: Api, papers: dict[str, str]) -> None:
    result = stack_api.search('"natural justice" w/10 hearing', court="Lahore High Court")
    (hit,) = result["hits"]
    snippet = " ".join(hit["snippets"]).lower()
    for word in ("natural", "justice", "hearing"):
        assert f"<mark>{word}</mark>" in snippet or f"<mark>{word} " in snippet or f" {word}</mark>" in snippet, snippet


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ("w/5 bail", 1, "nothing before it"),
        ("bail w/ arrest", 6, "needs a distance"),
        ("bail w/0 arrest", 6, "from 1"),
        ("bail /s", 6, "nothing after it"),
        ("court:", 1, "has no value"),
        ("bail w/5 -arrest", 6, "not an exclusion"),
        ("bail~3", 1, "edit distance"),
    ],
)
def test_malformed_operators_are_a_400_with_the_position(
    stack_api: Api, papers: dict[str, str], query: str, position: int, says: str
) -> None:
    response = stack_api.get("/api/v1/search", params={"q": query})
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    assert body["title"] == "Malformed query" and says in body["detail"], body
    assert body["position"] == position and f"character {position}" in body["detail"], body
