"""The lawyers' operators in the parser (decision 0017): their AST, binding, operands, and where a malformed query
goes wrong; the sentence and paragraph splitter both engines share; the word boxes of their words."""

from __future__ import annotations

import pytest

from core.errors import MalformedQuery
from search.boxes import WordBox, matching_boxes
from search.query import And, Cites, FieldMatch, Fuzzy, Near, Not, Or, Phrase, Term, Within, marked, parse_query
from search.structure import index_word, paragraphs, satisfied, sentences


def test_proximity_binds_tighter_than_the_implied_and() -> None:
    assert parse_query("a1 w/5 b1 c1") == And((Near((Term("a1"),), (Term("b1"),), 5), Term("c1")))
    assert parse_query("a1 pre/3 b1") == Near((Term("a1"),), (Term("b1"),), 3, ordered=True)
    assert parse_query("A1 W/2 B1") == Near((Term("a1"),), (Term("b1"),), 2)


def test_or_binds_tighter_than_proximity_and_groups_are_alternatives() -> None:
    assert parse_query('"natural justice" w/10 (hearing OR notice)') == Near(
        (Phrase(("natural", "justice")),), (Term("hearing"), Term("notice")), 10
    )
    assert parse_query("a1 OR b1 /s c1") == Within((Term("a1"), Term("b1")), (Term("c1"),), "sentence")


def test_a_chain_is_the_and_of_its_links() -> None:
    assert parse_query("a1 w/5 b1 /p c1") == And(
        (Near((Term("a1"),), (Term("b1"),), 5), Within((Term("b1"),), (Term("c1"),), "paragraph"))
    )


def test_fuzzy_words() -> None:
    assert parse_query("bail~1") == Fuzzy("bail", 1)
    assert parse_query("bail~2") == Fuzzy("bail", 2)
    assert parse_query("bail~") == Fuzzy("bail", None)
    assert parse_query("bail~ w/3 surety") == Near((Fuzzy("bail"),), (Term("surety"),), 3)


def test_field_queries() -> None:
    assert parse_query("court:Lahore bail") == And((FieldMatch("court", ("lahore",)), Term("bail")))
    assert parse_query('party:"Muhammad Aslam"') == FieldMatch("party", ("muhammad", "aslam"))
    assert parse_query("-doc_type:order bail") == And((Not(FieldMatch("doc_type", ("order",))), Term("bail")))
    assert parse_query("title:bail number:1234") == And(
        (FieldMatch("title", ("bail",)), FieldMatch("number", ("1234",)))
    )
    assert parse_query('citation:"P L D 2019 Supreme Court 1"') == Cites("PLD 2019 SC 1")
    # Not a field: an unknown name, or a time of day, stays words.
    assert parse_query("judge:x") == Phrase(("judge", "x"))


def test_without_is_a_word_not_an_operator() -> None:
    assert parse_query("w/o notice") == And((Phrase(("w", "o")), Term("notice")))


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ("w/5 b", 1, "nothing before it"),
        ("a w/ b", 3, "needs a distance"),
        ("a w/0 b", 3, "from 1 (adjacent words)"),
        ("a w/1001 b", 3, "to 1000"),
        ("a /s", 3, "nothing after it"),
        ("a /s /p b", 3, "nothing after it"),
        ("court:", 1, "has no value"),
        ("bail court: lahore", 6, "has no value"),
        ("a w/5 -b", 3, "not an exclusion"),
        ("(a b) w/5 c", 7, "words joined by AND"),
        ("a w/5 court:x", 3, "a field query"),
        ("bail x~3", 6, "at most 2"),
        ("citation:hello", 1, "not a citation"),
    ],
)
def test_malformed_queries_say_where(query: str, position: int, says: str) -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse_query(query)
    assert caught.value.extra["position"] == position, caught.value.detail
    assert says in caught.value.detail and f"character {position}" in caught.value.detail


def test_marked_words_are_every_positive_operand() -> None:
    assert marked(parse_query('"natural justice" w/5 (hearing OR notice) -bail court:x')) == Or(
        (Phrase(("natural", "justice")), Term("hearing"), Term("notice"))
    )
    assert marked(parse_query("court:lahore")) is None


def test_sentences_and_paragraphs() -> None:
    text = "The W.P. No. 12 was heard by Mr. Khan. Bail was granted.\n\nA new paragraph.\nSame paragraph."
    assert sentences(text) == [
        "The W.P. No. 12 was heard by Mr. Khan.",
        "Bail was granted.",
        "A new paragraph.",
        "Same paragraph.",
    ]
    assert paragraphs(text) == [
        "The W.P. No. 12 was heard by Mr. Khan. Bail was granted.",
        "A new paragraph.\nSame paragraph.",
    ]
    assert sentences("ضمانت منظور۔ درخواست خارج") == ["ضمانت منظور۔", "درخواست خارج"]


def test_positions_as_fts5_counts_them() -> None:
    words = [("words", (index_word("alpha"),))], [("words", (index_word("bravo"),))]
    assert satisfied("alpha x y bravo", "near", *words, distance=3)
    assert not satisfied("alpha x y bravo", "near", *words, distance=2)
    assert satisfied("bravo x alpha", "near", *words, distance=2)
    assert not satisfied("bravo x alpha", "pre", *words, distance=5)
    assert satisfied("alpha, bravo", "sentence", *words)
    assert not satisfied("alpha. Bravo", "sentence", *words)
    assert satisfied("alpha. Bravo", "paragraph", *words)
    assert not satisfied("alpha.\n\nbravo", "paragraph", *words)


def test_boxes_mark_operands_and_fuzzy_words() -> None:
    boxes = [
        WordBox(word, 0.1, 0.1, 0.1, 0.1)
        for word in ["natural", "justice", "needs", "a", "fair", "hearing;", "pctitioner"]
    ]
    assert [box.text for box in matching_boxes(boxes, parse_query('"natural justice" w/10 hearing;'))] == [
        "natural",
        "justice",
        "hearing;",
    ]
    assert [box.text for box in matching_boxes(boxes, parse_query("petitioner~1 /s fair court:x"))] == [
        "fair",
        "pctitioner",
    ]
