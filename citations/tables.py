"""The reporter, court and case-kind tables of reporters.toml, and the tolerant patterns built from their spellings."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar

TABLE_PATH = Path(__file__).with_name("reporters.toml")

T = TypeVar("T")
Order = Literal["reporter-first", "year-first", "neutral", "volume"]
ORDERS: tuple[Order, ...] = ("reporter-first", "year-first", "neutral", "volume")

# Between the letter groups of an abbreviation: nothing, dots, spaces, a line break or an end-of-line hyphen
# ("P.L.D.", "P L D", "PLD", "S-\nCMR"). Bounded, so that no input makes the engine backtrack without end.
BETWEEN_GROUPS = r"[-.\s]{0,3}"
# Inside a long word ("Lahore", "Supreme"): only a hyphenated line break ("Lah-\nore").
INSIDE_WORD = r"(?:-[ \t]{0,2}\r?\n[ \t]{0,2})?"
# The letter groups of a spelling: a capital with its lower-case letters ("Cr", "Lahore"), a lower-case word
# ("and"), digits, and the punctuation that carries meaning ("&", brackets). Dots and spaces are separators.
_GROUP = re.compile(r"[A-Z][a-z]*|[a-z]+|\d+|[&()]")
_NOT_SQUASHED = re.compile(r"[^0-9A-Za-z&]")


def squash(spelling: str) -> str:
    """The key two spellings share when they differ only in dots, spaces, hyphens, brackets and case."""
    return _NOT_SQUASHED.sub("", spelling).upper()


def letter_groups(spelling: str) -> list[str]:
    return _GROUP.findall(spelling)


def _group_pattern(group: str) -> str:
    if len(group) >= 5 and group.isalpha():
        return INSIDE_WORD.join(re.escape(letter) for letter in group)
    return re.escape(group)


def spelling_pattern(spelling: str) -> str:
    """A pattern for `spelling` that tolerates OCR and typist spacing: "P.Cr.L.J." matches "P Cr. L J", "PCrLJ"."""
    groups = letter_groups(spelling)
    if not groups:
        raise ValueError(f"spelling {spelling!r} has no letters")
    body = BETWEEN_GROUPS.join(_group_pattern(group) for group in groups)
    return body + r"\.?" if groups[-1][-1].isalnum() else body


def spellings(code: str, variants: Sequence[str]) -> list[str]:
    """The code, its variants and their capitalised forms ("Lahore" → "LAHORE", keeping "Lahore" one group)."""
    found: list[str] = []
    for spelling in [code, *variants]:
        groups = letter_groups(spelling)
        for candidate in (spelling, " ".join(group.upper() for group in groups)):
            if candidate not in found:
                found.append(candidate)
    return found


def alternation(spelled: list[str]) -> str:
    """One non-capturing alternation, longest spelling first, so "PLC (C.S.)" is tried before "PLC"."""
    if not spelled:
        return "(?!)"  # matches nothing, rather than the empty string
    patterns: list[str] = []
    for spelling in sorted(spelled, key=lambda text: (-len(squash(text)), -len(text), text)):
        pattern = spelling_pattern(spelling)
        if pattern not in patterns:
            patterns.append(pattern)
    return "(?:" + "|".join(patterns) + ")"


@dataclass(frozen=True, slots=True)
class Reporter:
    code: str
    name: str
    country: str
    order: Order
    variants: tuple[str, ...]
    examples: tuple[str, ...]
    courts: str | None = None  # reporter-first: the court scope its courts come from
    court: str | None = None  # year-first and neutral: the court all its citations are from
    also_year_first: bool = False
    brackets: str | None = None
    volume: Literal["required", "optional"] | None = None
    needs_brackets: bool = False
    benches: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    start: int | None = None
    end: int | None = None

    def ran_in(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


@dataclass(frozen=True, slots=True)
class Court:
    code: str
    court: str | None
    scope: tuple[str, ...]
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseKind:
    code: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Tables:
    reporters: tuple[Reporter, ...]
    courts: tuple[Court, ...]
    case_kinds: tuple[CaseKind, ...]

    def reporter_by_code(self) -> dict[str, Reporter]:
        return {entry.code: entry for entry in self.reporters}

    def reporter_by_spelling(self) -> dict[str, Reporter]:
        return _by_squashed([(entry, entry.code, entry.variants) for entry in self.reporters])

    def court_by_spelling(self) -> dict[str, Court]:
        return _by_squashed([(entry, entry.code, entry.variants) for entry in self.courts])

    def case_kind_by_spelling(self) -> dict[str, CaseKind]:
        return _by_squashed([(entry, entry.code, entry.variants) for entry in self.case_kinds])


def _by_squashed(entries: list[tuple[T, str, tuple[str, ...]]]) -> dict[str, T]:
    found: dict[str, T] = {}
    for entry, code, variants in entries:
        for spelling in (code, *variants):
            key = squash(spelling)
            if key in found and found[key] is not entry:
                raise ValueError(f"spelling {spelling!r} of {code!r} is already a spelling of another entry")
            found[key] = entry
    return found


def _strings(raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{key} must be a list of strings in {raw.get('code')!r}")
    return tuple(value)


def parse_tables(document: dict[str, Any]) -> Tables:
    reporters = []
    for raw in document.get("reporter", []):
        if raw["order"] not in ORDERS:
            raise ValueError(f"reporter {raw['code']!r}: order must be one of {ORDERS}")
        reporters.append(
            Reporter(
                code=raw["code"],
                name=raw["name"],
                country=raw["country"],
                order=raw["order"],
                variants=_strings(raw, "variants"),
                examples=_strings(raw, "examples"),
                courts=raw.get("courts"),
                court=raw.get("court"),
                also_year_first=bool(raw.get("also_year_first", False)),
                brackets=raw.get("brackets"),
                volume=raw.get("volume"),
                needs_brackets=bool(raw.get("needs_brackets", False)),
                benches=_strings(raw, "benches"),
                sections=_strings(raw, "sections"),
                start=raw.get("start"),
                end=raw.get("end"),
            )
        )
    courts = [
        Court(
            code=raw["code"], court=raw.get("court"), scope=_strings(raw, "scope"), variants=_strings(raw, "variants")
        )
        for raw in document.get("court", [])
    ]
    kinds = [CaseKind(code=raw["code"], variants=_strings(raw, "variants")) for raw in document.get("case_kind", [])]
    tables = Tables(tuple(reporters), tuple(courts), tuple(kinds))
    # Fail at import on an ambiguous or inconsistent table rather than normalise one spelling two ways.
    tables.reporter_by_spelling(), tables.court_by_spelling(), tables.case_kind_by_spelling()
    _check(tables)
    return tables


def _check(tables: Tables) -> None:
    scopes = {scope for court in tables.courts for scope in court.scope}
    for reporter in tables.reporters:
        problem = None
        if reporter.order == "reporter-first" and reporter.courts not in scopes:
            problem = f"courts must name a court scope ({sorted(scopes)})"
        elif reporter.brackets not in (None, "[", "("):
            problem = 'brackets must be "[" or "("'
        elif reporter.volume not in (None, "required", "optional"):
            problem = 'volume must be "required" or "optional"'
        elif reporter.volume is not None and reporter.order != "volume":
            problem = "only volume-order reporters have volumes"
        if problem:
            raise ValueError(f"reporter {reporter.code!r}: {problem}")


@cache
def load_tables(path: Path = TABLE_PATH) -> Tables:
    with path.open("rb") as handle:
        return parse_tables(tomllib.load(handle))
