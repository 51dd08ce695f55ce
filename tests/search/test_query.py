"""The query parser and its FTS5 compilation (pure logic)."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from search.backends.sqlite_fts import compile_fts
from search.query import And, Not, Or, Phrase, Term, parse_query, required_words


def test_words_are_all_required_and_lower_cased() -> None:
    assert parse_query("Bail Surety") == And((Term("bail"), Term("surety")))


def test_or_binds_tighter_than_and() -> None:
    assert parse_query('bail "interim relief" OR stay -revision') == And(
        (
            Term("bail"),
            Or((Phrase(("interim", "relief")), Term("stay"))),
            Not(Term("revision")),
        )
    )


def test_prefix_phrases_and_groups() -> None:
    assert parse_query("retire*") == Term("retire", prefix=True)
    assert parse_query('-"set aside" appeal') == And((Not(Phrase(("set", "aside"))), Term("appeal")))
    assert parse_query("(a1 OR b2) c3") == And((Or((Term("a1"), Term("b2"))), Term("c3")))


def test_punctuated_tokens_become_phrases() -> None:
    assert parse_query("W.P. 1234/2024") == And((Phrase(("w", "p")), Phrase(("1234", "2024"))))


def test_urdu_words() -> None:
    assert parse_query("درخواست ضمانت") == And((Term("درخواست"), Term("ضمانت")))


def test_empty_query_matches_everything() -> None:
    assert parse_query("  ") is None and parse_query(None) is None
    assert parse_query('"" ...') is None


@pytest.mark.parametrize("query", ["-bail", "-a -b", "(a", "a)", "a OR -b", "x" * 1001, " ".join(["w"] * 65)])
def test_invalid_queries(query: str) -> None:
    with pytest.raises(InvalidInput):
        parse_query(query)


def test_fts5_compilation_quotes_every_word() -> None:
    clause = parse_query('bail "interim relief" OR stay* -"re vision" AND')
    assert compile_fts(clause) == '("bail" AND ("interim relief" OR "stay" *) AND "and") NOT "re vision"'


def test_required_words_ignore_or_and_not() -> None:
    assert required_words(parse_query('zahid "c r" 55 (x OR y) -z')) == ["zahid", "c", "r", "55"]


def test_elasticsearch_gets_the_text_as_typed() -> None:
    from search.backends.elastic import compile_dsl

    clause = parse_query('"on 17.6.2000 at Lahore" W.P. retire*')
    assert compile_dsl(clause)["bool"]["must"] == [
        {"match_phrase": {"text.exact": {"query": "on 17.6.2000 at Lahore"}}},
        {"match_phrase": {"text.exact": {"query": "W.P."}}},
        {"prefix": {"text.exact": {"value": "retire"}}},
    ]
