"""One list of index fields: the entry each engine writes and the schema each engine declares agree with it."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from search.backends.elastic import STRUCTURE_FIELDS, STRUCTURE_GAP, page_mapping
from search.backends.sqlite_fts import ACCESS_COLUMN, CITES_COLUMN, SqliteFtsIndex
from search.schemas import CASE_INDEX_FIELDS, INDEX_FIELDS
from tests.search.samples import CASE, page


def test_a_page_entry_record_has_every_index_field_in_order() -> None:
    record = page("d1", 3, "text", filed_on=None).record()
    assert list(record) == list(INDEX_FIELDS)
    assert record["page_number"] == 3 and record["filed_on"] is None
    assert record["parties"] == ["Zahid Iqbal"] and record["court"] == CASE.court
    assert page("d1", 1, "t").record()["filed_on"] == "2024-01-02"


def test_a_case_edit_rewrites_exactly_the_case_fields() -> None:
    assert set(CASE.record()) == set(CASE_INDEX_FIELDS) < set(INDEX_FIELDS)


def test_the_elasticsearch_mapping_declares_every_index_field() -> None:
    properties = page_mapping("standard")["properties"]
    # The engine's own sentences and paragraphs of the text (decision 0017) come last.
    assert list(properties) == [*INDEX_FIELDS, *STRUCTURE_FIELDS.values()]
    assert properties["sentences"]["position_increment_gap"] == STRUCTURE_GAP
    assert properties["court"]["fields"]["words"]["type"] == "text"
    assert properties["text"]["fields"]["exact"]["analyzer"] == "standard"
    assert properties["filed_on"]["type"] == "date" and properties["parties"]["type"] == "keyword"
    assert properties["readers"]["type"] == "keyword" and properties["sealed"]["type"] == "boolean"


def test_the_walls_are_stored_as_lists_and_a_flag() -> None:
    walled = page("d1", 1, "t", case=dataclasses.replace(CASE, readers=("unit:a",), sealed_readers=()))
    record = walled.record()
    assert record["readers"] == ["unit:a"] and record["sealed_readers"] == [] and record["sealed"] is False
    assert page("d1", 1, "t", sealed=True).record()["sealed"] is True  # JSON true: Elasticsearch's boolean


def test_the_fts5_table_has_every_index_field_and_tokenises_only_the_text_and_the_access_keys(tmp_path: Path) -> None:
    index = SqliteFtsIndex(tmp_path / "index.sqlite")
    index.ensure_ready()
    with sqlite3.connect(index.path) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(pages)")]
        sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'pages'").fetchone()[0]
    assert columns == [*INDEX_FIELDS, ACCESS_COLUMN, CITES_COLUMN]  # the engine's own access and cites columns last
    assert sql.count("UNINDEXED") == len(INDEX_FIELDS) - 1 and "text UNINDEXED" not in sql
    assert f"{ACCESS_COLUMN} UNINDEXED" not in sql
    assert f"{CITES_COLUMN} UNINDEXED" not in sql
