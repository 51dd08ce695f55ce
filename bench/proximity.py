"""proximity_cost_ratio: a proximity query (w/N) against the phrase query of the same words, on both engines, at the
search corpus's size (100k pages in a full run; decision 0017).

The synthetic corpus (bench.materials.synthetic_pages, as r4 uses) is loaded straight into a fresh Elasticsearch alias
(with the engine's sentence and paragraph fields) and an FTS5 file. Each pair is the same words as a phrase and as
w/N: selective pairs (a case number and the name after it) and broad ones (two words of a clause on most pages).
Phrase and proximity run back to back, which first alternating, so load from other work on a shared machine falls on
both. The ratio is the sum of the proximity times over the sum of the phrase times, per engine; the key is the worse
engine's. /s, /p (and pre/N, on the selective pairs) are measured the same way and reported beside it (details).

`python -m bench.proximity [pages]` runs this piece alone and prints its JSON."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import entry, rounded
from bench.corpus import CLAUSES, NAMES
from bench.materials import synthetic_pages
from bench.search import load_elasticsearch, load_sqlite
from bench.stack import ELASTICSEARCH_URL
from search.backends.base import SearchIndex
from search.backends.elastic import ElasticsearchIndex
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import parse_query
from search.schemas import SearchFilters

TARGET = "<= 2"
PAGE_SIZE = 20


def query_pairs(count: int = 24, seed: int = 17) -> list[tuple[str, dict[str, str]]]:
    """(phrase, {operator: query}) for the same words; half selective, half broad."""
    rng = random.Random(seed)
    pairs = []
    for index in range(count):
        if index % 2 == 0:  # selective: "in case 1234 of Name" holds "1234 of name"
            number, name = rng.randint(100, 9999), rng.choice(NAMES).split()[0].lower()
            first, second, phrase = str(number), name, f'"{number} of {name}"'
        else:  # broad: two neighbouring words of a clause
            words = rng.choice(CLAUSES).split()
            start = rng.randrange(1, len(words) - 1)
            first, second, phrase = words[start], words[start + 1], f'"{words[start]} {words[start + 1]}"'
        pairs.append(
            (
                phrase,
                {
                    "w/N": f"{first} w/3 {second}",
                    "/s": f"{first} /s {second}",
                    "/p": f"{first} /p {second}",
                }
                # pre/N on FTS5 checks each page NEAR keeps in Python (decision 0017): ~2 ms a page, so a broad pair
                # at 100k pages would run past the budget; it is timed on the selective pairs only.
                | ({"pre/N (selective)": f"{first} pre/3 {second}"} if index % 2 == 0 else {}),
            )
        )
    return pairs


def _time(index: SearchIndex, query: str) -> float:
    parsed = parse_query(query)
    start = time.perf_counter()
    index.search(parsed, SearchFilters(), offset=0, limit=PAGE_SIZE)
    return (time.perf_counter() - start) * 1000


def measure(engines: dict[str, SearchIndex], rounds: int) -> dict[str, Any]:
    pairs = query_pairs()
    operators = list(dict.fromkeys(operator for _, variants in pairs for operator in variants))
    # (operator time, phrase time) of each pair, measured back to back, per engine and operator.
    timed: dict[str, dict[str, list[tuple[float, float]]]] = {name: {op: [] for op in operators} for name in engines}
    failures: dict[str, dict[str, str]] = {name: {} for name in engines}
    for round_number in range(rounds):
        for position, (phrase, variants) in enumerate(pairs):
            for name, index in engines.items():
                for operator, query in variants.items():
                    first_phrase = (round_number + position) % 2 == 0
                    try:
                        if first_phrase:
                            base, value = _time(index, phrase), _time(index, query)
                        else:
                            value, base = _time(index, query), _time(index, phrase)
                    except Exception as error:  # a budget overrun is a result, reported, not a crash
                        failures[name][query] = type(error).__name__
                        continue
                    timed[name][operator].append((value, base))
    result: dict[str, Any] = {}
    for name, by_operator in timed.items():
        engine: dict[str, Any] = {}
        for operator, samples in by_operator.items():
            engine[operator] = {
                "median_ms": rounded(statistics.median(value for value, _ in samples)) if samples else None,
                "phrase_median_ms": rounded(statistics.median(base for _, base in samples)) if samples else None,
                "ratio": rounded(sum(v for v, _ in samples) / sum(b for _, b in samples)) if samples else None,
            }
        engine["failures"] = failures[name]
        result[name] = engine
    return result


def run_proximity(pages: int, work: Path, rounds: int = 3) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    alias = f"casefile-bench-proximity-{uuid.uuid4().hex[:8]}"
    corpus = list(synthetic_pages(0, pages))
    started = time.perf_counter()
    load_sqlite(work / "proximity.sqlite", corpus)
    sqlite_load = time.perf_counter() - started
    started = time.perf_counter()
    load_elasticsearch(alias, corpus)
    elastic_load = time.perf_counter() - started
    del corpus
    elastic = ElasticsearchIndex(ELASTICSEARCH_URL, alias, search_timeout_seconds=60)
    embedded = SqliteFtsIndex(work / "proximity.sqlite", search_timeout_seconds=60)
    try:
        for index in (embedded, elastic):  # warm both: the first query reads the files into the page cache
            for phrase, variants in query_pairs()[:4]:
                for query in (phrase, *variants.values()):
                    _time(index, query)
        measured = measure({"sqlite-fts5": embedded, "elasticsearch": elastic}, rounds)
        size = elastic.client.indices.stats(index=alias)["_all"]["primaries"]["store"]["size_in_bytes"]
    finally:
        for name in elastic.client.indices.get(index=f"{alias}*"):
            elastic.client.indices.delete(index=name)
        elastic.client.options(ignore_status=404).indices.delete_index_template(name=alias)
    ratios = {name: engine["w/N"]["ratio"] for name, engine in measured.items()}
    worst = max((value for value in ratios.values() if value is not None), default=None)
    return entry(
        worst,
        TARGET,
        unit="w/N time over the phrase time of the same words (the worse engine)",
        pages=pages,
        rounds=rounds,
        queries_per_operator=len(query_pairs()),
        engines=measured,
        load_seconds={"sqlite-fts5": rounded(sqlite_load), "elasticsearch": rounded(elastic_load)},
        elasticsearch_store_mb=rounded(size / 1e6),
        sqlite_file_mb=rounded((work / "proximity.sqlite").stat().st_size / 1e6),
    )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="casefile-proximity-"))
    try:
        print(json.dumps(run_proximity(count, folder, rounds=1 if count < 10_000 else 3), indent=2))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
