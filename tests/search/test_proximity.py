"""The lawyers' operators (issue 11, decision 0017) on both engines: w/N, pre/N, /s, /p, phrase and group operands,
fuzzy words, field queries, highlights; and the same pages from FTS5 and Elasticsearch for a set of queries."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from search.backends.base import SearchIndex
from search.backends.elastic import ElasticsearchIndex
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import parse_query
from search.schemas import CaseFields, PageEntry, SearchFilters
from tests.search.samples import page

ES_URL = "http://127.0.0.1:9200"
KARACHI = CaseFields(
    "case-2", "C.P. No. 1596-L of 2021", "Sindh High Court", "open", None, ("Muhammad Aslam", "Province of Sindh")
)


def _filler(count: int) -> str:
    return " ".join(f"w{index}x" for index in range(count))


# Each page is one story: which words stand where.
PAGES: list[PageEntry] = [
    # "alpha" and "bravo" 3, 4 and 5 positions apart (2, 3 and 4 words between).
    page("gap3", 1, f"alpha {_filler(2)} bravo"),
    page("gap4", 1, f"alpha {_filler(3)} bravo"),
    page("gap5", 1, f"bravo {_filler(4)} alpha"),  # the other order
    # Across a sentence boundary, and across a paragraph boundary: two words apart, still near.
    page("sentence", 1, "The plea of charlie was heard. Delta then argued at length."),
    page("paragraph", 1, "The echo was filed in time.\n\nFoxtrot came later in the next paragraph."),
    page("samesentence", 1, "The court heard charlie and, after a long adjournment, delta too."),
    page("sameparagraph", 1, "The echo was filed. It was heard on Monday and foxtrot followed.\n\nNothing else."),
    # Across a page boundary: "golf" ends page 1, "hotel" starts page 2; never one match.
    page("pages", 1, "Words on the first page end with golf"),
    page("pages", 2, "hotel begins the second page"),
    # Phrases and groups as operands.
    page(
        "justice",
        1,
        "The principles of natural justice require a fair hearing before any order.",
        doc_type="judgment",
        title="Judgment on natural justice",
    ),
    page(
        "justice2",
        1,
        "Natural justice and notice were observed; it was served long after, in another matter "
        "entirely unrelated to anything before it.",
    ),
    # A page that cites an authority (its normalised citations, as ingest stores them).
    page("cites", 1, "Reliance is placed on P.L.D. 2019 S.C. 1 for the proposition.", citations=("PLD 2019 SC 1",)),
    # OCR noise for the fuzzy words.
    page(
        "ocr",
        1,
        "The pctitioner sought bail before the magistrate.",
        case=KARACHI,
        doc_type="petition",
        title="Bail petition",
    ),
]


@pytest.fixture(params=["sqlite-fts5", "elasticsearch"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    yield from _engine(request.param, tmp_path)


def _engine(name: str, tmp_path: Path) -> Generator[SearchIndex, None, None]:
    index: SearchIndex
    if name == "sqlite-fts5":
        index = SqliteFtsIndex(tmp_path / "index.sqlite")
        index.ensure_ready()
        _fill(index)
        yield index
        return
    try:
        socket.create_connection(("127.0.0.1", 9200), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Elasticsearch is not running on 127.0.0.1:9200")
        pytest.skip("Elasticsearch is not running on 127.0.0.1:9200")
    alias = f"cf-test-prox-{uuid.uuid4().hex[:10]}"
    elastic = ElasticsearchIndex(ES_URL, alias)
    elastic.ensure_ready()
    try:
        _fill(elastic)
        yield elastic
    finally:
        for name_ in elastic.client.indices.get(index=f"{alias}-v*"):
            elastic.client.indices.delete(index=name_)
        elastic.client.indices.delete_index_template(name=alias)


def _fill(index: SearchIndex) -> None:
    documents: dict[str, list[PageEntry]] = {}
    for entry in PAGES:
        documents.setdefault(entry.document_id, []).append(entry)
    for document_id, pages in documents.items():
        index.replace_document(document_id, pages)


def found(index: SearchIndex, query: str) -> set[str]:
    result = index.search(parse_query(query), SearchFilters(), offset=0, limit=100)
    assert result.total == len(result.hits)
    return {f"{hit.document_id}:{hit.page}" if hit.document_id == "pages" else hit.document_id for hit in result.hits}


def test_w_n_counts_positions_either_way(engine: SearchIndex) -> None:
    assert found(engine, "alpha w/2 bravo") == set()  # N-1 = 2 < 3
    assert found(engine, "alpha w/3 bravo") == {"gap3"}  # N
    assert found(engine, "alpha w/4 bravo") == {"gap3", "gap4"}
    assert found(engine, "alpha w/5 bravo") == {"gap3", "gap4", "gap5"}  # either order
    assert found(engine, "bravo w/5 alpha") == {"gap3", "gap4", "gap5"}


def test_adjacent_words_are_one_apart(engine: SearchIndex) -> None:
    assert found(engine, "natural w/1 justice") == {"justice", "justice2"}
    assert found(engine, "justice w/1 natural") == {"justice", "justice2"}


def test_pre_n_keeps_the_order(engine: SearchIndex) -> None:
    assert found(engine, "alpha pre/5 bravo") == {"gap3", "gap4"}
    assert found(engine, "bravo pre/5 alpha") == {"gap5"}
    assert found(engine, "alpha pre/3 bravo") == {"gap3"}


def test_w_n_counts_across_sentences_and_paragraphs_but_not_pages(engine: SearchIndex) -> None:
    assert found(engine, "charlie w/4 delta") == {"sentence"}  # "charlie was heard. Delta"
    assert "paragraph" in found(engine, "echo w/12 foxtrot")
    assert found(engine, "golf w/5 hotel") == set()
    assert found(engine, "golf hotel") == set()


def test_same_sentence_and_same_paragraph(engine: SearchIndex) -> None:
    assert found(engine, "charlie /s delta") == {"samesentence"}
    assert found(engine, "charlie /p delta") == {"samesentence", "sentence"}
    assert found(engine, "echo /p foxtrot") == {"sameparagraph"}
    assert found(engine, "echo /s foxtrot") == set()
    assert found(engine, "golf /p hotel") == set()


def test_proximity_binds_tighter_than_and(engine: SearchIndex) -> None:
    assert found(engine, "alpha w/5 bravo w2x") == {"gap4", "gap5"}
    assert found(engine, "alpha w/5 bravo w3x") == {"gap5"}
    assert found(engine, "alpha w/3 bravo w3x") == set()


def test_phrase_and_group_operands(engine: SearchIndex) -> None:
    assert found(engine, '"natural justice" w/10 (hearing OR notice)') == {"justice", "justice2"}
    assert found(engine, '"natural justice" w/2 (hearing OR notice)') == {"justice2"}
    assert found(engine, '"natural justice" w/4 (hearing OR notice)') == {"justice", "justice2"}
    assert found(engine, '"natural justice" pre/6 (hearing OR notice)') == {"justice", "justice2"}


def test_fuzzy_words(engine: SearchIndex) -> None:
    assert found(engine, "petitioner~1") == {"ocr"}
    assert found(engine, "petitioner~") == {"ocr"}  # AUTO: 2 edits for a long word
    assert found(engine, "magistrat~2") == {"ocr"}
    assert found(engine, "petitioner") == set()
    assert found(engine, "bzil~1 w/3 magistrate") == {"ocr"}


def test_field_queries(engine: SearchIndex) -> None:
    assert found(engine, "court:sindh") == {"ocr"}
    assert found(engine, 'court:"high court" bail') == {"ocr"}
    assert found(engine, 'party:"muhammad aslam"') == {"ocr"}
    assert found(engine, "party:aslam -court:lahore") == {"ocr"}
    assert found(engine, "title:justice") == {"justice"}
    assert found(engine, "number:1596") == {"ocr"}
    assert found(engine, "doc_type:judgment natural") == {"justice"}
    assert "justice" not in found(engine, "natural -doc_type:judgment")
    assert found(engine, "court:sindh OR title:justice") == {"ocr", "justice"}
    assert found(engine, 'citation:"P L D 2019 Supreme Court 1"') == {"cites"}
    assert found(engine, 'citation:"PLD 2019 SC 1" w1x') == set()


def test_highlights_mark_every_matched_word(engine: SearchIndex) -> None:
    result = engine.search(parse_query('"natural justice" w/10 hearing'), SearchFilters(), offset=0, limit=10)
    (hit,) = result.hits
    snippet = " ".join(hit.snippets).lower()
    for word in ("natural", "justice", "hearing"):
        assert f"<mark>{word}" in snippet or f"{word}</mark>" in snippet, snippet
    result = engine.search(parse_query("charlie /s delta"), SearchFilters(), offset=0, limit=10)
    (hit,) = result.hits
    snippet = " ".join(hit.snippets).lower()
    assert "<mark>charlie</mark>" in snippet and "<mark>delta</mark>" in snippet, snippet


EQUAL_QUERIES = [
    "alpha w/3 bravo", "alpha w/4 bravo", "alpha pre/4 bravo", "bravo pre/9 alpha", "charlie w/4 delta",
    "charlie /s delta", "charlie /p delta", "echo /p foxtrot", "echo /s foxtrot", "golf w/10 hotel",
    '"natural justice" w/10 (hearing OR notice)', '"natural justice" pre/3 notice', "petitioner~1", "bail~",
    "magistrat~2 /s bail", "court:sindh", "party:aslam", "title:bail", "number:1596", "doc_type:judgment",
    "alpha w/5 bravo w3x", "(charlie /s delta) OR (echo /p foxtrot)", "natural -(justice /s notice)",
    "heard -court:sindh", 'citation:"PLD 2019 SC 1" OR court:sindh', "bail w/1 before",
    "pctitioner~1 w/2 (bail OR surety)",
]  # fmt: skip


def test_the_engines_find_the_same_pages(tmp_path: Path) -> None:
    runs = {name: _engine(name, tmp_path / name) for name in ("sqlite-fts5", "elasticsearch")}
    engines = {name: next(run) for name, run in runs.items()}
    try:
        for query in EQUAL_QUERIES:
            assert found(engines["sqlite-fts5"], query) == found(engines["elasticsearch"], query), query
    finally:
        for run in runs.values():
            run.close()  # the fixture's clean-up: the Elasticsearch index goes
