"""The Elasticsearch engine on the real cluster (skipped without it, failed under CI=true), and its sorting of
bulk failures and timed-out answers."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from core.errors import BackendUnavailable, IndexRejected
from search.backends import elastic
from search.backends.base import IndexedDocument
from search.backends.elastic import ElasticsearchIndex, bulk_failure
from search.query import parse_query
from search.schemas import CaseFields, SearchFilters
from tests.search.samples import CASE, page

URL = "http://127.0.0.1:9200"


@pytest.fixture
def index() -> Iterator[ElasticsearchIndex]:
    try:
        socket.create_connection(("127.0.0.1", 9200), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Elasticsearch is not running on 127.0.0.1:9200")
        pytest.skip("Elasticsearch is not running on 127.0.0.1:9200: run scripts/services/up.sh")
    alias = f"cf-test-search-{uuid.uuid4().hex[:10]}"
    engine = ElasticsearchIndex(URL, alias)
    engine.ensure_ready()
    try:
        yield engine
    finally:
        for name in engine.client.indices.get(index=f"{alias}-v*"):
            engine.client.indices.delete(index=name)
        engine.client.indices.delete_index_template(name=alias)


def _item(status: int, kind: str | None, page_id: str = "d1:1") -> dict[str, Any]:
    error: Any = {"type": kind, "reason": "because"} if kind else "connection reset"
    return {"index": {"_id": page_id, "status": status, "error": error}}


def test_only_permanent_item_errors_are_a_rejection() -> None:
    rejected = bulk_failure([_item(400, "document_parsing_exception"), _item(400, "illegal_argument_exception")])
    assert isinstance(rejected, IndexRejected) and rejected.status_code == 422
    assert "d1:1" in rejected.detail and "document_parsing_exception: because" in rejected.detail
    for transient in ([_item(429, "es_rejected_execution_exception")], [_item(503, "unavailable_shards_exception")],
                      [_item(400, "mapper_parsing_exception"), _item(429, "es_rejected_execution_exception")],
                      [_item(500, None)], [_item(404, "index_not_found_exception")]):  # fmt: skip
        failure = bulk_failure(transient)
        assert type(failure) is BackendUnavailable and failure.status_code == 503, transient


def test_an_entry_that_breaks_the_mapping_is_rejected_for_good_and_not_left_searchable(
    index: ElasticsearchIndex,
) -> None:
    # filename is a keyword: a term over 32766 bytes is refused by Lucene, every time.
    pages = [page("d1", 1, "estoppel applies"), page("d1", 2, "laches", filename="x" * 40_000)]
    with pytest.raises(IndexRejected) as raised:
        index.replace_document("d1", pages)
    assert "d1:2" in raised.value.detail
    # Page 1 was accepted in the same request; it is taken back, since the document will be `failed`.
    assert index.search(parse_query("estoppel"), SearchFilters(), 0, 5).total == 0
    with pytest.raises(IndexRejected):
        index.replace_document("d3", [page("d3", 2**31, "page number out of the integer range")])


def test_an_unreachable_cluster_is_an_outage_not_a_rejection() -> None:
    unreachable = ElasticsearchIndex("http://127.0.0.1:9", "cf-test-nowhere")
    unreachable.admin = unreachable.admin.options(max_retries=0)
    with pytest.raises(BackendUnavailable) as raised:
        unreachable.replace_document("d1", [page("d1", 1, "text")])
    assert type(raised.value) is BackendUnavailable


def test_a_reprocess_removes_pages_beyond_the_new_count_without_being_told_the_old_one(
    index: ElasticsearchIndex,
) -> None:
    index.replace_document("d1", [page("d1", n, f"word{n}") for n in (1, 2, 3)])
    index.replace_document("d1", [page("d1", 1, "word1 again")])
    assert index.search(parse_query("word3"), SearchFilters(), 0, 5).total == 0
    assert [(d.document_id, d.page_count) for d in index.indexed_documents()] == [("d1", 1)]
    index.replace_document("d1", [])  # no pages at all: nothing of the document stays
    assert list(index.indexed_documents()) == []


def test_listing_and_case_search_page_through_every_bucket(
    index: ElasticsearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(elastic, "BUCKETS_PER_REQUEST", 2)  # five documents and three cases take several pages
    cases = [CaseFields(f"case-{n}", f"C.R. {n}", "Sindh High Court", "open", "civil", ()) for n in range(3)]
    for number in range(5):
        case = cases[number % 3]
        index.replace_document(f"d{number}", [page(f"d{number}", p, "common text", case=case) for p in (1, 2)])
    listed = list(index.indexed_documents())
    assert [document.document_id for document in listed] == [f"d{number}" for number in range(5)]
    assert listed[0] == IndexedDocument("d0", "case-0", 2, "C.R. 0", "Sindh High Court", "open", "civil")
    per_case = index.matching_documents_per_case(parse_query("common"), SearchFilters())
    assert per_case == {"case-0": 2, "case-1": 2, "case-2": 1}


def test_a_document_whose_pages_disagree_on_case_fields_is_listed_once(index: ElasticsearchIndex) -> None:
    moved = CaseFields("case-9", "X", "Court", "open", None, ())
    index.replace_document("d1", [page("d1", 1, "a"), page("d1", 2, "b", case=moved)])
    (listed,) = index.indexed_documents()
    assert listed.document_id == "d1" and listed.page_count == 2 and listed.case_id in (CASE.case_id, "case-9")


def test_a_timed_out_answer_is_a_503_never_a_partial_result(
    index: ElasticsearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    index.replace_document("d1", [page("d1", 1, "bail")])
    sent: dict[str, Any] = {}

    class TimedOut:
        def __init__(self) -> None:
            self.body = {"timed_out": True, "hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}

    def search(**request: Any) -> TimedOut:
        sent.update(request)
        return TimedOut()

    monkeypatch.setattr(index.client, "search", search)
    with pytest.raises(BackendUnavailable) as raised:
        index.search(parse_query("bail"), SearchFilters(), 0, 5)
    assert "took longer than 10 s" in raised.value.detail
    assert sent["timeout"].endswith("ms") and 9000 < int(sent["timeout"][:-2]) <= 10_000


def test_a_new_document_is_written_in_one_request_and_only_a_reprocess_looks_up_its_pages(
    index: ElasticsearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[dict[str, Any]] = []
    search = index.admin.search

    def counted(**request: Any) -> Any:
        lookups.append(request)
        return search(**request)

    monkeypatch.setattr(index.admin, "search", counted)
    index.replace_document("d1", [page("d1", n, "text") for n in (1, 2)])
    assert lookups == []  # page 2 was `created`: the document had no page beyond it
    index.replace_document("d1", [page("d1", 1, "text")])
    assert len(lookups) == 1  # page 1 was `updated`: a reprocess, so the pages beyond it are looked up
    assert [(item.document_id, item.page_count) for item in index.indexed_documents()] == [("d1", 1)]


def test_a_failed_rebuild_leaves_the_live_version_and_no_half_built_one(index: ElasticsearchIndex) -> None:
    index.replace_document("d1", [page("d1", 1, "live text")])
    with pytest.raises(IndexRejected):
        index.rebuild([[page("d1", 1, "new text")], [page("d2", 1, "bad", filename="x" * 40_000)]])
    assert sorted(index.admin.indices.get(index=f"{index.alias}-v*")) == [f"{index.alias}-v1"]
    assert index.search(parse_query("live"), SearchFilters(), 0, 5).total == 1
    assert index.rebuild([[page("d1", 1, "new text")]]) == f"{index.alias}-v2"
