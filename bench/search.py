"""r4: GET /api/v1/search on a real uvicorn server against the same query sent straight to the engine.

A synthetic corpus is bulk-loaded straight into both engines (Elasticsearch behind the stack's alias, and an FTS5
file for an embedded-default server); 8 client threads each send their share of a fixed query mix."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import Elasticsearch, helpers

from bench.common import Clock, clock, entry, find_pid, latency_summary, rounded
from bench.corpus import CLAUSES, NAMES, PLACES
from bench.materials import synthetic_pages
from bench.stack import BOOTSTRAP_TOKEN, ELASTICSEARCH_URL, ApiServer, Deployment, settings_env
from search.backends import elastic
from search.backends.elastic import ElasticsearchIndex
from search.backends.sqlite_fts import SqliteFtsIndex
from search.query import parse_query
from search.schemas import PageEntry, SearchFilters

PAGE_SIZE = 20  # the API's default `size`
UNLOADED = ("api_elasticsearch", "elasticsearch_direct", "api_embedded", "sqlite_fts_direct")
Caller = Callable[[str], None]


def query_mix(count: int = 48, seed: int = 5) -> list[str]:
    """What law officers type: mostly selective searches (a case number with a name, a phrase with a number),
    with every operator (phrase, OR, exclusion, prefix), and one in four broad (a clause that is on most pages of
    this synthetic corpus, whose vocabulary is small). The same list, in the same order, for every target."""
    rng = random.Random(seed)
    queries = []
    for index in range(count):
        name, place, clause = rng.choice(NAMES), rng.choice(PLACES), rng.choice(CLAUSES).split()
        number, other = rng.randint(100, 9999), rng.randint(100, 9999)
        kind = index % 8
        if kind == 0:
            queries.append(f'"case {number} of {name}"')
        elif kind == 1:
            queries.append(f"{number} {name.split()[0].lower()}")
        elif kind == 2:
            queries.append(f"({number} OR {other}) {place.lower()}")
        elif kind == 3:
            queries.append(f"{clause[-1][:5]}* {number}")
        elif kind == 4:
            queries.append(f'"{" ".join(clause[-3:])} in case {number}"')
        elif kind == 5:
            queries.append(f"{number} -{place.lower()}")
        elif kind == 6:  # broad: a phrase from a clause, with a place
            queries.append(f'"{" ".join(clause[1:5])}" {place.lower()}')
        else:  # broad: two words and an exclusion
            queries.append(f'{clause[-1]} {clause[-2]} -"{" ".join(rng.choice(CLAUSES).split()[:4])}"')
    return queries


def load_elasticsearch(alias: str, pages: list[PageEntry]) -> None:
    """Bulk-load straight into the alias's index (refresh off while loading, then one refresh)."""
    index = ElasticsearchIndex(ELASTICSEARCH_URL, alias)
    index.ensure_ready()
    client = Elasticsearch(ELASTICSEARCH_URL, request_timeout=300)
    client.indices.put_settings(index=alias, settings={"index": {"refresh_interval": "-1"}})
    actions = ({"_index": alias, "_id": page.key, "_source": elastic._page_source(page)} for page in pages)
    for ok, item in helpers.parallel_bulk(client, actions, thread_count=2, chunk_size=1000):
        if not ok:
            raise RuntimeError(f"bulk load failed: {item}")
    client.indices.put_settings(index=alias, settings={"index": {"refresh_interval": None}})
    client.indices.refresh(index=alias)


def load_sqlite(path: Path, pages: list[PageEntry]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    index = SqliteFtsIndex(path)
    index.ensure_ready()
    index.rebuild(pages[start : start + 5000] for start in range(0, len(pages), 5000))


@dataclass
class SearchCorpus:
    """The engines, loaded to `pages` pages, and the API servers in front of them."""

    deployment: Deployment
    work: Path
    alias: str
    pages: list[PageEntry] = field(default_factory=list)
    api_elasticsearch: ApiServer | None = None
    api_embedded: ApiServer | None = None

    @property
    def sqlite_path(self) -> Path:
        return self.work / "embedded-data" / "search-index.sqlite"

    def grow(self, total: int) -> float:
        """Add synthetic pages up to `total` in both engines (and start the API servers the first time);
        returns the load time in seconds."""
        start = time.perf_counter()
        new = list(synthetic_pages(len(self.pages), total - len(self.pages)))
        self.pages.extend(new)
        load_elasticsearch(self.alias, new)
        load_sqlite(self.sqlite_path, self.pages)  # rebuild: FTS5 has no index on document_id to delete by
        seconds = time.perf_counter() - start
        if self.api_elasticsearch is None:
            self.api_elasticsearch = self.deployment.start_api("search-es", elasticsearch_index=self.alias)
        if self.api_embedded is None:
            embedded = {
                "environment": "test",
                "data_dir": str(self.work / "embedded-data"),
                "bootstrap_token": BOOTSTRAP_TOKEN,
                "log_level": "WARNING",
            }
            # Only the embedded settings: no database, Elasticsearch, S3 or broker URL.
            self.deployment.processes.append(
                (server := ApiServer.start(_env(embedded), self.work / "api-search-embedded.log")).process
            )
            self.api_embedded = server
        return seconds


def _env(values: dict[str, Any]) -> dict[str, str]:
    blank = {f"CASEFILE_{name}": "" for name in ("DATABASE_URL", "ELASTICSEARCH_URL", "S3_ENDPOINT", "BROKER_URL")}
    return blank | settings_env(values)


def captured_es_request(alias: str, query: str) -> dict[str, Any]:
    """The exact request ElasticsearchIndex.search sends for this query, caught before it leaves the client."""

    class Caught(Exception):
        pass

    caught: dict[str, Any] = {}

    class Recorder:
        def search(self, **kwargs: Any) -> None:
            caught.update(kwargs)
            raise Caught

    index = ElasticsearchIndex(ELASTICSEARCH_URL, alias)
    index.client = Recorder()  # type: ignore[assignment]
    with suppress(Caught):
        index.search(parse_query(query), SearchFilters(), offset=0, limit=PAGE_SIZE)
    kwargs = dict(caught)
    kwargs.pop("index")
    excludes = kwargs.pop("source_excludes")
    kwargs["from"] = kwargs.pop("from_")
    return {"body": kwargs, "params": {"_source_excludes": ",".join(excludes)}}


def run_load(
    make_caller: Callable[[], Caller], queries: list[str], clients: int, per_client: int, watch: dict[str, int]
) -> tuple[list[float], Clock]:
    """`clients` threads, each with its own connection, send `per_client` queries back to back; latencies in s,
    and the CPU the harness, the watched processes and the whole machine spent meanwhile."""
    warm = make_caller()
    for query in queries[: clients * per_client]:  # one warm pass: caches are equally warm for every target
        warm(query)
    latencies: list[float] = []
    lock, barrier = threading.Lock(), threading.Barrier(clients)
    errors: list[BaseException] = []

    def client(number: int) -> None:
        call = make_caller()
        own = []
        barrier.wait()
        try:
            for step in range(per_client):
                query = queries[(number * per_client + step) % len(queries)]
                start = time.perf_counter()
                call(query)
                own.append(time.perf_counter() - start)
        except BaseException as error:  # reported after the threads end
            errors.append(error)
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client, args=(number,)) for number in range(clients)]
    with clock(watch) as timing:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return latencies, timing


def _http_get(url: str) -> Callable[[], Caller]:
    def make() -> Caller:
        http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}, timeout=120)

        def call(query: str) -> None:
            response = http.get("/api/v1/search", params={"q": query})
            if response.status_code != 200:
                raise RuntimeError(f"search {query!r}: {response.status_code} {response.text[:200]}")

        return call

    return make


def _es_direct(alias: str, queries: list[str]) -> Callable[[], Caller]:
    requests = {query: captured_es_request(alias, query) for query in queries}

    def make() -> Caller:
        http = httpx.Client(base_url=ELASTICSEARCH_URL, timeout=120)

        def call(query: str) -> None:
            request = requests[query]
            response = http.post(f"/{alias}/_search", json=request["body"], params=request["params"])
            if response.status_code != 200:
                raise RuntimeError(f"Elasticsearch {query!r}: {response.status_code} {response.text[:200]}")

        return call

    return make


def _backend(index: ElasticsearchIndex | SqliteFtsIndex) -> Callable[[], Caller]:
    def make() -> Caller:
        def call(query: str) -> None:
            index.search(parse_query(query), SearchFilters(), offset=0, limit=PAGE_SIZE)

        return call

    return make


def measure(corpus: SearchCorpus, clients: int, per_client: int, alone: int, with_backend: bool) -> dict[str, Any]:
    """Latency of each way to run the same queries, on the corpus as it is now: under `clients` concurrent
    clients (which keep both cores busy), and with one client (no queueing: each request's own cost)."""
    assert corpus.api_elasticsearch is not None and corpus.api_embedded is not None
    queries = query_mix()
    elasticsearch = find_pid("org.elasticsearch.bootstrap.Elasticsearch")
    es_watch = {"elasticsearch": elasticsearch} if elasticsearch else {}
    targets: dict[str, tuple[Callable[[], Caller], dict[str, int]]] = {
        "api_elasticsearch": (
            _http_get(corpus.api_elasticsearch.url),
            {"api": corpus.api_elasticsearch.pid} | es_watch,
        ),
        "elasticsearch_direct": (_es_direct(corpus.alias, queries), es_watch),
        "api_embedded": (_http_get(corpus.api_embedded.url), {"api": corpus.api_embedded.pid}),
        "sqlite_fts_direct": (_backend(SqliteFtsIndex(corpus.sqlite_path)), {}),
    }
    if with_backend:  # the Python client and response parsing alone, to split the API's overhead
        backend = _backend(ElasticsearchIndex(ELASTICSEARCH_URL, corpus.alias))
        targets["elasticsearch_backend_in_process"] = (backend, es_watch)
    result: dict[str, Any] = {"pages": len(corpus.pages)}
    for name, (make, watch) in targets.items():
        latencies, timing = run_load(make, queries, clients, per_client, watch)
        requests = len(latencies)
        cpu = {f"{process}_cpu_ms_per_request": rounded(1000 * seconds / requests, 2)
               for process, seconds in timing.trees.items()}  # fmt: skip
        cpu |= {
            "harness_cpu_ms_per_request": rounded(1000 * timing.own_cpu / requests, 2),
            "machine_cpu_ms_per_request": rounded(1000 * timing.machine_cpu / requests, 2),
            "throughput_per_s": rounded(requests / timing.wall, 1),
        }
        result[name] = latency_summary(latencies) | cpu
        if name in UNLOADED:
            single, _ = run_load(make, queries, 1, alone, {})
            result[name]["one_client"] = latency_summary(single)
    return result


def r4_entries(latencies: dict[str, Any]) -> dict[str, dict[str, Any]]:
    pairs = {
        "elasticsearch": ("api_elasticsearch", "elasticsearch_direct"),
        "sqlite_fts5": ("api_embedded", "sqlite_fts_direct"),
    }

    def difference(api: dict[str, Any], direct: dict[str, Any]) -> float:
        return rounded(api["p50_ms"] - direct["p50_ms"], 2)

    overhead = {engine: difference(latencies[api], latencies[direct]) for engine, (api, direct) in pairs.items()}
    ratio = {
        engine: rounded(latencies[api]["p99_ms"] / latencies[direct]["p99_ms"])
        for engine, (api, direct) in pairs.items()
    }
    unloaded = {
        engine: difference(latencies[api]["one_client"], latencies[direct]["one_client"])
        for engine, (api, direct) in pairs.items()
        if "one_client" in latencies[api] and "one_client" in latencies[direct]
    }
    common = {
        "pages": latencies["pages"],
        "latencies": {key: value for key, value in latencies.items() if key != "pages"},
        "note": "value: the worse engine, API minus direct under 8 concurrent clients; one_client: no queueing",
    }
    return {
        "r4_search_p50_overhead_ms": entry(
            max(overhead.values()), "<= 3", by_engine=overhead, one_client_by_engine=unloaded,
            queries=query_mix(), **common
        ),
        "r4_search_p99_ratio": entry(max(ratio.values()), "<= 1.15", by_engine=ratio, **common),
    }  # fmt: skip
