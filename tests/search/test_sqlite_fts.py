"""The embedded engine on a real FTS5 file: the search budget, bounded snippets, versions, listing, deletion."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.errors import BackendUnavailable
from search.backends.base import IndexedDocument
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import parse_query
from search.schemas import CaseFields, SearchFilters
from tests.search.samples import CASE, page


def _index(tmp_path: Path, budget: float = 10.0) -> SqliteFtsIndex:
    index = SqliteFtsIndex(tmp_path / "search-index.sqlite", search_timeout_seconds=budget)
    index.ensure_ready()
    return index


def test_a_search_past_its_budget_is_stopped_with_a_503(tmp_path: Path) -> None:
    _index(tmp_path).replace_document("d1", [page("d1", n, f"bail granted on page {n}") for n in range(1, 3001)])
    hurried = _index(tmp_path, budget=1e-9)  # the deadline has passed at the first progress check
    with pytest.raises(BackendUnavailable) as raised:
        hurried.search(parse_query("bail"), SearchFilters(), 0, 20)
    assert raised.value.status_code == 503
    assert "took longer than" in raised.value.detail
    with pytest.raises(BackendUnavailable):
        hurried.matching_documents_per_case(parse_query("bail"), SearchFilters())
    # The same connection settings with a sane budget answer, so the abort came from the budget alone.
    assert _index(tmp_path).search(parse_query("bail"), SearchFilters(), 0, 20).total == 3000


def test_snippets_of_a_page_full_of_matches_are_short_and_balanced(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.replace_document("d1", [page("d1", 1, "bail granted " * 8000 + "surety furnished")])
    started = time.monotonic()
    result = index.search(parse_query("bail"), SearchFilters(), 0, 20)
    (hit,) = result.hits
    (snippet,) = hit.snippets
    assert snippet.startswith("<mark>bail</mark> granted")
    assert len(snippet) < 600 and snippet.count("<mark>") == snippet.count("</mark>") > 3
    assert time.monotonic() - started < 60  # a guard against the quadratic snippet(), not a timing claim
    # A match at the end of the page is found and shown (highlight() reads the whole page, linearly).
    (hit,) = index.search(parse_query("surety"), SearchFilters(), 0, 20).hits
    assert hit.snippets[0].startswith("…") and hit.snippets[0].endswith("<mark>surety</mark> furnished")


def test_only_the_requested_hits_are_highlighted_and_ties_keep_the_written_order(tmp_path: Path) -> None:
    index = _index(tmp_path)
    index.replace_document("b", [page("b", n, "equal text") for n in (1, 2)])
    index.replace_document("a", [page("a", n, "equal text") for n in (1, 2)])
    result = index.search(parse_query("equal"), SearchFilters(), 1, 2)
    assert [(hit.document_id, hit.page) for hit in result.hits] == [("b", 2), ("a", 1)]
    assert result.total == 4
    assert all(hit.snippets == ["<mark>equal</mark> text"] for hit in result.hits)


def test_rebuild_returns_a_new_version_name_each_time(tmp_path: Path) -> None:
    index = _index(tmp_path)
    assert index.rebuild([[page("d1", 1, "first")]]) == "search-index-v2"
    assert index.rebuild([[page("d1", 1, "second")]]) == "search-index-v3"
    assert index.search(parse_query("second"), SearchFilters(), 0, 5).total == 1
    assert index.search(parse_query("first"), SearchFilters(), 0, 5).total == 0


def test_indexed_documents_and_delete_document(tmp_path: Path) -> None:
    index = _index(tmp_path)
    other = CaseFields("case-2", "C.R. 5", "Sindh High Court", "decided", "civil", ())
    index.replace_document("d2", [page("d2", n, "text", case=other) for n in (1, 2, 3)])
    index.replace_document("d1", [page("d1", 1, "text")])
    assert list(index.indexed_documents()) == [
        IndexedDocument("d1", "case-1", 1, CASE.case_number, CASE.court, CASE.status, None),
        IndexedDocument("d2", "case-2", 3, "C.R. 5", "Sindh High Court", "decided", "civil"),
    ]
    index.delete_document("d2")
    index.delete_document("gone")  # nothing to delete is fine
    assert [document.document_id for document in index.indexed_documents()] == ["d1"]
    assert index.search(parse_query("text"), SearchFilters(), 0, 5).total == 1
