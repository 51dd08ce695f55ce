"""The precedent graph's pure parts (decision 0019): page citations, the reported_as headnote heuristic, and how a
citation typed in a search query widens it."""

from __future__ import annotations

import pytest

from citations.service import detect_reported_as, normalize_reported_as, page_citations, with_citations
from core.errors import InvalidInput
from search.query import And, Cites, Or, Term, parse_query

SCMR_HEADNOTE = """2021 S C M R 1

[Supreme Court of Pakistan]

Present: Gulzar Ahmed, C.J. and Ijaz ul Ahsan, J

ABC LIMITED---Appellant

Versus

PROVINCE OF PUNJAB---Respondent

Civil Appeal No. 1234 of 2019, decided on 10th December, 2020.

(a) Contract Act (IX of 1872)---S. 73---Damages---PLD 2010 SC 1 and 2015 SCMR 40 ref.

JUDGMENT

GULZAR AHMED, C.J.---This appeal follows PLD 2019 SC 5.
"""


def test_page_citations_are_normalised_once_each_in_order() -> None:
    text = "See P.L.D. 2019 Supreme Court 1, then 2021 SCMR 12 and again PLD 2019 SC 1 at p. 4."
    assert page_citations(text) == ["PLD 2019 SC 1", "2021 SCMR 12"]
    assert page_citations("No authority here; section 302 PPC, FIR No. 12 of 2020.") == []


def test_a_headnote_gives_the_judgments_own_citation_and_not_those_it_refers_to() -> None:
    assert detect_reported_as(SCMR_HEADNOTE) == ["2021 SCMR 1"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("P L D 2019 Supreme Court 77\n[Supreme Court of Pakistan]\nJUDGMENT\nText.", ["PLD 2019 SC 77"]),
        ("2023 LHC 5924\nLahore High Court\nORDER\n", ["2023 LHC 5924"]),
        # A judgment reported in two series prints both, on one line or two.
        ("2019 SCMR 77 = PLD 2019 SC 88\n[Supreme Court of Pakistan]\n", ["2019 SCMR 77", "PLD 2019 SC 88"]),
        ("[2024] PKSC 242\n2024 SCP 240\nJUDGMENT\n", ["[2024] PKSC 242", "2024 SCP 240"]),
        # A petition that names authorities in its text is not a reported judgment.
        ("IN THE LAHORE HIGH COURT\nW.P. No. 1 of 2024\nThe petitioner relies on PLD 2019 SC 1.\n", []),
        # Below the start of the judgment's body, a citation at a line's start is not the judgment's own.
        ("IN THE SUPREME COURT\nJUDGMENT\nPLD 2019 SC 1 holds that the duty is owed.\n", []),
        ("MUHAMMAD ALI, J.- The petitioner says\nPLD 2019 SC 1 applies.\n", []),
        # Only the head: past its first 15 non-empty lines nothing counts.
        ("\n".join(f"line {n}" for n in range(15)) + "\nPLD 2019 SC 1\n", []),
        ("", []),
    ],
)
def test_the_headnote_heuristic(head: str, expected: list[str]) -> None:
    assert detect_reported_as(head) == expected


def test_a_correction_is_normalised_and_a_non_citation_refused() -> None:
    assert normalize_reported_as(["P.L.D. 2019 S.C. 1", "PLD 2019 SC 1", "2021 s.c.m.r. 5"]) == [
        "PLD 2019 SC 1",
        "2021 SCMR 5",
    ]
    with pytest.raises(InvalidInput):
        normalize_reported_as(["PLD 2019 SC 1", "the leading case"])


def test_a_typed_citation_widens_the_query_with_the_rest_still_required() -> None:
    typed = "bail P.L.D. 2019 Supreme Court 1"
    query = parse_query(typed)
    assert with_citations(typed, query) == Or((query, And((Term("bail"), Cites("PLD 2019 SC 1")))))
    alone = "pld 2019 s.c. 1"  # lower case, as typed in a search box
    assert with_citations(alone, parse_query(alone)) == Or((parse_query(alone), Cites("PLD 2019 SC 1")))
    two = "PLD 2019 SC 1 2021 SCMR 5"
    assert with_citations(two, parse_query(two)) == Or(
        (parse_query(two), And((Cites("PLD 2019 SC 1"), Cites("2021 SCMR 5"))))
    )


@pytest.mark.parametrize("typed", ["bail", '"PLD 2019 SC 1"', "section 302 of 2019"])
def test_a_query_without_a_citation_outside_quotes_is_unchanged(typed: str) -> None:
    query = parse_query(typed)
    assert with_citations(typed, query) is query
