"""A search restricted to one document (the viewer's next and previous hit), on both engines."""

from __future__ import annotations

from search.backends.base import SearchIndex
from search.query import parse_query
from search.schemas import SearchFilters
from tests.search.samples import page
from tests.search.test_trimming import OTHER, OWN, engine  # noqa: F401 (the engine fixture: FTS5 and Elasticsearch)


def test_the_document_filter_keeps_one_documents_pages(engine: SearchIndex) -> None:  # noqa: F811
    engine.replace_document("doc-1", [page("doc-1", n, "bail granted" if n in (2, 5) else "adjourned", case=OWN)
                                      for n in range(1, 7)])  # fmt: skip
    engine.replace_document("doc-2", [page("doc-2", n, "bail refused", case=OWN) for n in (1, 3)])
    engine.replace_document("doc-3", [page("doc-3", 1, "bail refused", case=OTHER)])
    bail = parse_query("bail")
    only_one = engine.search(bail, SearchFilters(document_id="doc-1"), 0, 20)
    assert only_one.total == 2
    assert sorted((hit.document_id, hit.page) for hit in only_one.hits) == [("doc-1", 2), ("doc-1", 5)]
    other = engine.search(bail, SearchFilters(document_id="doc-2"), 0, 20)
    assert {(hit.document_id, hit.page) for hit in other.hits} == {("doc-2", 1), ("doc-2", 3)}
    # The walls still apply inside a document: keys that do not open its case find nothing.
    assert engine.search(bail, SearchFilters(document_id="doc-1", readers=("unit:b",)), 0, 20).total == 0
    assert engine.search(bail, SearchFilters(document_id="doc-1", readers=("unit:a",)), 0, 20).total == 2
    assert engine.search(bail, SearchFilters(), 0, 20).total == 5
