"""The cause list and the reminder run at scale (issue 12, decision 0022): 50k cases, 500k hearings, 50k open deadlines.

The dataset goes in through SQL inserts (executemany of plain rows: loading is not what is measured). Cases spread over
12 ministries (units, each with a head), 20 courts and 60 officers, most with an assigned officer; 500k hearings over
~11 years (about 125 a day); 50k open deadlines due within 30 days either side of the measured day, so half are
overdue (each escalated once) and a tenth fall on a 7-, 1- or 0-day reminder.

- litigation_cause_list_ms: GET /api/v1/cause-list?date= for the measured day as an admin (every case), a ministry's
  focal person and an officer (through the walls' SQL), in process through the ASGI app; the worst p50 (<= 100 ms).
- litigation_reminders_s: one scheduler run (litigation.tasks.send_reminders, the clock passed in) over the 50k open
  deadlines, making every reminder and notification due that day (<= 30 s); a second run the same day (nothing to
  make) is reported beside it.

`python -m bench.litigation [--cases 50000 --hearings 500000 --deadlines 50000 --engines sqlite,postgresql]`.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from bench.common import entry, latency_summary

CAUSE_LIST_TARGET = "<= 100"
REMINDERS_TARGET = "<= 30"
UNITS, COURTS, OFFICERS = 12, 20, 60
CHUNK = 5_000
FIRST_DAY = date(2015, 1, 1)
DAYS = 4_000
MEASURED_DAY = date(2020, 6, 15)


def _load(settings: Any, cases: int, hearings: int, deadlines: int, seed: int = 22) -> dict[str, Any]:
    from access import service as access_service
    from access.schemas import SYSTEM, TokenCreate, UserCreate
    from core.models import Assignment, Case, Deadline, Hearing, Role, UnitKind
    from core.uow import unit_of_work

    rng = random.Random(seed)
    now = datetime.now(UTC)
    tokens: dict[str, str] = {}
    with unit_of_work(settings) as session:
        units = [
            access_service.create_unit(session, SYSTEM, f"Ministry {index:02d}", UnitKind.ministry)
            for index in range(UNITS)
        ]
        officers = [
            access_service.create_user(
                session,
                SYSTEM,
                UserCreate(
                    username=f"officer-{index:02d}",
                    full_name=f"Officer {index:02d}",
                    role=Role.officer,
                    unit_id=units[index % UNITS].id,
                ),
            )
            for index in range(OFFICERS)
        ]
        focal = access_service.create_user(
            session,
            SYSTEM,
            UserCreate(username="focal", full_name="Focal", role=Role.focal_person, unit_id=units[0].id),
        )
        for unit in units:  # heads: overdue deadlines escalate to them
            unit.head_user_id = focal.id
        tokens["focal_person"] = access_service.create_token(session, SYSTEM, TokenCreate(name="b", user_id=focal.id))[
            1
        ]
        tokens["officer"] = access_service.create_token(session, SYSTEM, TokenCreate(name="b", user_id=officers[0].id))[
            1
        ]
        unit_ids, officer_ids = [unit.id for unit in units], [officer.id for officer in officers]
    started = time.perf_counter()
    case_ids = [str(uuid.uuid4()) for _ in range(cases)]
    with unit_of_work(settings) as session:
        for start in range(0, cases, CHUNK):
            rows, assignments = [], []
            for case_id in case_ids[start : start + CHUNK]:
                rows.append(
                    {
                        "id": case_id,
                        "number": f"C {case_id[:13]}",
                        "title": "Bench v. State",
                        "court": f"Court {rng.randrange(COURTS):02d}",
                        "status": "pending",
                        "parties": [{"name": "Bench", "role": "petitioner"}],
                        "tags": [],
                        "unit_id": rng.choice(unit_ids),
                        "sealed": rng.random() < 0.02,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if rng.random() < 0.9:
                    assignments.append(
                        {
                            "id": str(uuid.uuid4()),
                            "case_id": case_id,
                            "user_id": rng.choice(officer_ids),
                            "role": "lead",
                            "created_at": now,
                        }
                    )
            session.execute(insert(Case.__table__), rows)
            session.execute(insert(Assignment.__table__), assignments)
    with unit_of_work(settings) as session:
        for start in range(0, hearings, CHUNK * 4):
            batch = [
                {
                    "id": str(uuid.uuid4()),
                    "case_id": rng.choice(case_ids),
                    "court": f"Court {rng.randrange(COURTS):02d}",
                    "purpose": "arguments",
                    "bench": "DB-I",
                    "date": FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                    "outcome": rng.choice(("adjourned", "heard", None)),
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in range(min(CHUNK * 4, hearings - start))
            ]
            session.execute(insert(Hearing.__table__), batch)
        for start in range(0, deadlines, CHUNK * 4):
            batch = [
                {
                    "id": str(uuid.uuid4()),
                    "case_id": rng.choice(case_ids),
                    "kind": "reply",
                    "owner_id": rng.choice(officer_ids),
                    "status": "open",
                    "due_on": MEASURED_DAY + timedelta(days=rng.randrange(-30, 31)),
                    "created_at": now,
                    "updated_at": now,
                }
                for _ in range(min(CHUNK * 4, deadlines - start))
            ]
            session.execute(insert(Deadline.__table__), batch)
        session.execute(text("ANALYZE"))
    return {"tokens": tokens, "load_s": round(time.perf_counter() - started, 1)}


def _measure_cause_list(settings: Any, tokens: dict[str, str], requests: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.main import create_app

    cells: dict[str, Any] = {}
    callers = {"admin": settings.bootstrap_token.get_secret_value()} | tokens
    url = f"/api/v1/cause-list?date={MEASURED_DAY.isoformat()}"
    with TestClient(create_app(settings)) as client:
        for caller, token in callers.items():
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(3):  # warm: imports, the plan cache, the pages of the tables
                assert client.get(url, headers=headers).status_code == 200
            samples = []
            for _ in range(requests):
                began = time.perf_counter()
                response = client.get(url, headers=headers)
                samples.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text
            cells[caller] = latency_summary(samples) | {"listed": response.json()["total"]}
    return cells


def _measure_reminders(settings: Any) -> dict[str, Any]:
    from litigation import tasks

    began = time.perf_counter()
    first = tasks.send_reminders(settings, None, on=MEASURED_DAY)
    first_s = time.perf_counter() - began
    began = time.perf_counter()
    again = tasks.send_reminders(settings, None, on=MEASURED_DAY)
    again_s = time.perf_counter() - began
    assert again.created == 0, again
    return {"run_s": round(first_s, 2), "created": first.created, "second_run_s": round(again_s, 2)}


def _engine(name: str, work: Path, cases: int, hearings: int, deadlines: int, requests: int) -> dict[str, Any]:
    from core.config import Settings
    from core.db import get_engine, migrate

    token = "cf_bench-litigation-token-0123456789"
    values: dict[str, Any] = {
        "environment": "test",
        "data_dir": str(work / name),
        "bootstrap_token": token,
        "log_level": "WARNING",
    }
    database = None
    if name == "postgresql":
        from bench.stack import _admin_sql

        database = f"cf_bench_litigation_{uuid.uuid4().hex[:8]}"
        _admin_sql(f'CREATE DATABASE "{database}"')
        values["database_url"] = f"postgresql+psycopg://casefile:casefile@127.0.0.1:5432/{database}"
    settings = Settings(**values)
    try:
        migrate(settings)
        loaded = _load(settings, cases, hearings, deadlines)
        # Reminders first: the app's own scheduler thread (started with it below) would run them for the real today.
        reminders = _measure_reminders(settings)
        cells = _measure_cause_list(settings, loaded["tokens"], requests)
        return {"load_s": loaded["load_s"], "cause_list": cells, "reminders": reminders}
    finally:
        get_engine.cache_clear()
        if database is not None:
            from bench.stack import _admin_sql

            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run_litigation(
    work: Path,
    cases: int = 50_000,
    hearings: int = 500_000,
    deadlines: int = 50_000,
    requests: int = 20,
    engines: tuple[str, ...] = ("sqlite", "postgresql"),
) -> dict[str, Any]:
    results = {name: _engine(name, work, cases, hearings, deadlines, requests) for name in engines}
    worst_list = max(cell["p50_ms"] for result in results.values() for cell in result["cause_list"].values())
    worst_run = max(result["reminders"]["run_s"] for result in results.values())
    sizes = {"cases": cases, "hearings": hearings, "deadlines": deadlines}
    return {
        "litigation_cause_list_ms": entry(
            worst_list,
            CAUSE_LIST_TARGET,
            **sizes,
            engines={name: result["cause_list"] for name, result in results.items()},
        ),
        "litigation_reminders_s": entry(
            worst_run,
            REMINDERS_TARGET,
            **sizes,
            engines={name: result["reminders"] for name, result in results.items()},
            load_s={name: result["load_s"] for name, result in results.items()},
        ),
    }


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    arguments = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    with tempfile.TemporaryDirectory(prefix="casefile-bench-litigation-") as directory:
        result = run_litigation(
            Path(directory),
            int(arguments.get("--cases", 50_000)),
            int(arguments.get("--hearings", 500_000)),
            int(arguments.get("--deadlines", 50_000)),
            engines=tuple(arguments.get("--engines", "sqlite,postgresql").split(",")),
        )
    print(json.dumps(result, indent=2))
