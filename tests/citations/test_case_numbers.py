"""Case numbers: each kind, the registry and category suffixes, lists, and what is not a case number."""

from __future__ import annotations

import pytest

from citations import CaseNumber, extract_case_numbers, normalize_case_number


def only(text: str) -> CaseNumber:
    found = extract_case_numbers(text)
    assert len(found) == 1, [number.raw for number in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("W.P. No. 1234 of 2023", ("W.P. No. 1234 of 2023", "W.P.", 1234, None, 2023, None)),
        ("Writ Petition No. 1234 of 2023", ("W.P. No. 1234 of 2023", "W.P.", 1234, None, 2023, None)),
        ("C.P. No. 1596-L of 2021", ("C.P. No. 1596-L of 2021", "C.P.", 1596, "L", 2021, None)),
        ("Civil Petition No. 4-P of 2020", ("C.P. No. 4-P of 2020", "C.P.", 4, "P", 2020, None)),
        ("C.P.L.A. No. 123-K of 2020", ("C.P.L.A. No. 123-K of 2020", "C.P.L.A.", 123, "K", 2020, None)),
        ("Crl. A. No. 12 of 2019", ("Crl.A. No. 12 of 2019", "Crl.A.", 12, None, 2019, None)),
        ("Criminal Appeal No.58/P of 2004", ("Crl.A. No. 58-P of 2004", "Crl.A.", 58, "P", 2004, None)),
        ("Crl. Misc. No. 35569-B of 2021", ("Crl.Misc. No. 35569-B of 2021", "Crl.Misc.", 35569, "B", 2021, None)),
        ("Criminal Misc. No. 531-B of 2019", ("Crl.Misc. No. 531-B of 2019", "Crl.Misc.", 531, "B", 2019, None)),
        ("ICA No. 12 of 2020", ("ICA No. 12 of 2020", "ICA", 12, None, 2020, None)),
        ("Intra Court Appeal No. 210 of 2021", ("ICA No. 210 of 2021", "ICA", 210, None, 2021, None)),
        ("C.R.P. No. 5 of 2017", ("C.R.P. No. 5 of 2017", "C.R.P.", 5, None, 2017, None)),
        ("R.F.A. No. 300 of 2014", ("R.F.A. No. 300 of 2014", "R.F.A.", 300, None, 2014, None)),
        ("Civil Appeal No. 1234 of 2019", ("C.A. No. 1234 of 2019", "C.A.", 1234, None, 2019, None)),
        ("C.P. No. D-1234 of 2020", ("C.P. No. D-1234 of 2020", "C.P.", 1234, None, 2020, "D")),
        ("W.P. No.1234/2023", ("W.P. No. 1234 of 2023", "W.P.", 1234, None, 2023, None)),
        ("W.P. No. 1234", ("W.P. No. 1234", "W.P.", 1234, None, None, None)),
        ("Criminal Appeal No. 8(s) of 2008", ("Crl.A. No. 8 of 2008", "Crl.A.", 8, None, 2008, None)),
    ],
)
def test_each_kind_is_found_with_its_fields(text: str, fields: tuple[object, ...]):
    number = only(f"In {text}, the Court held.")
    assert (number.normalized, number.kind, number.number, number.suffix, number.year, number.prefix) == fields
    assert number.raw == text


@pytest.mark.parametrize(
    "spelling",
    [
        "W.P. No. 12-L of 2019",
        "W. P. No. 12 - L of 2019",
        "WP No. 12-L of 2019",
        "W.P.No.12-L/2019",
        "Writ Petition No. 12-L of 2019",
        "WRIT PETITION NO. 12-L OF 2019",
        "writ petition no. 12-L of 2019",
        "W.P. No.\n12-L of 2019",
        "W.P. No. 12/L of 2019",
    ],
)
def test_spellings_of_one_case_number_normalise_alike(spelling: str):
    assert normalize_case_number(spelling) == "W.P. No. 12-L of 2019"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Civil Petitions Nos. 1234-L and 1235-L of 2019",
            ["C.P. No. 1234-L of 2019", "C.P. No. 1235-L of 2019"],
        ),
        (
            "Writ Petitions No. 10, 11 & 12 of 2020",
            ["W.P. No. 10 of 2020", "W.P. No. 11 of 2020", "W.P. No. 12 of 2020"],
        ),
        ("W.Ps. Nos.6661 and 14121/2019", ["W.P. No. 6661 of 2019", "W.P. No. 14121 of 2019"]),
        ("Civil Appeals Nos. 414 and 817 of 2021", ["C.A. No. 414 of 2021", "C.A. No. 817 of 2021"]),
    ],
)
def test_a_list_gives_one_case_number_per_number_with_the_shared_year(text: str, expected: list[str]):
    found = extract_case_numbers(text)
    assert [number.normalized for number in found] == expected
    assert all(number.raw == text for number in found)


def test_offsets_point_at_the_raw_text():
    text = "This disposes of W.P. No. 1234 of 2023 and Crl. Misc. No. 35569-B of 2021 together."
    found = extract_case_numbers(text)
    assert [text[number.start : number.end] for number in found] == [
        "W.P. No. 1234 of 2023",
        "Crl. Misc. No. 35569-B of 2021",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "F.I.R. No. 123 of 2020 was registered.",
        "Suit No. 1234 of 2019 before the Civil Judge.",
        "Act No. 12 of 2019 and Ordinance No. XV of 2002.",
        "The W.P. and the C.P. were consolidated.",
        "C.P. 45 was mentioned; W.P. 12 too.",  # neither "No." nor a year
        "CAP 12 of the statute",
        "Crl. Org. No. 5 of 2020",
        "C.W.P. No. 123 of 2020",  # an Indian civil writ petition, not a W.P. inside it
    ],
)
def test_look_alikes_are_not_case_numbers(text: str):
    assert extract_case_numbers(text) == []


def test_normalize_case_number_is_none_without_one():
    assert normalize_case_number("natural justice") is None
