"""The query parser and its FTS5 compilation (pure logic)."""

from __future__ import annotations

import pytest

from core.errors import MalformedQuery
from search.backends.elastic import compile_dsl
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


def test_a_minus_before_a_group_excludes_the_group() -> None:
    assert parse_query("alpha -(bravo)") == And((Term("alpha"), Not(Term("bravo"))))
    assert parse_query("alpha -(bravo OR charlie)") == And((Term("alpha"), Not(Or((Term("bravo"), Term("charlie"))))))
    # A minus standing alone, or inside a word, is not an exclusion.
    assert parse_query("alpha - (bravo)") == And((Term("alpha"), Term("bravo")))


def test_punctuated_tokens_become_phrases() -> None:
    assert parse_query("W.P. 1234/2024") == And((Phrase(("w", "p")), Phrase(("1234", "2024"))))


def test_urdu_words() -> None:
    assert parse_query("درخواست ضمانت") == And((Term("درخواست"), Term("ضمانت")))


def test_no_query_or_only_spaces_means_filters_alone() -> None:
    assert parse_query(None) is None
    assert parse_query(" \t ") is None


def test_stray_symbols_between_words_are_separators() -> None:
    assert parse_query("bail — 😀 * - surety") == And((Term("bail"), Term("surety")))
    # Elasticsearch analyses the source itself and keeps emoji as tokens: the source must not carry them.
    assert parse_query("bail😀").source == "bail"  # type: ignore[union-attr]
    assert parse_query('"bail\x00 granted"').source == "bail granted"  # type: ignore[union-attr]


@pytest.mark.parametrize("query", ["-", "*", '"', '""', "()", "😀", "\x00", "- * …", "-()", '-""'])
def test_a_query_without_words_is_malformed(query: str) -> None:
    with pytest.raises(MalformedQuery) as raised:
        parse_query(query)
    assert raised.value.status_code == 400
    assert "no words" in raised.value.detail


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("-bail", "the query only excludes"),
        ("-a -b", "the query only excludes"),
        ("x (-a)", "the group at character 3 only excludes"),
        ("(a", "the '(' at character 1 is never closed"),
        ("a b)", "the ')' at character 4 closes no '('"),
        ("a OR -b", "the excluded item at character 6 cannot be one side of OR"),
        ('a ""', "the phrase at character 3 has no words"),
        ("a ()", "the group at character 3 has no words"),
        ("x" * 1001, "the query has 1001 characters; the limit is 1000"),
        (" ".join(["w"] * 65), "more than 64 terms (the next one starts at character 129)"),
    ],
)
def test_malformed_queries_say_where_and_why(query: str, where: str) -> None:
    with pytest.raises(MalformedQuery) as raised:
        parse_query(query)
    assert raised.value.status_code == 400
    assert where in raised.value.detail


def test_fts5_compilation_quotes_every_word() -> None:
    clause = parse_query('bail "interim relief" OR stay* -"re vision" AND')
    assert compile_fts(clause) == '(("bail" AND ("interim relief" OR "stay" *) AND "and") NOT "re vision")'


def test_fts5_compilation_nests_excluded_groups() -> None:
    # FTS5's NOT is left-associative: without the parentheses, a -(b -c) would read as (a NOT b) NOT c.
    assert compile_fts(parse_query("a -(b -c)")) == '(("a") NOT (("b") NOT "c"))'


def test_required_words_ignore_or_and_not() -> None:
    assert required_words(parse_query('zahid "c r" 55 (x OR y) -z')) == ["zahid", "c", "r", "55"]


def test_elasticsearch_gets_the_text_as_typed() -> None:
    clause = parse_query('"on 17.6.2000 at Lahore" W.P. retire*')
    assert compile_dsl(clause)["bool"]["must"] == [
        {"match_phrase": {"text.exact": {"query": "on 17.6.2000 at Lahore"}}},
        {"match_phrase": {"text.exact": {"query": "W.P."}}},
        {"prefix": {"text.exact": {"value": "retire"}}},
    ]


def test_elasticsearch_excludes_a_group() -> None:
    assert compile_dsl(parse_query("alpha -(bravo)"))["bool"]["must_not"] == [
        {"match": {"text": {"query": "bravo", "operator": "and"}}}
    ]
