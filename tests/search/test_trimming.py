"""The walls inside each engine (decision 0011): a page matches only the keys that open it, and totals, facets,
pages and case counts see only those pages. Real engines: an FTS5 file, and the local Elasticsearch (skipped
without it, failed under CI=true)."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from search.backends.base import SearchIndex
from search.backends.elastic import ElasticsearchIndex, page_mapping
from search.backends.sqlite_fts import TABLE_COLUMNS, SqliteFtsIndex, access_token
from search.query import parse_query
from search.schemas import INDEX_FIELDS, CaseFields, SearchFilters
from tests.search.samples import page

URL = "http://127.0.0.1:9200"
OWN = CaseFields("case-a", "W.P. 1 of 2024", "Lahore High Court", "open", "writ", (),
                 readers=("unit:a", "user:officer"), sealed_readers=("user:officer",))  # fmt: skip
OTHER = CaseFields("case-b", "C.R. 2 of 2024", "Sindh High Court", "open", "civil", (), readers=("unit:b",))


def _require_elasticsearch() -> None:
    try:
        socket.create_connection(("127.0.0.1", 9200), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Elasticsearch is not running on 127.0.0.1:9200")
        pytest.skip("Elasticsearch is not running on 127.0.0.1:9200: run scripts/services/up.sh")


def _drop(alias: str) -> None:
    client = Elasticsearch(URL)
    for name in client.indices.get(index=f"{alias}-v*", expand_wildcards="all"):
        client.indices.delete(index=name)
    client.options(ignore_status=404).indices.delete_index_template(name=alias)


@pytest.fixture(params=["sqlite-fts5", "elasticsearch"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "sqlite-fts5":
        index = SqliteFtsIndex(tmp_path / "search-index.sqlite")
        index.ensure_ready()
        yield index
        return
    _require_elasticsearch()
    alias = f"cf-test-trim-{uuid.uuid4().hex[:10]}"
    elastic = ElasticsearchIndex(URL, alias)
    elastic.ensure_ready()
    try:
        yield elastic
    finally:
        _drop(alias)


@pytest.fixture
def walled(engine: SearchIndex) -> SearchIndex:
    """Case A (unit a; officer assigned) with an ordinary and a sealed document; case B (unit b) with one."""
    engine.replace_document("open-a", [page("open-a", n, f"bail granted page {n}", case=OWN) for n in (1, 2)])
    engine.replace_document("sealed-a", [page("sealed-a", 1, "bail sealed", case=OWN, doc_type="judgment",
                                              sealed=True)])  # fmt: skip
    engine.replace_document("open-b", [page("open-b", 1, "bail refused", case=OTHER)])
    return engine


def _found(index: SearchIndex, keys: tuple[str, ...] | None, query: str | None = "bail") -> set[tuple[str, int]]:
    result = index.search(parse_query(query) if query else None, SearchFilters(readers=keys), 0, 20)
    assert result.total == len(result.hits)  # every hit fits on one page here: the total counts the same pages
    return {(hit.document_id, hit.page) for hit in result.hits}


def test_a_page_matches_only_the_keys_that_open_it(walled: SearchIndex) -> None:
    everything = {("open-a", 1), ("open-a", 2), ("sealed-a", 1), ("open-b", 1)}
    assert _found(walled, None) == everything  # no restriction: an admin or the system
    assert _found(walled, ("unit:a",)) == {("open-a", 1), ("open-a", 2)}  # the unit: not its sealed document
    assert _found(walled, ("user:officer",)) == {("open-a", 1), ("open-a", 2), ("sealed-a", 1)}
    assert _found(walled, ("unit:b", "user:nobody")) == {("open-b", 1)}  # any one key suffices
    assert _found(walled, ("unit:a", "unit:b")) == everything - {("sealed-a", 1)}
    for stranger in (("user:nobody",), ("unit",), ("unit:",), ("unit:ab",), ("UNIT:A",), ("unit:a ",)):
        assert _found(walled, stranger) == set(), stranger  # exact keys: no prefix, case folding or padding
    # A filter-only search (no words) is walled the same way.
    assert _found(walled, ("unit:a",), query=None) == {("open-a", 1), ("open-a", 2)}


def test_no_keys_match_nothing_with_empty_facets(walled: SearchIndex) -> None:
    nothing = walled.search(parse_query("bail"), SearchFilters(readers=()), 0, 20)
    assert (nothing.total, nothing.hits) == (0, [])
    assert all(counts == {} for counts in nothing.facets.values()) and nothing.facets
    assert walled.matching_documents_per_case(parse_query("bail"), SearchFilters(readers=())) == {}


def test_totals_facets_pages_and_case_counts_count_only_what_the_caller_sees(walled: SearchIndex) -> None:
    officer = SearchFilters(readers=("user:officer",))
    first = walled.search(parse_query("bail"), officer, 0, 2)
    second = walled.search(parse_query("bail"), officer, 2, 2)
    assert first.total == second.total == 3 and len(first.hits) == 2 and len(second.hits) == 1
    assert first.facets["court"] == {"Lahore High Court": 3}  # nothing of case B's court
    assert first.facets["doc_type"] == {"order": 2, "judgment": 1}
    unit = walled.search(parse_query("bail"), SearchFilters(readers=("unit:a",)), 0, 20)
    assert unit.total == 2 and unit.facets["doc_type"] == {"order": 2}  # the sealed judgment is not counted
    per_case = walled.matching_documents_per_case
    assert per_case(parse_query("bail"), SearchFilters(readers=("unit:a",))) == {"case-a": 1}
    assert per_case(parse_query("bail"), officer) == {"case-a": 2}
    assert per_case(parse_query("bail"), SearchFilters()) == {"case-a": 2, "case-b": 1}
    assert per_case(parse_query("bail"), SearchFilters(readers=("user:nobody",))) == {}


def test_the_walls_follow_a_case_change_on_every_page(walled: SearchIndex) -> None:
    granted = dataclasses.replace(OTHER, readers=("unit:b", "user:guest"), sealed_readers=("user:guest",))
    walled.update_case_fields(granted)
    assert _found(walled, ("user:guest",)) == {("open-b", 1)}
    walled.update_case_fields(OTHER)  # the grant revoked
    assert _found(walled, ("user:guest",)) == set()
    # The case sealed: its unit loses even the ordinary documents; the officer keeps all; the sealed page keeps
    # following sealed_readers, the others readers.
    walled.update_case_fields(dataclasses.replace(OWN, readers=("user:officer",)))
    assert _found(walled, ("unit:a",)) == set()
    assert _found(walled, ("user:officer",)) == {("open-a", 1), ("open-a", 2), ("sealed-a", 1)}
    walled.update_case_fields(dataclasses.replace(OWN, sealed_readers=()))  # unsealed; officer's privilege gone
    assert _found(walled, ("unit:a",)) == {("open-a", 1), ("open-a", 2)}
    assert _found(walled, ("user:officer",)) == {("open-a", 1), ("open-a", 2)}


def test_sealing_a_document_rewrites_its_pages(walled: SearchIndex) -> None:
    walled.replace_document("open-a", [page("open-a", n, f"bail granted page {n}", case=OWN, sealed=True)
                                       for n in (1, 2)])  # fmt: skip
    assert _found(walled, ("unit:a",)) == set()
    assert ("open-a", 1) in _found(walled, ("user:officer",))
    walled.replace_document("open-a", [page("open-a", n, f"bail granted page {n}", case=OWN) for n in (1, 2)])
    assert _found(walled, ("unit:a",)) == {("open-a", 1), ("open-a", 2)}


def test_keys_are_values_never_query_syntax(engine: SearchIndex) -> None:
    odd = ('user:"x" OR *', "unit:(a) NOT b", "unit:ا ب", "key with spaces")
    case = dataclasses.replace(OWN, readers=odd, sealed_readers=())
    engine.replace_document("d1", [page("d1", 1, "mandamus", case=case)])
    for key in odd:
        assert _found(engine, (key,), "mandamus") == {("d1", 1)}, key
    assert _found(engine, ("user:x", "OR", "*", "a", "b", "unit"), "mandamus") == set()


def test_a_query_never_matches_the_access_keys(walled: SearchIndex) -> None:
    for query in (access_token("unit:a"), f"{access_token('unit:a')[:12]}*", "unit", "officer"):
        assert _found(walled, None, query) == set(), query


# --- index files and indices written by an older release -------------------------------------------------------


def _old_table(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    with sqlite3.connect(path) as connection:
        declared = ", ".join(name if name == "text" else f"{name} UNINDEXED" for name in columns)
        connection.execute(f"CREATE VIRTUAL TABLE pages USING fts5({declared}, tokenize = 'porter unicode61')")
        for row in rows:
            connection.execute(
                f"INSERT INTO pages ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                [row.get(name) for name in columns],
            )


def _row(document_id: str, text: str, **fields: object) -> dict[str, object]:
    return {"text": text, "document_id": document_id, "page_number": 1, "case_id": "case-a", "court": "Court",
            "case_number": "1", "status": "open", "doc_type": "order", "filename": "f.txt"} | fields  # fmt: skip


def test_an_fts5_table_from_before_the_walls_is_upgraded_and_opens_to_admins_only(tmp_path: Path) -> None:
    before_walls = [name for name in INDEX_FIELDS if name not in ("readers", "sealed_readers", "sealed")]
    path = tmp_path / "search-index.sqlite"
    _old_table(path, before_walls, [_row("d1", "bail granted"), _row("d2", "bail refused")])
    index = SqliteFtsIndex(path)
    index.ensure_ready()
    with sqlite3.connect(path) as connection:
        assert [row[1] for row in connection.execute("PRAGMA table_info(pages)")] == list(TABLE_COLUMNS)
    assert _found(index, None) == {("d1", 1), ("d2", 1)}  # kept, in their order
    assert _found(index, ("unit:a",)) == set()  # no keys were ever written: closed until `casefile reindex`
    index.replace_document("d1", [page("d1", 1, "bail granted", case=OWN)])  # new writes carry the walls
    assert _found(index, ("unit:a",)) == {("d1", 1)}
    index.ensure_ready()  # a second start finds the current columns and changes nothing
    assert _found(index, None) == {("d1", 1), ("d2", 1)}


def test_an_fts5_table_with_stored_keys_keeps_its_walls_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "search-index.sqlite"
    keys = {"readers": json.dumps(["unit:a", "user:o"]), "sealed_readers": json.dumps(["user:o"])}
    _old_table(path, list(INDEX_FIELDS), [_row("d1", "bail granted", **keys, sealed=0),
                                          _row("d2", "bail sealed", **keys, sealed=1)])  # fmt: skip
    index = SqliteFtsIndex(path)
    index.ensure_ready()
    assert _found(index, ("unit:a",)) == {("d1", 1)}
    assert _found(index, ("user:o",)) == {("d1", 1), ("d2", 1)}


def test_an_elasticsearch_index_from_before_the_walls_gets_the_new_fields() -> None:
    _require_elasticsearch()
    alias = f"cf-test-trim-{uuid.uuid4().hex[:10]}"
    client = Elasticsearch(URL)
    old = page_mapping("standard")
    for name in ("readers", "sealed_readers", "sealed"):
        del old["properties"][name]
    try:
        client.indices.create(index=f"{alias}-v1", mappings=old, aliases={alias: {}})
        written_before = {name: value for name, value in page("d0", 1, "bail old").record().items()
                          if name in old["properties"]}  # fmt: skip
        client.index(index=alias, id="d0:1", document=written_before, refresh=True)
        index = ElasticsearchIndex(URL, alias)
        index.ensure_ready()
        properties = client.indices.get_mapping(index=alias)[f"{alias}-v1"]["mappings"]["properties"]
        assert properties["readers"]["type"] == "keyword" and properties["sealed"]["type"] == "boolean"
        index.replace_document("d1", [page("d1", 1, "bail granted", case=OWN)])  # strict mapping takes it
        assert _found(index, ("unit:a",)) == {("d1", 1)}  # the page from before has no keys: closed
        assert _found(index, None) == {("d0", 1), ("d1", 1)}
    finally:
        _drop(alias)
