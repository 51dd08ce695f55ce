"""Score an extractor against labelled passages: precision, recall and F1 over the normalised strings.

A passage's expected citations and case numbers are compared with what the extractor finds as multisets: a string
found twice but expected once is one true positive and one false positive. Citations and case numbers are pooled
for the headline figures (prefixed apart, so a case number never matches a citation) and also scored apart."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citations.extract import extract_case_numbers, extract_citations


@dataclass(frozen=True)
class Passage:
    id: int
    group: str
    text: str
    citations: tuple[str, ...]
    case_numbers: tuple[str, ...]


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, found: Counter[str], expected: Counter[str]) -> None:
        self.true_positives += sum((found & expected).values())
        self.false_positives += sum((found - expected).values())
        self.false_negatives += sum((expected - found).values())

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 0.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 0.0

    @property
    def f1(self) -> float:
        both = self.precision + self.recall
        return 2 * self.precision * self.recall / both if both else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    citations: Tally = field(default_factory=Tally)
    case_numbers: Tally = field(default_factory=Tally)
    by_group: dict[str, Tally] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)  # passages where found ≠ expected


# An extractor, for scoring: text → (normalised citations, normalised case numbers).
Extractor = Callable[[str], tuple[list[str], list[str]]]


def casefile_extractor(text: str) -> tuple[list[str], list[str]]:
    return (
        [citation.normalized for citation in extract_citations(text)],
        [number.normalized for number in extract_case_numbers(text)],
    )


def load_passages(path: Path) -> list[Passage]:
    passages = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                raw = json.loads(line)
                passages.append(
                    Passage(
                        id=raw["id"],
                        group=raw["group"],
                        text=raw["text"],
                        citations=tuple(raw["citations"]),
                        case_numbers=tuple(raw["case_numbers"]),
                    )
                )
    return passages


def score(passages: Iterable[Passage], extractor: Extractor = casefile_extractor) -> Score:
    result = Score()
    for passage in passages:
        found_citations, found_numbers = extractor(passage.text)
        citations, expected_citations = Counter(found_citations), Counter(passage.citations)
        numbers, expected_numbers = Counter(found_numbers), Counter(passage.case_numbers)
        result.citations.add(citations, expected_citations)
        result.case_numbers.add(numbers, expected_numbers)
        pooled = _pooled(citations, numbers)
        expected = _pooled(expected_citations, expected_numbers)
        result.overall.add(pooled, expected)
        result.by_group.setdefault(passage.group, Tally()).add(pooled, expected)
        if pooled != expected:
            result.misses.append(
                {"id": passage.id, "text": passage.text, "found": sorted(pooled), "expected": sorted(expected)}
            )
    return result


def _pooled(citations: Counter[str], case_numbers: Counter[str]) -> Counter[str]:
    return Counter({f"citation:{key}": count for key, count in citations.items()}) + Counter(
        {f"case number:{key}": count for key, count in case_numbers.items()}
    )
