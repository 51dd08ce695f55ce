"""citation_f1 and citation_mb_per_s: citation extraction (issue 11) scored on the labelled passages, and timed.

- citation_f1: precision, recall and F1 of `citations` on tests/citations/passages.jsonl (hand-labelled: every
  format, its OCR and spacing variants, layouts from published judgments, and look-alikes that are not citations).
  Citations and case numbers are pooled; each is also scored apart.
- citation_mb_per_s: megabytes of UTF-8 text per CPU-second, one core, for extract_citations + extract_case_numbers
  called page by page, as indexing will call them. The text is the bench corpus's judgment-like pages (sentences with
  case numbers, names and dates: bench.corpus.page_text) with three labelled passages set into each page, so digits,
  dates and citations come at a realistic density. The median of the rounds.

`python -m bench.citations` runs this piece alone and prints its JSON."""

from __future__ import annotations

import json
import random
import statistics
import time
from typing import Any

from bench.common import REPO, entry
from bench.corpus import page_text
from citations import extract_case_numbers, extract_citations
from citations.evaluate import Passage, load_passages, score

PASSAGES_PATH = REPO / "tests" / "citations" / "passages.jsonl"
F1_TARGET = ">= 0.95"
SPEED_TARGET = ">= 2"
PASSAGES_PER_PAGE = 3


def mixed_pages(passages: list[Passage], pages: int, seed: int = 11) -> list[str]:
    """Judgment-like pages, each with a few labelled passages set in between its lines."""
    rng = random.Random(seed)
    made = []
    for number in range(pages):
        lines = page_text(rng, number // 20, number % 20 + 1).split("\n")
        for passage in rng.sample(passages, PASSAGES_PER_PAGE):
            lines.insert(rng.randrange(1, len(lines) + 1), passage.text)
        made.append("\n".join(lines))
    return made


def time_extraction(pages: list[str], rounds: int) -> dict[str, Any]:
    megabytes = sum(len(page.encode()) for page in pages) / 1e6
    cpu_seconds, wall_seconds, found = [], [], 0
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        found = 0
        for page in pages:
            found += len(extract_citations(page)) + len(extract_case_numbers(page))
        cpu_seconds.append(time.process_time() - cpu)
        wall_seconds.append(time.perf_counter() - wall)
    cpu_median = statistics.median(cpu_seconds)
    return {
        "mb_per_cpu_s": megabytes / cpu_median,
        "text_mb": round(megabytes, 2),
        "pages": len(pages),
        "found_per_round": found,
        "cpu_s_per_round": [round(seconds, 3) for seconds in cpu_seconds],
        "wall_s_per_round": [round(seconds, 3) for seconds in wall_seconds],
        "mb_per_wall_s": round(megabytes / statistics.median(wall_seconds), 2),
    }


def run_citations(smoke: bool = False) -> dict[str, Any]:
    passages = load_passages(PASSAGES_PATH)
    result = score(passages)
    overall = result.overall
    f1 = entry(
        overall.f1,
        F1_TARGET,
        precision=round(overall.precision, 4),
        recall=round(overall.recall, 4),
        passages=len(passages),
        citations=result.citations.as_dict(),
        case_numbers=result.case_numbers.as_dict(),
        by_group={group: tally.as_dict() for group, tally in sorted(result.by_group.items())},
        missed_passages=[miss["id"] for miss in result.misses],
    )
    # 2,400 pages ≈ 9 MB; the smoke run's 100 pages keep the harness honest in a second.
    timing = time_extraction(mixed_pages(passages, 100 if smoke else 2_400), rounds=1 if smoke else 3)
    speed = entry(timing.pop("mb_per_cpu_s"), SPEED_TARGET, **timing)
    return {"citation_f1": f1, "citation_mb_per_s": speed}


if __name__ == "__main__":
    print(json.dumps(run_citations(), indent=2, default=str))
