"""The query language, filters, facets, pagination and case-level search, on every stack."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from search.backends import elastic
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_api
from tests.samples import born_digital_pdf
from tests.stacks import STACKS, embedded_settings, production_stack

PAPERS = {
    "bail.txt": "The accused applied for bail after arrest. Bail is granted subject to surety.",
    "land.txt": "The suit concerns possession of agricultural land and mutation entries in revenue record.",
    "service.txt": "The civil servant challenged his premature retirement. The retirement order is set aside.",
}


@pytest.fixture
def corpus(stack_api: Api) -> dict[str, str]:
    first = stack_api.create_case(
        number="Crl. A. 10 of 2023",
        court="Lahore High Court",
        case_type="criminal",
        filed_on="2023-02-01",
        parties=[{"name": "Zahid Iqbal", "role": "appellant"}],
    )
    second = stack_api.create_case(
        number="C.R. 55 of 2021", court="Peshawar High Court", case_type="civil", filed_on="2021-06-15"
    )
    ids = {}
    for filename, case, doc_type in (
        ("bail.txt", first, "order"),
        ("land.txt", second, "judgment"),
        ("service.txt", second, "petition"),
    ):
        response = stack_api.upload(case["id"], filename, PAPERS[filename].encode(), doc_type=doc_type)
        assert response.status_code == 202, response.text
        ids[filename] = response.json()["id"]
    for document_id in ids.values():
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    return ids | {"first": first["id"], "second": second["id"]}


def _documents(result: dict) -> set[str]:
    return {hit["document_id"] for hit in result["hits"]}


def test_query_language(stack_api: Api, corpus: dict[str, str]) -> None:
    assert _documents(stack_api.search("bail surety")) == {corpus["bail.txt"]}
    assert _documents(stack_api.search("bail land")) == set()
    assert _documents(stack_api.search("bail OR land")) == {corpus["bail.txt"], corpus["land.txt"]}
    assert _documents(stack_api.search('"possession of agricultural land"')) == {corpus["land.txt"]}
    assert _documents(stack_api.search('"agricultural possession"')) == set()
    assert _documents(stack_api.search("retire*")) == {corpus["service.txt"]}
    assert _documents(stack_api.search("the -bail")) == {corpus["land.txt"], corpus["service.txt"]}
    assert _documents(stack_api.search("(bail OR retirement) -surety")) == {corpus["service.txt"]}
    # A minus before a group excludes the whole group, as it does a word.
    assert _documents(stack_api.search("the -(bail)")) == {corpus["land.txt"], corpus["service.txt"]}
    assert _documents(stack_api.search("the -(bail OR retirement)")) == {corpus["land.txt"]}
    assert _documents(stack_api.search("the -(retirement -surety)")) == {corpus["bail.txt"], corpus["land.txt"]}
    # Stray symbols between words are separators on both engines.
    assert _documents(stack_api.search("bail 😀 — surety")) == {corpus["bail.txt"]}


def test_filters_facets_and_pagination(stack_api: Api, corpus: dict[str, str]) -> None:
    everything = stack_api.search("the")
    assert everything["total"] == 3
    assert everything["facets"]["court"] == [  # most frequent first on both engines
        {"value": "Peshawar High Court", "count": 2},
        {"value": "Lahore High Court", "count": 1},
    ]
    assert {facet["value"] for facet in everything["facets"]["doc_type"]} == {"order", "judgment", "petition"}
    assert _documents(stack_api.search("the", court="Peshawar High Court", doc_type="petition")) == {
        corpus["service.txt"]
    }
    assert _documents(stack_api.search("the", case_type="criminal")) == {corpus["bail.txt"]}
    assert _documents(stack_api.search("the", filed_from="2022-01-01")) == {corpus["bail.txt"]}
    assert _documents(stack_api.search("the", filed_to="2022-01-01")) == {
        corpus["land.txt"],
        corpus["service.txt"],
    }
    first_page = stack_api.search("the", size=2, page=1)
    second_page = stack_api.search("the", size=2, page=2)
    assert len(first_page["hits"]) == 2 and len(second_page["hits"]) == 1
    assert _documents(first_page) | _documents(second_page) == {corpus[name] for name in PAPERS}


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("-bail", "only excludes"),
        ("(bail", "the '(' at character 1 is never closed"),
        ("bail)", "the ')' at character 5 closes no '('"),
        ("-", "no words"),
        ("*", "no words"),
        ('"', "no words"),
        ("()", "no words"),
        ("😀", "no words"),
    ],
)
def test_malformed_queries_are_a_400_problem(stack_api: Api, corpus: dict[str, str], query: str, says: str) -> None:
    for url in ("/api/v1/search", "/api/v1/cases"):  # case search parses the same language
        response = stack_api.get(url, params={"q": query})
        assert response.status_code == 400, (url, query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["title"] == "Malformed query" and says in response.json()["detail"], response.text


def test_a_nul_in_the_query_is_refused_before_any_query_with_422(stack_api: Api, corpus: dict[str, str]) -> None:
    for url in ("/api/v1/search", "/api/v1/cases"):  # api/deps.py refuses NUL anywhere in the address
        response = stack_api.get(url, params={"q": "bail\x00"})
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "NUL" in response.json()["detail"]


def test_a_page_beyond_the_result_window_is_422(stack_api: Api, corpus: dict[str, str]) -> None:
    response = stack_api.get("/api/v1/search", params={"q": "x", "page": 1000, "size": 100})
    assert response.status_code == 422 and "10000" in response.json()["detail"]


def test_case_level_search(stack_api: Api, corpus: dict[str, str]) -> None:
    by_text = stack_api.get("/api/v1/cases", params={"q": "retirement OR mutation"}).json()
    assert [(item["id"], item["matched_documents"]) for item in by_text["items"]] == [(corpus["second"], 2)]
    by_party = stack_api.get("/api/v1/cases", params={"q": "zahid"}).json()
    assert [item["id"] for item in by_party["items"]] == [corpus["first"]]
    by_number = stack_api.get("/api/v1/cases", params={"q": "C.R. 55"}).json()
    assert [item["id"] for item in by_number["items"]] == [corpus["second"]]
    listed = stack_api.get("/api/v1/cases", params={"court": "Lahore High Court"}).json()
    assert [item["id"] for item in listed["items"]] == [corpus["first"]]


def test_hyphenated_line_break_phrase(stack_api: Api) -> None:
    case = stack_api.create_case()
    pdf = born_digital_pdf(["The learned trial court erred in its judg-\nment on the question of limi-\ntation."])
    uploaded = stack_api.upload(case["id"], "h.pdf", pdf).json()
    assert stack_api.wait_until_done(uploaded["id"])["status"] == "indexed"
    assert stack_api.search('"its judgment on the question of limitation"')["total"] == 1


def test_dates_and_abbreviations_in_phrases(stack_api: Api) -> None:
    case = stack_api.create_case()
    text = "Order of 17.6.2000 in W.P. No. 1234/2024 by Mr. Justice A.B. Khan, and adjourned."
    uploaded = stack_api.upload(case["id"], "o.txt", text.encode()).json()
    assert stack_api.wait_until_done(uploaded["id"])["status"] == "indexed"
    for query in ('"of 17.6.2000 in W.P. No. 1234/2024"', "17.6.2000", '"Justice A.B. Khan"', "1234/2024 adjourned"):
        assert stack_api.search(query)["total"] == 1, query


def test_legacy_encoded_text_is_kept_as_sent_and_searchable(stack_api: Api) -> None:
    case = stack_api.create_case()
    text = "Le café – “quoted” naïve résumé: the court’s order.\n\nBail is granted to Señor Muñoz."
    original = text.encode("cp1252")
    response = stack_api.upload(case["id"], "order.txt", original)
    assert response.status_code == 202, response.text
    document_id = response.json()["id"]
    assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    assert stack_api.get(f"/api/v1/documents/{document_id}/file").content == original  # the bytes as sent
    (stored,) = stack_api.get(f"/api/v1/documents/{document_id}/pages").json()["items"]
    assert stored["text"] == text  # decoded, not mangled into U+FFFD
    for query in ("café", '"naïve résumé"', "Muñoz", '"the court’s order"'):
        assert _documents(stack_api.search(query)) == {document_id}, query


def test_binary_bytes_are_still_refused_as_415(stack_api: Api) -> None:
    case = stack_api.create_case()
    response = stack_api.upload(case["id"], "notes.txt", random.Random(10).randbytes(8192))
    assert response.status_code == 415, response.text
    assert "text/plain" in response.json()["supported_types"]


@pytest.mark.timeout(600)  # a guard for the whole upload, indexing and search: never a timing assertion
def test_a_20_mb_text_without_form_feeds_becomes_many_pages_and_stays_searchable(stack_api: Api) -> None:
    case = stack_api.create_case()
    paragraph = ("The applicant seeks bail pending the trial before the learned court. " * 40).strip() + "\n\n"
    content = (paragraph * (20 * 1024 * 1024 // len(paragraph) + 1)).encode()
    response = stack_api.upload(case["id"], "transcript.txt", content)
    assert response.status_code == 202, response.text
    document = stack_api.wait_until_done(response.json()["id"], timeout=540)
    assert document["status"] == "indexed", document
    assert 1000 <= document["page_count"] <= stack_api.settings.max_pages
    result = stack_api.search("bail", size=100)
    assert result["total"] == document["page_count"]
    assert all(len(hit["snippets"][0]) < 1000 and "<mark>" in hit["snippets"][0] for hit in result["hits"])
    assert stack_api.search('"pending the trial"', page=10, size=100)["total"] == document["page_count"]


@contextmanager
def _api_with(stack: str, tmp_path: Path, **overrides: Any) -> Iterator[Api]:
    if stack == "embedded":
        with open_api(embedded_settings(tmp_path, BOOTSTRAP_TOKEN, **overrides)) as api:
            yield api
        return
    with production_stack(tmp_path, BOOTSTRAP_TOKEN, **overrides) as (settings, _worker), open_api(settings) as api:
        yield api


@pytest.mark.parametrize("stack", STACKS)
def test_a_search_past_its_time_budget_is_a_503_problem(stack: str, tmp_path: Path) -> None:
    with _api_with(stack, tmp_path, search_timeout_seconds=1e-9) as api:  # spent before the search gets far
        case = api.create_case()
        content = "\f".join(f"bail granted on page {number}" for number in range(1, 1001)).encode()
        document_id = api.upload(case["id"], "pages.txt", content).json()["id"]
        assert api.wait_until_done(document_id)["status"] == "indexed"
        for url in ("/api/v1/search", "/api/v1/cases"):
            response = api.get(url, params={"q": "bail"})
            assert response.status_code == 503, response.text
            assert "took longer than" in response.json()["detail"]
            assert int(response.headers["retry-after"]) > 0


@pytest.mark.parametrize("stack", STACKS)
def test_case_search_counts_every_case_across_aggregation_pages(
    stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elastic, "BUCKETS_PER_REQUEST", 1)  # Elasticsearch pages per case; FTS5 has no pages
    with _api_with(stack, tmp_path) as api:
        ids = []
        for number in range(3):
            case = api.create_case(number=f"C.R. {number} of 2024")
            for copy in range(number + 1):
                response = api.upload(case["id"], f"p{copy}.txt", f"mutation entry {copy}".encode())
                assert api.wait_until_done(response.json()["id"])["status"] == "indexed"
            ids.append(case["id"])
        items = api.get("/api/v1/cases", params={"q": "mutation"}).json()["items"]
        assert [(item["id"], item["matched_documents"]) for item in items] == [(ids[2], 3), (ids[1], 2), (ids[0], 1)]
