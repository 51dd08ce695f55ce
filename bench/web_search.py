"""web_search: the search page's server time against the API search it wraps (issue 10: within 1.2×, at 100k pages).

The embedded stack in process (FTS5, SQLite), loaded with the synthetic search corpus (bench.materials) and its
cases in the database, so the page's one extra query (the hits' case titles) finds real rows. One signed-in admin
(the browser's session cookie, for both routes) runs r4's 48 queries as GET /search?q= (the HTML page: the same
search_pages call, then case titles, snippet re-escaping and the template) and GET /api/v1/search?q= (JSON).
Server time is the ASGI call itself, timed around the app, so the test client's own work is left out. Each query
runs on both routes back to back, which first alternating, so that load from other work on the machine falls on both
alike; each route's cost is its median round.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from access import service as access_service
from access.schemas import SYSTEM, UserCreate
from bench.common import entry, latency_summary, rounded
from bench.materials import synthetic_pages
from bench.search import PAGE_SIZE, load_sqlite, query_mix
from core.config import Settings
from core.db import migrate
from core.models import Case, CaseStatus, Role, UnitKind
from core.uow import unit_of_work

TARGET = "<= 1.2"
TOKEN = "cf_bench-web-search-token-0123456789abcdef"
PASSWORD = "bench-web-search-password"
ROUTES = {"api": "/api/v1/search", "page": "/search"}
Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


class ServerClock:
    """Wraps the app: how long each HTTP call spent inside it, from the request to the last byte of the answer."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Any) -> None:
        start = time.perf_counter()
        await self.app(scope, receive, send)
        if scope["type"] == "http":
            self.last = time.perf_counter() - start


def _load(settings: Settings, pages: int) -> tuple[int, float]:
    """The corpus in the FTS5 index, and its cases in the database; the number of cases and the load time."""
    start = time.perf_counter()
    corpus = list(synthetic_pages(0, pages))
    load_sqlite(settings.data_dir / "search-index.sqlite", corpus)
    cases = {page.case.case_id: page.case for page in corpus}
    with unit_of_work(settings) as session:
        unit = access_service.create_unit(session, SYSTEM, "Bench Ministry", UnitKind.ministry)
        session.add_all(
            Case(id=fields.case_id, number=fields.case_number, title=f"{' v. '.join(fields.parties)}",
                 court=fields.court, case_type=fields.case_type, status=CaseStatus(fields.status), unit_id=unit.id)
            for fields in cases.values()
        )  # fmt: skip
        access_service.create_user(session, SYSTEM, UserCreate(
            username="bench-admin", full_name="Bench Admin", role=Role.admin, unit_id=unit.id, password=PASSWORD
        ))  # fmt: skip
    return len(cases), time.perf_counter() - start


def run_web_search(pages: int, work: Path, rounds: int = 3) -> dict[str, Any]:
    from api.main import create_app

    work.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=work / "data", bootstrap_token=TOKEN, ocr_workers=1)
    migrate(settings)
    cases, load_seconds = _load(settings, pages)
    queries = query_mix()
    clock = ServerClock(create_app(settings))
    latencies: dict[str, list[float]] = {name: [] for name in ROUTES}
    per_round: dict[str, list[float]] = {name: [] for name in ROUTES}
    totals: dict[str, list[int]] = {}
    with TestClient(clock) as client:  # type: ignore[arg-type]
        signed_in = client.post("/sign-in", data={"username": "bench-admin", "password": PASSWORD})
        assert signed_in.status_code in (200, 303) and "casefile_session" in client.cookies, signed_in.text

        def call(route: str, query: str) -> float:
            headers = {"Accept": "text/html"} if route == "page" else {}
            response = client.get(ROUTES[route], params={"q": query, "size": PAGE_SIZE} if route == "api" else
                                  {"q": query}, headers=headers, follow_redirects=False)  # fmt: skip
            assert response.status_code == 200, (route, query, response.status_code, response.text[:300])
            if route == "api":
                totals.setdefault(query, []).append(int(response.json()["total"]))
            return clock.last

        for name in ROUTES:  # one warm pass each: imports, templates, page cache
            for query in queries:
                call(name, query)
        names = list(ROUTES)
        for round_number in range(rounds):
            spent = dict.fromkeys(ROUTES, 0.0)
            for number, query in enumerate(queries):
                # Each query on both routes back to back, the order alternating: a shared machine's load falls on both.
                for name in names if (round_number + number) % 2 == 0 else names[::-1]:
                    seconds = call(name, query)
                    latencies[name].append(seconds)
                    spent[name] += seconds
            for name in ROUTES:
                per_round[name].append(spent[name])
    cost = {name: statistics.median(per_round[name]) for name in ROUTES}
    ratio = cost["page"] / cost["api"]
    return {
        "web_search_ratio": entry(
            ratio,
            TARGET,
            pages=pages,
            cases=cases,
            rounds=rounds,
            queries=len(queries),
            load_seconds=round(load_seconds, 1),
            ms_per_search={name: rounded(1000 * cost[name] / len(queries), 2) for name in ROUTES},
            page_overhead_ms=rounded(1000 * (cost["page"] - cost["api"]) / len(queries), 2),
            latency={name: latency_summary(latencies[name]) for name in ROUTES},
            mean_matching_pages=rounded(statistics.fmean(values[0] for values in totals.values()), 1),
            note="value: the search page's server time over the API search's (GET /search vs GET /api/v1/search), "
            "embedded stack in process, one signed-in admin, r4's queries on both routes back to back, median round",
        )
    }


if __name__ == "__main__":  # `python -m bench.web_search [pages] [rounds]`: this stage alone, printed
    import json
    import sys
    import tempfile

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory(prefix="casefile-web-search-") as directory:
        result = run_web_search(size, Path(directory), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
        print(json.dumps(result, indent=2))
