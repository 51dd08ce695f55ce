"""r9: a search inside the walls (issue 9) against the same search with no walls, on each engine, in process.

The synthetic search corpus (bench.materials.synthetic_pages), 10 pages per case (5 documents of 2 pages), so 100k
pages are 10k cases, with each case's access keys made by access.policy.reader_keys from owning units,
assignments, grants and seals, as Casefile writes them. r4's 48 queries run through the engine's own `search()`
(no API, whose fixed cost would only dilute the ratio): as an admin (SearchFilters.readers None: no trimming), and
as callers whose keys come from access.policy.principal_keys. Rounds interleave the callers, in a rotating order,
so drift on a shared machine falls on every caller alike; each caller's cost is the median round.
"""

from __future__ import annotations

import contextlib
import dataclasses
import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from access import policy
from access.schemas import Principal
from bench.common import entry, latency_summary, rounded
from bench.materials import synthetic_pages
from bench.search import PAGE_SIZE, load_elasticsearch, load_sqlite, query_mix
from bench.stack import ELASTICSEARCH_URL
from core.models import Assignment, Case, Grant, Role
from search.backends.elastic import ElasticsearchIndex
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import Clause, parse_query
from search.schemas import PageEntry, SearchFilters

TARGET = "<= 1.2"
PAGES_PER_DOCUMENT = 2  # with synthetic_pages' 5 documents per case: 10 pages per case
UNITS = 20
OFFICERS = 300
NAMESPACE = uuid.UUID("6c1f2f0e-9a51-4c52-9d2e-6a0d1d7c9b11")
Callers = dict[str, tuple[str, ...] | None]  # a caller's name and access keys (None: an admin, no trimming)


def _id(kind: str, number: int) -> str:
    """Ids shaped like Casefile's (UUIDs), so keys and their tokens are as long as in real use."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}-{number}"))


def owning_unit(case: int) -> int:
    """Half the cases belong to one large ministry; the rest are spread over 19 smaller units."""
    return 0 if case % 2 == 0 else 1 + (case // 2) % (UNITS - 1)


def case_walls(case: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The case's (readers, sealed_readers), from the real policy: one assigned officer per case (each officer has
    ~33 of 10k cases), a unit grant on every 25th case, a user grant on every 40th, every 100th case sealed."""
    record = Case(id=_id("case", case), unit_id=_id("unit", owning_unit(case)), sealed=case % 100 == 7)
    record.assignments = [Assignment(user_id=_id("officer", case * 7 % OFFICERS))]
    grants = []
    if case % 25 == 0:
        grants.append(Grant(unit_id=_id("unit", (case // 25) % UNITS)))
    if case % 40 == 0:
        grants.append(Grant(user_id=_id("clerk", (case // 40) % UNITS)))
    record.grants = grants
    return policy.reader_keys(record)


def walled_pages(count: int) -> Iterator[PageEntry]:
    """synthetic_pages with the walls: every 50th document sealed."""
    walls: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for page in synthetic_pages(0, count, pages_per_document=PAGES_PER_DOCUMENT):
        case = int(page.case.case_id.split("-")[1])
        readers, sealed_readers = walls.get(page.case.case_id) or walls.setdefault(page.case.case_id, case_walls(case))
        fields = dataclasses.replace(page.case, readers=readers, sealed_readers=sealed_readers)
        document = int(page.document_id.split("-")[1])
        yield dataclasses.replace(page, case=fields, sealed=document % 50 == 3)


def callers() -> Callers:
    """The access keys of each caller measured; the admin's None is the search with no trimming."""

    def keys(role: Role, user: str, unit: int) -> tuple[str, ...] | None:
        principal = Principal(user_id=_id(user.split("-")[0], int(user.split("-")[1])), token_id=None, name=user,
                              role=role, unit_id=_id("unit", unit))  # fmt: skip
        return policy.principal_keys(principal)

    return {
        "admin_no_trimming": None,
        "clerk_of_the_large_unit": keys(Role.clerk, "clerk-0", 0),  # half of all cases
        "clerk_of_a_small_unit": keys(Role.clerk, "clerk-5", 5),  # ~1/38 of the cases, and grants
        "officer": keys(Role.officer, "officer-5", 3),  # assigned cases, and unit 3's grants
    }


def _wait_for_elasticsearch(limit_s: float = 600) -> None:
    """Another engineer's soak test may stop the services for a while: wait for them, never start them."""
    client = Elasticsearch(ELASTICSEARCH_URL, request_timeout=5)
    deadline = time.monotonic() + limit_s
    while True:
        try:
            client.cluster.health(timeout="5s")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(5)


def measure(
    index: ElasticsearchIndex | SqliteFtsIndex, queries: list[Clause], who: Callers, rounds: int
) -> dict[str, Any]:
    """Per caller: latencies of every search, the median round's cost per search, and how many pages match on
    average (how much of the corpus the caller sees)."""
    matched: dict[str, list[int]] = {name: [] for name in who}
    for name, keys in who.items():  # one warm pass each: caches (and Elasticsearch's filter cache) alike
        matched[name] = [index.search(query, SearchFilters(readers=keys), 0, PAGE_SIZE).total for query in queries]
    latencies: dict[str, list[float]] = {name: [] for name in who}
    per_round: dict[str, list[float]] = {name: [] for name in who}
    names = list(who)
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            filters = SearchFilters(readers=who[name])
            start = time.perf_counter()
            for query in queries:
                begun = time.perf_counter()
                index.search(query, filters, 0, PAGE_SIZE)
                latencies[name].append(time.perf_counter() - begun)
            per_round[name].append(time.perf_counter() - start)
    baseline = statistics.median(per_round["admin_no_trimming"])
    result: dict[str, Any] = {}
    for name in who:
        cost = statistics.median(per_round[name])
        result[name] = latency_summary(latencies[name]) | {
            "ms_per_search": rounded(1000 * cost / len(queries), 2),
            "ratio_to_no_trimming": rounded(cost / baseline),
            "mean_matching_pages": rounded(statistics.fmean(matched[name]), 1),
        }
    return result


def run_r9(pages: int, work: Path, rounds: int = 3) -> dict[str, Any]:
    """Load the walled corpus into each engine in turn, measure each caller against the admin, and clean up. An
    engine that fails (a service stopped by someone else's soak test) is recorded as such; the other's figures
    are kept."""
    corpus = list(walled_pages(pages))
    cases = len({page.case.case_id for page in corpus})
    queries = [query for query in map(parse_query, query_mix()) if query is not None]
    who = callers()
    loads: dict[str, float] = {}
    by_engine: dict[str, dict[str, Any]] = {}
    failures: dict[str, str] = {}

    path = work / "trimming" / "search-index.sqlite"
    start = time.perf_counter()
    load_sqlite(path, corpus)
    loads["sqlite_fts5"] = round(time.perf_counter() - start, 1)
    by_engine["sqlite_fts5"] = measure(SqliteFtsIndex(path), queries, who, rounds)
    path.unlink()

    alias = f"casefile-bench-trim-{uuid.uuid4().hex[:8]}"
    try:
        _wait_for_elasticsearch()
        start = time.perf_counter()
        load_elasticsearch(alias, corpus)
        loads["elasticsearch"] = round(time.perf_counter() - start, 1)
        del corpus  # ~0.5 GB of page text; the engines hold it now
        by_engine["elasticsearch"] = measure(ElasticsearchIndex(ELASTICSEARCH_URL, alias), queries, who, rounds)
    except Exception as error:  # recorded below; the FTS5 figures stand
        failures["elasticsearch"] = f"{type(error).__name__}: {str(error)[:300]}"
    finally:
        with contextlib.suppress(Exception):  # the cluster may be the thing that is down
            _wait_for_elasticsearch()
            client = Elasticsearch(ELASTICSEARCH_URL, request_timeout=60)
            for name in client.options(ignore_status=404).indices.get(index=f"{alias}-v*", expand_wildcards="all"):
                client.indices.delete(index=name)
            client.options(ignore_status=404).indices.delete_index_template(name=alias)
    walled = [name for name, keys in who.items() if keys is not None]
    ratios = {
        engine: {name: results[name]["ratio_to_no_trimming"] for name in walled}
        for engine, results in by_engine.items()
    }
    worst = max(ratio for engine in ratios.values() for ratio in engine.values())
    return {
        "r9_trimming": entry(
            None if failures else worst,  # a value only when both engines were measured
            TARGET,
            **({"error": "; ".join(f"{engine}: {reason}" for engine, reason in failures.items())} if failures else {}),
            pages=pages,
            cases=cases,
            rounds=rounds,
            queries=len(queries),
            ratios=ratios,
            by_engine=by_engine,
            load_seconds=loads,
            note="value: the worst ratio of a walled caller's cost per search to the admin's (no trimming), over "
            "both engines; engine calls in process, one client, r4's queries, median of interleaved rounds",
        )
    }
