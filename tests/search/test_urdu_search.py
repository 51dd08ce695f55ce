"""Urdu spelled either way finds the same pages on both engines (decision 0018): Arabic and Urdu yeh, kaf and heh,
aerab, tatweel, zero-width joiners, and Urdu, Arabic-Indic and ASCII digits."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.backends.base import SearchIndex
from search.backends.elastic import ElasticsearchIndex
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import parse_query
from search.schemas import SearchFilters
from tests.search.samples import page

ES_URL = "http://127.0.0.1:9200"

PAGES = [
    # Typed on an Arabic keyboard: Arabic yeh (ي), kaf (ك) and heh (ه), and Arabic-Indic digits.
    page("arabic", 1, "عدالت عاليه نے درخواست ضمانت منظور كي اور ملزم كو ٢٥ جنوري تك رها كيا"),
    # Urdu letters with aerab, tatweel, a zero-width non-joiner and Urdu digits.
    page("urdu", 1, "مُقدّمہ کی سماعت ۱۲ مارچ کو ہوئی اور فریقین کے وکلاء کے دلائل سنـــے گئے۔ ہم\u200cراہ"),
    # An English page with ASCII digits.
    page("english", 1, "The bail application was heard on 12 March and allowed on 25 January."),
]


@pytest.fixture(params=["sqlite-fts5", "elasticsearch"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    if request.param == "sqlite-fts5":
        engine: SearchIndex = SqliteFtsIndex(tmp_path / "search.db")
        engine.ensure_ready()
        for entry in PAGES:
            engine.replace_document(entry.document_id, [entry])
        yield engine
        return
    try:
        socket.create_connection(("127.0.0.1", 9200), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Elasticsearch is not running on 127.0.0.1:9200")
        pytest.skip("Elasticsearch is not running on 127.0.0.1:9200: run scripts/services/up.sh")
    alias = f"cf-test-urdu-{uuid.uuid4().hex[:10]}"
    elastic = ElasticsearchIndex(ES_URL, alias)
    elastic.ensure_ready()
    try:
        for entry in PAGES:
            elastic.replace_document(entry.document_id, [entry])
        yield elastic
    finally:
        for name in elastic.client.indices.get(index=f"{alias}-v*"):
            elastic.client.indices.delete(index=name)
        elastic.client.indices.delete_index_template(name=alias)


def _found(index: SearchIndex, query: str) -> set[str]:
    result = index.search(parse_query(query), SearchFilters(), offset=0, limit=20)
    return {hit.document_id for hit in result.hits}


@pytest.mark.parametrize(
    "query",
    [
        "کی",  # Urdu yeh and keheh find Arabic yeh and kaf
        "عالیہ",  # Urdu yeh and heh goal find Arabic yeh and heh
        '"منظور کی"',
        '"ملزم کو"',
        "رہا",
        "كي",  # as typed on the page
        "عاليه",
    ],
)
def test_urdu_letters_find_arabic_letters(index: SearchIndex, query: str) -> None:
    assert "arabic" in _found(index, query)


@pytest.mark.parametrize(
    "query",
    [
        "مقدمہ",  # no aerab in the query, aerab on the page
        "مُقَدَّمَہ",  # other aerab in the query than on the page
        "سنے",  # tatweel on the page
        "سنـے",  # tatweel in the query
        "ہمراہ",  # a zero-width non-joiner on the page
        "ہم\u200dراہ",  # a zero-width joiner in the query
        "مقدمه",  # Arabic heh in the query, heh goal on the page
        '"وكلاء كے دلائل"',  # Arabic kaf in a phrase
    ],
)
def test_arabic_letters_aerab_tatweel_and_joiners_are_ignored(index: SearchIndex, query: str) -> None:
    assert _found(index, query) == {"urdu"}


def test_urdu_and_arabic_indic_digits_match_ascii(index: SearchIndex) -> None:
    assert _found(index, "12") == {"urdu", "english"}  # ۱۲ on the Urdu page
    assert _found(index, "۱۲") == {"urdu", "english"}
    assert _found(index, "١٢") == {"urdu", "english"}
    assert _found(index, "٢٥") == {"arabic", "english"}
    assert _found(index, '"۲۵ جنوری"') == {"arabic"}


def test_english_search_is_unchanged(index: SearchIndex) -> None:
    assert _found(index, '"bail application"') == {"english"}
    assert _found(index, "ضمانت") == {"arabic"}
