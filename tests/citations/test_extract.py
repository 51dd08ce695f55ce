"""Citation extraction, format by format and spelling by spelling: what is found, its fields and its offsets."""

from __future__ import annotations

import pytest

from citations import Citation, extract_citations, normalize_citation


def only(text: str) -> Citation:
    found = extract_citations(text)
    assert len(found) == 1, [citation.raw for citation in found]
    return found[0]


def normalized(text: str) -> list[str]:
    return [citation.normalized for citation in extract_citations(text)]


# ---------------------------------------------------------------- each format, with its fields


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("PLD 2019 SC 1", ("PLD 2019 SC 1", "PLD", 2019, "SC", None, 1, "PK")),
        ("PLD 1958 SC 533", ("PLD 1958 SC 533", "PLD", 1958, "SC", None, 533, "PK")),
        ("PLD 2016 Lah. 857", ("PLD 2016 Lah 857", "PLD", 2016, "Lah", None, 857, "PK")),
        ("PLD 1992 FSC 1", ("PLD 1992 FSC 1", "PLD", 1992, "FSC", None, 1, "PK")),
        ("PLD 2005 SC (AJK) 1", ("PLD 2005 SC(AJK) 1", "PLD", 2005, "AJK", None, 1, "PK")),
        ("PLD 1960 Dacca 140", ("PLD 1960 Dacca 140", "PLD", 1960, None, None, 140, "PK")),
        ("PLJ 2016 Cr.C. (Lahore) 479", ("PLJ 2016 Cr.C. (Lah) 479", "PLJ", 2016, "Lah", None, 479, "PK")),
        ("SBLR 2017 Sindh 1234", ("SBLR 2017 Sind 1234", "SBLR", 2017, "Kar", None, 1234, "PK")),
        ("GBLR 2016 SAC 12", ("GBLR 2016 SAC 12", "GBLR", 2016, "GB", None, 12, "PK")),
        ("2021 SCMR 1234", ("2021 SCMR 1234", "SCMR", 2021, "SC", None, 1234, "PK")),
        ("2010 CLC 500 [Lahore]", ("2010 CLC 500", "CLC", 2010, "Lah", None, 500, "PK")),
        ("2010 CLC 500", ("2010 CLC 500", "CLC", 2010, None, None, 500, "PK")),
        ("2019 YLR 2005 (Peshawar)", ("2019 YLR 2005", "YLR", 2019, "Pesh", None, 2005, "PK")),
        ("2018 MLD 1021 [Quetta]", ("2018 MLD 1021", "MLD", 2018, "Quetta", None, 1021, "PK")),
        ("2003 P Cr. L J 12", ("2003 PCrLJ 12", "PCrLJ", 2003, None, None, 12, "PK")),
        ("2019 PTD 1762 [Islamabad]", ("2019 PTD 1762", "PTD", 2019, "Isl", None, 1762, "PK")),
        ("2018 CLD 1411 (Kar.)", ("2018 CLD 1411", "CLD", 2018, "Kar", None, 1411, "PK")),
        ("2019 PLC 1", ("2019 PLC 1", "PLC", 2019, None, None, 1, "PK")),
        ("2016 PLC (C.S.) 1148", ("2016 PLC(CS) 1148", "PLC(CS)", 2016, None, None, 1148, "PK")),
        ("2003 PTCL 1", ("2003 PTCL 1", "PTCL", 2003, None, None, 1, "PK")),
        ("1999 KLR 123", ("1999 KLR 123", "KLR", 1999, None, None, 123, "PK")),
        ("2006 NLR 100 (AJ&K)", ("2006 NLR 100", "NLR", 2006, "AJK", None, 100, "PK")),
        ("2015 YLR 1 [Gilgit-Baltistan]", ("2015 YLR 1", "YLR", 2015, "GB", None, 1, "PK")),
        ("1990 PCrLJ 5 (Federal Shariat Court)", ("1990 PCrLJ 5", "PCrLJ", 1990, "FSC", None, 5, "PK")),
        ("2023 LHC 5924", ("2023 LHC 5924", "LHC", 2023, "Lah", None, 5924, "PK")),
        ("2024 SCP 240", ("2024 SCP 240", "SCP", 2024, "SC", None, 240, "PK")),
        ("[2024] PKSC 242", ("[2024] PKSC 242", "PKSC", 2024, "SC", None, 242, "PK")),
        ("2024 IHC 1234", ("2024 IHC 1234", "IHC", 2024, "Isl", None, 1234, "PK")),
        ("2024 PHC 321", ("2024 PHC 321", "PHC", 2024, "Pesh", None, 321, "PK")),
        ("2024 SHC KHI 1431", ("2024 SHC KHI 1431", "SHC", 2024, "Kar", None, 1431, "PK")),
        ("2024 BHC 55", ("2024 BHC 55", "BHC", 2024, "Quetta", None, 55, "PK")),
        ("(2015) 11 SCC 493", ("(2015) 11 SCC 493", "SCC", 2015, "SC", 11, 493, "IN")),
        ("AIR 1950 SC 124", ("AIR 1950 SC 124", "AIR", 1950, "SC", None, 124, "IN")),
        ("AIR 1955 Bom. 100", ("AIR 1955 Bom 100", "AIR", 1955, None, None, 100, "IN")),
        ("[1950] SCR 594", ("[1950] SCR 594", "SCR", 1950, "SC", None, 594, "IN")),
        ("[1976] 2 SCR 347", ("[1976] 2 SCR 347", "SCR", 1976, "SC", 2, 347, "IN")),
        ("[1964] AC 40", ("[1964] AC 40", "AC", 1964, None, None, 40, "UK")),
        ("[1969] 2 AC 147", ("[1969] 2 AC 147", "AC", 1969, None, 2, 147, "UK")),
        ("[1968] 1 QB 1", ("[1968] 1 QB 1", "QB", 1968, None, 1, 1, "UK")),
        ("[1948] 1 KB 223", ("[1948] 1 KB 223", "KB", 1948, None, 1, 223, "UK")),
        ("[1948] Ch 465", ("[1948] Ch 465", "Ch", 1948, None, None, 465, "UK")),
        ("[1977] 1 WLR 1", ("[1977] 1 WLR 1", "WLR", 1977, None, 1, 1, "UK")),
        ("[1990] 1 All ER 568", ("[1990] 1 All ER 568", "All ER", 1990, None, 1, 568, "UK")),
        ("[2019] UKSC 41", ("[2019] UKSC 41", "UKSC", 2019, None, None, 41, "UK")),
        ("[2019] EWCA Civ 123", ("[2019] EWCA Civ 123", "EWCA Civ", 2019, None, None, 123, "UK")),
    ],
)
def test_each_format_is_found_with_its_fields(text: str, fields: tuple[object, ...]):
    citation = only(f"As held in {text}, the petition fails.")
    got = (
        citation.normalized,
        citation.reporter,
        citation.year,
        citation.court,
        citation.volume,
        citation.page,
        citation.country,
    )
    assert got == fields
    assert citation.raw == text


def test_offsets_point_at_the_raw_text():
    text = "Reliance: PLD 2019 SC 1; 2021 SCMR 1234 [Lahore]; and (2015) 11 SCC 493."
    found = extract_citations(text)
    assert [text[citation.start : citation.end] for citation in found] == [citation.raw for citation in found]
    assert [citation.raw for citation in found] == ["PLD 2019 SC 1", "2021 SCMR 1234 [Lahore]", "(2015) 11 SCC 493"]


def test_citations_come_in_text_order_across_formats():
    text = "2021 SCMR 1 then PLD 2019 SC 1 then [1964] AC 40 then AIR 1950 SC 124 then 2023 LHC 5"
    assert normalized(text) == ["2021 SCMR 1", "PLD 2019 SC 1", "[1964] AC 40", "AIR 1950 SC 124", "2023 LHC 5"]


def test_the_api_dict_has_the_contract_keys():
    assert {"raw", "normalized", "reporter", "year", "court", "volume", "page"} <= set(only("PLD 2019 SC 1").as_dict())


# ---------------------------------------------------------------- spellings that must all give one string

EQUIVALENT = {
    "PLD 2019 SC 1": [
        "PLD 2019 SC 1",
        "P.L.D. 2019 S.C. 1",
        "P L D 2019 S C 1",
        "P. L. D. 2019 S. C. 1",
        "PLD 2019 Supreme Court 1",
        "P.L.D 2019 S.C 1",
        "PLD2019SC1",
        "PLD 2019 SC (Pak.) 1",
        "2019 PLD SC 1",
        "PLD 2O19 SC 1",
        "PLD 2019 SC l",
        "PLD\n2019\nSC 1",
        "PLD  2019   SC  1",
        "PLD 2019 Su-\npreme Court 1",
        "pld 2019 sc 1",
        "p.l.d. 2019 supreme court 1",
    ],
    "PLJ 2016 Cr.C. (Lah) 479": [
        "PLJ 2016 Cr.C. (Lahore) 479",
        "P.L.J. 2016 Cr. C. (Lah.) 479",
        "plj 2016 cr.c. (lahore) 479",
    ],
    "PLD 2016 Lah 857": [
        "PLD 2016 Lah 857",
        "PLD 2016 Lah. 857",
        "PLD 2016 Lahore 857",
        "PLD 2016 LAHORE 857",
        "P.L.D. 2016 Lah-\nore 857",
        "PLD 2016 (W.P.) Lahore 857",
    ],
    "2003 PCrLJ 12": [
        "2003 PCrLJ 12",
        "2003 P Cr. L J 12",
        "2003 PCr.LJ 12",
        "2003 P.Cr.L.J. 12",
        "2003 P. Cr. L. J. 12",
        "2003 PCRLJ 12",
        "2003 P.Cri.L.J. 12",
        "2003 P.Cr.\nL.J. 12",
        "2003 PCrLJ 12 (Lah.)",
        "2003 PCrLJ 12 [Lahore]",
        "2003 pcrlj 12",
    ],
    "2010 CLC 500": [
        "2010 CLC 500",
        "2010 CLC 500 [Lahore]",
        "2010 C.L.C. 500 (Lah.)",
        "2010 C L C 500 (Lahore High Court)",
    ],
    "2016 PLC(CS) 1148": ["2016 PLC (C.S.) 1148", "2016 PLC(CS) 1148", "2016 P.L.C. (C.S.) 1148", "2016 PLC (CS) 1148"],
    "2021 SCMR 1234": [
        "2021 SCMR 1234",
        "2021 S.C.M.R. 1234",
        "2021 S C M R 1234",
        "2021 SC-\nMR 1234",
        "SCMR 2021 SUPREME COURT 1234",
        "2021 SCMR 1234 at page 1240",
    ],
    "2023 LHC 5924": ["2023 LHC 5924", "2023 L.H.C. 5924", "2023LHC5924", "2023\nLHC 5924"],
    "2024 SHC KHI 224009": ["2024 SHC KHI 224009", "2024- SHC-KHI - 224009", "2024 S.H.C. KHI 224009"],
    "[2024] PKSC 242": ["[2024] PKSC 242", "2024 PKSC 242", "(2024) PKSC 242"],
    "(2015) 11 SCC 493": ["(2015) 11 SCC 493", "(2015) 11 S.C.C. 493", "[2015] 11 SCC 493", "2015 11 SCC 493"],
    "AIR 1950 SC 124": ["AIR 1950 SC 124", "A.I.R. 1950 S.C. 124", "AIR 1950 Supreme Court 124"],
    "[1990] 1 All ER 568": [
        "[1990] 1 All ER 568",
        "[1990] 1 All E.R. 568",
        "[1990] 1 ALL ER 568",
        "[1990]\n1 All ER 568",
    ],
    "[1964] AC 40": ["[1964] AC 40", "[1964] A.C. 40", "(1964) AC 40"],
}


@pytest.mark.parametrize(
    ("canonical", "spelling"), [(key, spelling) for key, spellings in EQUIVALENT.items() for spelling in spellings]
)
def test_every_spelling_normalises_to_one_string(canonical: str, spelling: str):
    assert normalize_citation(spelling) == canonical
    assert normalize_citation(f"relied on {spelling} in the brief") == canonical


def test_normalize_citation_is_idempotent_and_none_without_a_citation():
    for canonical in EQUIVALENT:
        assert normalize_citation(canonical) == canonical
    assert normalize_citation("natural justice") is None
    assert normalize_citation("") is None
    assert normalize_citation("PLD 2019") is None


# ---------------------------------------------------------------- pinpoints


@pytest.mark.parametrize(
    ("text", "pinpoint", "raw"),
    [
        ("PLD 2019 SC 1 at page 45, and", 45, "PLD 2019 SC 1 at page 45"),
        ("PLD 2019 SC 1, p. 45", 45, "PLD 2019 SC 1, p. 45"),
        ("PLD 2019 SC 1 (at p. 45)", 45, "PLD 2019 SC 1 (at p. 45)"),
        ("1992 SCMR 2064 at 2070", 2070, "1992 SCMR 2064 at 2070"),
        ("2010 CLC 500 [Lahore] at page 502", 502, "2010 CLC 500 [Lahore] at page 502"),
        ("[1964] AC 40 at p. 66", 66, "[1964] AC 40 at p. 66"),
        ("PLD 2019 SC 1 and so on", None, "PLD 2019 SC 1"),
    ],
)
def test_pinpoints_are_read_and_kept_in_the_raw_text(text: str, pinpoint: int | None, raw: str):
    citation = only(text)
    assert (citation.pinpoint, citation.raw) == (pinpoint, raw)
    assert citation.normalized.endswith(str(citation.page))  # the pinpoint is not part of the canonical form


# ---------------------------------------------------------------- what is not a citation


@pytest.mark.parametrize(
    "text",
    [
        "The order dated 12.03.2019 was passed at 10:30 a.m.",
        "Under section 302 PPC and Article 199 of the Constitution, 1973.",
        "Rs. 2,500,000/- deposited on 15th January, 2020.",
        "Call 042-99212345 or 0300-1234567.",
        "In 2019 SC judges heard 12000 cases.",
        "The 2019 SCMR volume is missing.",
        "[1990] All ER 568",  # All ER needs its volume
        "(2015) SCC 493",  # so does SCC
        "2010 SC 500 and 2010 Lah 501",
        "PLD 2019 Bom 1",  # Bombay is not a PLD court
        "AIR 2019 FSC 1",  # nor the Federal Shariat Court an AIR one
        "PLD 1700 SC 1",
        "PLD 2019 SC 0",
        "2019 SCMR 1234567",
        "12019 SCMR 1",
        "SCMR2019",
        "PLDX 2019 SC 1",
        "In 1990 Ch. 5 of the Act was amended.",  # AC, QB, KB and Ch need their year in brackets
        "The 2019 AC 40 units were installed.",
    ],
)
def test_look_alikes_are_not_citations(text: str):
    assert extract_citations(text) == []


def test_later_items_of_a_reporter_first_list_inherit_the_reporter():
    text = "see PLD 1958 SC 533, 1972 SC 139 and 1977 SC 657 at p. 700."
    found = extract_citations(text)
    assert [citation.normalized for citation in found] == ["PLD 1958 SC 533", "PLD 1972 SC 139", "PLD 1977 SC 657"]
    assert [citation.raw for citation in found] == ["PLD 1958 SC 533", "1972 SC 139", "1977 SC 657 at p. 700"]
    assert [text[citation.start : citation.end] for citation in found] == [citation.raw for citation in found]


def test_a_list_item_that_is_a_citation_of_its_own_is_not_continued():
    # LHC is also a spelling of the Lahore court; after "PLD …;" it is still the neutral citation.
    assert normalized("PLD 2018 Isl. 1; 2023 LHC 5924.") == ["PLD 2018 Isl 1", "2023 LHC 5924"]
    assert normalized("PLD 2019 SC 1, 2021 SCMR 5 and 2020 SC 9") == ["PLD 2019 SC 1", "2021 SCMR 5"]


def test_overlapping_readings_keep_one():
    # "2019 PLD SC 1" could also start a year-led reading at "2019"; only one citation comes out.
    assert normalized("2019 PLD SC 1") == ["PLD 2019 SC 1"]


# ---------------------------------------------------------------- robustness


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "unit",
    ["P L D 2019 S ", "[2019] 1 ", "2019 ", "W.P. No. 12-", "P.Cr.L.-\n", "(((((", "Lah-\n", " \n \n", "2019 SCMR 1 ("],
)
def test_pathological_megabyte_inputs_finish(unit: str):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    found = extract_citations(text)
    assert all(citation.raw == text[citation.start : citation.end] for citation in found[:100])


def test_empty_and_non_latin_text():
    assert extract_citations("") == []
    assert extract_citations("عدالت عظمیٰ نے PLD 2019 SC 1 میں قرار دیا") != []
    assert extract_citations("٢٠١٩ عدالت") == []
