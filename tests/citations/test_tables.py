"""reporters.toml: it loads, every example normalises to itself, ambiguous spellings are refused, and a new entry
is all it takes to recognise a new reporter."""

from __future__ import annotations

import pytest

from citations.extract import Extractor, extract_citations
from citations.tables import load_tables, parse_tables, spelling_pattern, squash

API_COURT_CODES = {"SC", "FSC", "Lah", "Kar", "Pesh", "Quetta", "Isl", "AJK", "GB"}
TABLES = load_tables()


def test_the_table_has_every_reporter_the_issue_names():
    codes = {reporter.code for reporter in TABLES.reporters}
    named = {"PLD", "PLJ", "SBLR", "GBLR", "AIR", "SCMR", "CLC", "YLR", "MLD", "PCrLJ", "PTD", "CLD", "PLC"}
    named |= {"PLC(CS)", "PTCL", "KLR", "NLR", "LHC", "SCP", "PKSC", "IHC", "PHC", "SHC", "BHC", "SCC", "SCR"}
    named |= {"AC", "QB", "KB", "Ch", "WLR", "All ER"}
    assert named <= codes
    kinds = {kind.code for kind in TABLES.case_kinds}
    assert {"W.P.", "C.P.", "C.P.L.A.", "Crl.A.", "Crl.Misc.", "ICA", "C.R.P.", "R.F.A.", "C.A."} <= kinds


def test_court_codes_are_the_api_codes_or_none():
    assert {court.court for court in TABLES.courts} - {None} == API_COURT_CODES
    assert {reporter.court for reporter in TABLES.reporters} - {None} <= API_COURT_CODES


@pytest.mark.parametrize(
    "example", [example for reporter in TABLES.reporters for example in reporter.examples], ids=str
)
def test_every_example_in_the_table_extracts_and_normalises_to_itself(example: str):
    found = extract_citations(f"See {example}, relied upon.")
    assert [citation.normalized for citation in found] == [example]


def test_every_reporter_has_an_example():
    assert all(reporter.examples for reporter in TABLES.reporters)


def test_squash_ignores_dots_spaces_hyphens_brackets_and_case():
    assert squash("P. Cr. L. J.") == squash("pcrlj") == squash("P-Cr-LJ") == "PCRLJ"
    assert squash("PLC (C.S.)") == squash("PLC(CS)") == "PLCCS"
    assert squash("AJ&K") != squash("AJK")


def test_spelling_pattern_tolerates_spacing_and_dots_but_not_other_letters():
    import re

    pattern = re.compile(spelling_pattern("P.Cr.L.J.") + "$")
    for spelling in ("PCrLJ", "P Cr. L J", "PCr.LJ", "P.Cr.L.J.", "P. Cr. L. J.", "P.Cr.-\nL.J."):
        assert pattern.match(spelling), spelling
    for spelling in ("PCrLK", "P Cr L", "PLCrJ"):
        assert not pattern.match(spelling), spelling


def _document(**extra_reporter: object) -> dict[str, object]:
    reporter = {
        "code": "XLR",
        "name": "Example Law Reports",
        "country": "PK",
        "order": "year-first",
        "variants": ["Ex. L.R."],
        "examples": ["2020 XLR 7"],
    } | extra_reporter
    court = {"code": "Lah", "court": "Lah", "scope": ["pk"], "variants": ["Lahore"]}
    return {"reporter": [reporter], "court": [court], "case_kind": [{"code": "W.P.", "variants": []}]}


def test_a_new_table_entry_is_recognised_in_all_its_spellings():
    extractor = Extractor(parse_tables(_document()))
    found = extractor.citations("See 2020 XLR 7, 2021 X.L.R. 8 [Lahore] and 2022 Ex. L.R. 9.")
    assert [(citation.normalized, citation.court) for citation in found] == [
        ("2020 XLR 7", None),
        ("2021 XLR 8", "Lah"),
        ("2022 XLR 9", None),
    ]
    # The module's own table does not know it.
    assert extract_citations("See 2020 XLR 7.") == []


def test_a_spelling_shared_by_two_entries_is_refused():
    document = _document()
    clash = dict(document["reporter"][0]) | {"code": "YLR", "variants": ["XLR"]}  # type: ignore[index]
    document["reporter"] = [*document["reporter"], clash]  # type: ignore[misc]
    with pytest.raises(ValueError, match="already a spelling"):
        parse_tables(document)


def test_an_unknown_order_is_refused():
    with pytest.raises(ValueError, match="order must be one of"):
        parse_tables(_document(order="sideways"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"order": "reporter-first", "courts": "mars"}, "courts must name a court scope"),
        ({"order": "volume", "brackets": "{"}, "brackets must be"),
        ({"order": "volume", "volume": "sometimes"}, "volume must be"),
        ({"volume": "required"}, "only volume-order reporters have volumes"),
    ],
)
def test_an_inconsistent_entry_is_refused(fields: dict[str, object], message: str):
    with pytest.raises(ValueError, match=message):
        parse_tables(_document(**fields))


def test_the_years_a_series_ran_are_enforced():
    # The King's Bench reports ended in 1952; [1990] 1 KB 1 cannot be a citation.
    assert extract_citations("[1948] 1 KB 223") != []
    assert extract_citations("[1990] 1 KB 1") == []
