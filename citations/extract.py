"""Find law-report citations and case numbers in text, and normalise each to one canonical string.

Pure and fast: three patterns built from reporters.toml (reporter first, year led, case numbers) and compiled once,
each run once over the text, then a dictionary lookup of the matched spellings; a fourth, anchored after a
reporter-first citation, reads the rest of its list. Every quantifier is bounded, so no input makes the engine
backtrack without end.

Canonical forms (docs/decisions/0016-citation-extraction.md):
- reporter first: ``PLD 2019 SC 1``; a section goes before the court in brackets: ``PLJ 2016 Cr.C. (Lah) 479``;
- year first: ``2021 SCMR 1234``, without the court even where one is printed (``2010 CLC 500 [Lahore]`` →
  ``2010 CLC 500``, court ``Lah``): a year-first reporter numbers its pages through the year, so year, reporter and
  page name the judgment, and the same judgment is cited with and without the court;
- neutral: ``2023 LHC 5924``, ``2024 SHC KHI 1431``, ``[2024] PKSC 242`` (the brackets its scheme prints);
- volume: ``(2015) 11 SCC 493``, ``[1964] AC 40``, ``[1990] 1 All ER 568``;
- case numbers: ``W.P. No. 1234 of 2023``, ``C.P. No. 1596-L of 2021``, ``C.P. No. D-1234 of 2020``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from citations.tables import Court, Reporter, Tables, alternation, load_tables, spellings, squash

# OCR reads 0 as O or o and 1 as l or I; inside a number already begun with a digit that reading is safe.
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
EARLIEST_YEAR, LATEST_YEAR = 1800, 2099

_SPACE = r"[^\S\r\n]"  # horizontal white space, NBSP and form feed included
# Between the parts of a citation: a few spaces and at most one line break.
SEP = rf"{_SPACE}{{0,6}}(?:\r?\n{_SPACE}{{0,6}})?"
# Year-led parts may also be joined by a hyphen: the Sindh High Court prints "2024- SHC-KHI - 224009".
_DASHED_SEP = rf"{SEP}(?:-{SEP})?"
_YEAR_LED = r"[12][\dOoIl]{3}(?![\d])"  # a year that starts a citation must begin with a real digit
_YEAR = r"[12lI][\dOoIl]{3}(?![\d])"  # after a reporter, an OCR'd first digit is safe too
_PAGE = r"[\dlI][\dOoIl]{0,5}(?![\w])"
_PINPOINT = (
    rf"(?:{_SPACE}{{0,2}}[,;]?{SEP}(?P<pin_open>\({_SPACE}{{0,2}})?"
    rf"(?:at{_SPACE}{{1,3}}(?:(?:page|pg\.?|pp?\.){_SPACE}{{0,3}})?|(?:page|pg\.|pp?\.){_SPACE}{{0,3}})"
    rf"(?P<pinpoint>\d{{1,5}})(?![\w])(?(pin_open){_SPACE}{{0,2}}\)))?"
)
# One case number: Sindh's letter prefix ("D-1234"), the number, a registry or category suffix ("1596-L").
_CASE_NUMBER_PARTS = (
    rf"(?:(?P<prefix>[A-Z]){_SPACE}{{0,2}}-{_SPACE}{{0,2}})?(?P<number>\d[\dOoIl]{{0,6}})(?![\w])"
    rf"(?:{_SPACE}{{0,2}}[-/]{_SPACE}{{0,2}}(?P<suffix>[A-Z]{{1,2}})(?![\w]))?"
    r"(?:\([A-Za-z]{1,3}\))?"  # a category in brackets, "8(s)" for Shariat: read past, not kept
)
_ONE_CASE_NUMBER = re.compile(_CASE_NUMBER_PARTS)
_UNNAMED_CASE_NUMBER = re.sub(r"\(\?P<\w+>", "(?:", _CASE_NUMBER_PARTS)


@dataclass(frozen=True, slots=True)
class Citation:
    raw: str  # the text as printed, text[start:end], pinpoint included
    normalized: str
    reporter: str  # the reporter's canonical code: PLD, SCMR, PCrLJ, PLC(CS), LHC, SCC, All ER …
    year: int
    court: str | None  # SC, FSC, Lah, Kar, Pesh, Quetta, Isl, AJK, GB, or None
    volume: int | None
    page: int
    start: int
    end: int
    pinpoint: int | None = None
    country: str = "PK"  # the reporter's: PK, IN or UK

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CaseNumber:
    raw: str
    normalized: str
    kind: str  # the canonical kind: W.P., C.P., C.P.L.A., Crl.A., Crl.Misc., ICA, C.R.P., R.F.A., C.A.
    number: int
    suffix: str | None  # the registry or category letter after the number: L, B, K, P, Q …
    year: int | None
    start: int
    end: int
    prefix: str | None = None  # the letter before the number, as Sindh's "D-1234"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(text: str) -> int:
    return int(text.translate(_OCR_DIGITS))


def _year(text: str) -> int | None:
    year = _number(text)
    return year if EARLIEST_YEAR <= year <= LATEST_YEAR else None


class Extractor:
    """The compiled patterns and lookups of one set of tables (the module keeps one for reporters.toml)."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.reporters = tables.reporter_by_spelling()
        self.reporter_codes = tables.reporter_by_code()
        self.courts = tables.court_by_spelling()
        self.kinds = tables.case_kind_by_spelling()
        reporters = tables.reporters
        # Year-first reporters are sometimes printed reporter first too, with a court: "SCMR 2021 SUPREME COURT 5".
        first = [entry for entry in reporters if entry.order in ("reporter-first", "year-first")]
        led = [entry for entry in reporters if entry.order != "reporter-first" or entry.also_year_first]
        courts = alternation(
            [spelling for court in tables.courts for spelling in spellings(court.code, court.variants)]
        )
        sections = [
            spelling for entry in reporters for section in entry.sections for spelling in spellings(section, [])
        ]
        # A table without sections or benches still has the groups, that can never match: (?!).
        section = rf"(?:(?P<section>{alternation(sections) if sections else '(?!)'}){SEP})?"
        benches = sorted({bench for entry in reporters for bench in entry.benches})
        bench = rf"(?:(?P<bench>{'|'.join(benches) or '(?!)'}){_DASHED_SEP})?"
        self.reporter_first = re.compile(
            rf"(?<![A-Za-z])(?P<reporter>{_reporters(first)}){SEP}(?P<year>{_YEAR}){SEP}"
            rf"(?:\({_SPACE}?W\.?{_SPACE}?P\.?{_SPACE}?\){SEP})?"  # West Pakistan volumes: PLD 1958 (W.P.) Lah 1
            rf"{section}(?P<court_open>\({_SPACE}{{0,2}})?(?P<court>{courts})(?(court_open){_SPACE}{{0,2}}\))"
            rf"{SEP}(?P<page>{_PAGE}){_PINPOINT}"
        )
        # "PLD 1958 SC 533, 1972 SC 139 and 1977 SC 657": the later items of a list inherit the reporter.
        self.continuation = re.compile(
            rf"{_SPACE}{{0,2}}(?:[,;]|,?{_SPACE}{{0,2}}(?:and|&)){SEP}"
            rf"(?P<year>{_YEAR_LED}){SEP}(?P<court>{courts}){SEP}(?P<page>{_PAGE}){_PINPOINT}"
        )
        self.year_led = re.compile(
            rf"(?<![\w/.-])(?P<open>[\[(]{_SPACE}{{0,2}})?(?P<year>{_YEAR_LED})(?P<close>{_SPACE}{{0,2}}[\])])?"
            rf"{_DASHED_SEP}(?:(?P<volume>\d{{1,3}}){SEP})?(?P<reporter>{_reporters(led)}){_DASHED_SEP}{bench}"
            rf"(?:(?P<court_before>{courts}){SEP})?(?P<page>{_PAGE})"
            # The court in brackets after the page: "[Lahore]", "(Lah.)", "(Lahore High Court)".
            rf"(?:{SEP}[\[(]{_SPACE}{{0,2}}(?P<court_after>{courts})"
            rf"(?:{_SPACE}{{1,2}}High{_SPACE}{{1,2}}Court)?(?:{_SPACE}{{1,2}}of{_SPACE}{{1,2}}Pakistan)?"
            rf"{_SPACE}{{0,2}}[\])])?{_PINPOINT}"
        )
        kinds = alternation(
            [spelling for kind in tables.case_kinds for spelling in spellings(kind.code, kind.variants)]
        )
        self.case_number = re.compile(
            # Not inside a longer abbreviation ("C.W.P."); a plural ("W.Ps.", "Civil Appeals") reads as the kind.
            rf"(?<![A-Za-z])(?<![A-Za-z]\.)(?P<kind>{kinds})(?:s\.?(?![A-Za-z]))?{SEP}"
            rf"(?:(?P<no>(?i:nos?|n0|number)|#)\.?{SEP})?"
            # "Nos. 1234-L and 1235-L of 2019", "No. 10, 11 & 12 of 2020": the year is every number's.
            rf"(?P<numbers>{_UNNAMED_CASE_NUMBER}"
            rf"(?:{_SPACE}{{0,2}}(?:,|&|(?i:and)){SEP}{_UNNAMED_CASE_NUMBER}){{0,20}})"
            rf"(?:{SEP}(?:(?i:of)|/){SEP}(?P<year>[12][\dOoIl]{{3}})(?![\w]))?"
        )

    def citations(self, text: str) -> list[Citation]:
        found = [
            citation
            for citation in (self._year_led(match) for match in self.year_led.finditer(text))
            if citation is not None
        ]
        # A list item that reads as a citation of its own ("PLD 2018 Isl 1; 2023 LHC 5924") is not continued.
        year_led_starts = {citation.start for citation in found}
        for match in self.reporter_first.finditer(text):
            citation = self._reporter_first(match)
            if citation is not None:
                found.append(citation)
                found += self._continued(text, match, citation, year_led_starts)
        return _without_overlaps(found)

    def case_numbers(self, text: str) -> list[CaseNumber]:
        return [number for match in self.case_number.finditer(text) for number in self._case_numbers(match)]

    # ---------------------------------------------------------------- building the results

    def _continued(
        self, text: str, first_match: re.Match[str], first: Citation, year_led_starts: set[int]
    ) -> list[Citation]:
        reporter = self.reporter_codes[first.reporter]
        if reporter.order != "reporter-first" or first_match["section"]:  # a section's list is not read on
            return []
        found: list[Citation] = []
        position = first.end
        while (match := self.continuation.match(text, position)) is not None:
            if match.start("year") in year_led_starts:
                break
            court = self.courts[squash(match["court"])]
            year = _year(match["year"])
            if year is None or not reporter.ran_in(year) or reporter.courts not in court.scope:
                break
            citation = self._reporter_first_citation(match, reporter, year, court, None, match.start("year"))
            if citation is None:
                break
            found.append(citation)
            position = match.end()
        return found

    def _reporter_first(self, match: re.Match[str]) -> Citation | None:
        reporter = self.reporters[squash(match["reporter"])]
        court = self.courts[squash(match["court"])]
        year = _year(match["year"])
        if year is None or not reporter.ran_in(year):
            return None
        if reporter.order == "year-first":
            if "pk" not in court.scope or match["section"]:
                return None
            return self._year_led_citation(match, reporter, year, None, None, court.court)
        if reporter.courts not in court.scope:
            return None
        section = None
        if match["section"]:
            section = next((known for known in reporter.sections if squash(known) == squash(match["section"])), None)
            if section is None:  # a section this reporter does not have
                return None
        return self._reporter_first_citation(match, reporter, year, court, section)

    def _reporter_first_citation(
        self,
        match: re.Match[str],
        reporter: Reporter,
        year: int,
        court: Court,
        section: str | None,
        start: int | None = None,
    ) -> Citation | None:
        page = _number(match["page"])
        if page == 0:
            return None
        court_part = f"{section} ({court.code})" if section else court.code
        start = match.start() if start is None else start
        return Citation(
            raw=match.string[start : match.end()],
            normalized=f"{reporter.code} {year} {court_part} {page}",
            reporter=reporter.code,
            year=year,
            court=court.court,
            volume=None,
            page=page,
            start=start,
            end=match.end(),
            pinpoint=_pinpoint(match),
            country=reporter.country,
        )

    def _year_led(self, match: re.Match[str]) -> Citation | None:
        reporter = self.reporters[squash(match["reporter"])]
        year = _year(match["year"])
        if year is None or not reporter.ran_in(year):
            return None
        court_before = self.courts[squash(match["court_before"])] if match["court_before"] else None
        court_after = self.courts[squash(match["court_after"])] if match["court_after"] else None
        volume = int(match["volume"]) if match["volume"] else None
        bench = match["bench"]
        if reporter.order == "reporter-first":  # typed year first: "2019 PLD SC 1"
            if court_before is None or volume is not None or bench or reporter.courts not in court_before.scope:
                return None
            return self._reporter_first_citation(match, reporter, year, court_before, None)
        if court_before is not None or (bench and bench not in reporter.benches):
            return None
        if reporter.order == "volume":
            if volume is None and reporter.volume == "required":
                return None
            if reporter.needs_brackets and not (match["open"] or match["close"]):
                return None
        elif volume is not None:
            return None
        court = court_after.court if court_after is not None and reporter.order == "year-first" else reporter.court
        return self._year_led_citation(match, reporter, year, volume, bench, court)

    def _year_led_citation(
        self,
        match: re.Match[str],
        reporter: Reporter,
        year: int,
        volume: int | None,
        bench: str | None,
        court: str | None,
    ) -> Citation | None:
        page = _number(match["page"])
        if page == 0:
            return None
        return Citation(
            raw=match.group(),
            normalized=_year_led_form(reporter, year, volume, bench, page),
            reporter=reporter.code,
            year=year,
            court=court or reporter.court,
            volume=volume,
            page=page,
            start=match.start(),
            end=match.end(),
            pinpoint=_pinpoint(match),
            country=reporter.country,
        )

    def _case_numbers(self, match: re.Match[str]) -> list[CaseNumber]:
        """One per number; a list ("Nos. 1 and 2 of 2020") gives several, each spanning the whole list."""
        kind = self.kinds[squash(match["kind"])]
        year = _year(match["year"]) if match["year"] else None
        # Without "No." or a year, "CA 12" or "CP 5" is too likely to be something else.
        if match["no"] is None and year is None:
            return []
        found = []
        for part in _ONE_CASE_NUMBER.finditer(match["numbers"]):
            number = _number(part["number"])
            prefix, suffix = part["prefix"], part["suffix"]
            shown = f"{prefix}-{number}" if prefix else str(number)
            if suffix:
                shown += f"-{suffix}"
            found.append(
                CaseNumber(
                    raw=match.group(),
                    normalized=f"{kind.code} No. {shown}" + (f" of {year}" if year else ""),
                    kind=kind.code,
                    number=number,
                    suffix=suffix,
                    year=year,
                    start=match.start(),
                    end=match.end(),
                    prefix=prefix,
                )
            )
        return found


def _reporters(entries: list[Reporter]) -> str:
    return alternation([spelling for entry in entries for spelling in spellings(entry.code, entry.variants)])


def _pinpoint(match: re.Match[str]) -> int | None:
    return int(match["pinpoint"]) if match["pinpoint"] else None


def _year_led_form(reporter: Reporter, year: int, volume: int | None, bench: str | None, page: int) -> str:
    opening = reporter.brackets or ""
    closing = {"[": "]", "(": ")"}.get(opening, "")
    parts = [f"{opening}{year}{closing}"]
    if volume is not None:
        parts.append(str(volume))
    parts.append(reporter.code)
    if bench:
        parts.append(bench)
    parts.append(str(page))
    return " ".join(parts)


def _without_overlaps(citations: list[Citation]) -> list[Citation]:
    """In text order; where two readings overlap, the one that starts first (then the longer) wins."""
    kept: list[Citation] = []
    for citation in sorted(citations, key=lambda item: (item.start, -item.end)):
        if kept and citation.start < kept[-1].end:
            continue
        kept.append(citation)
    return kept


_EXTRACTOR: Extractor | None = None


def extractor() -> Extractor:
    global _EXTRACTOR
    if _EXTRACTOR is None:
        _EXTRACTOR = Extractor(load_tables())
    return _EXTRACTOR


def extract_citations(text: str) -> list[Citation]:
    """Every reporter, neutral, Indian and UK citation in `text`, in text order, each with its canonical form."""
    return extractor().citations(text)


def extract_case_numbers(text: str) -> list[CaseNumber]:
    """Every case number (W.P. No. 1234 of 2023, Crl. Misc. No. 35569-B of 2021 …) in `text`, in text order."""
    return extractor().case_numbers(text)


def normalize_citation(text: str) -> str | None:
    """The canonical form of the first citation typed in `text`, in any spelling or case; None if there is none.

    Search uses it: "p.l.d. 2019 s.c. 1", "PLD 2019 Supreme Court 1" and "P L D 2019 SC 1" all give
    "PLD 2019 SC 1"."""
    found = extract_citations(text) or extract_citations(text.upper())
    return found[0].normalized if found else None


def normalize_case_number(text: str) -> str | None:
    """The canonical form of the first case number typed in `text`, in any spelling or case; None if there is none."""
    found = extract_case_numbers(text) or extract_case_numbers(text.upper())
    return found[0].normalized if found else None
