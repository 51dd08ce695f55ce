"""The pending report at scale (issue 12): 50k cases and 500k hearings, on SQLite and on PostgreSQL.

The dataset goes in through SQL inserts (executemany of plain rows, not the services: loading is not what is
measured). Cases spread over 12 ministries (units), 20 courts and 60 officers; most have a current assignment,
some are decided (with a decision row), ten hearings each on average. As in a live register, some cases also have an
assisting officer (3 %), an earlier, ended assignment (5 %), or a grant to another ministry (1 %) or to one person
(0.5 %), so the walls' grant and assignment checks have rows to find; these come from a second random stream, so the
cases' statuses, units, courts and leads are drawn as they were without them. Then GET /api/v1/reports/pending for
by=unit|court|officer, as an admin (every case), a ministry's focal person (a twelfth of them, through the walls'
SQL) and an officer (their assigned cases), in process through the ASGI app; p50/p90 over `requests` calls after a
warm-up. The key's value is the worst p50 of all those cells; target <= 100 ms.

`python -m bench.reports [--cases 50000 --hearings 500000]` runs it alone.
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

TARGET = "<= 100"
UNITS, COURTS, OFFICERS = 12, 20, 60
CHUNK = 5_000
STATUSES = ("intake", "assigned", "pending", "reserved", "decided", "appeal", "closed")
STATUS_WEIGHTS = (5, 20, 45, 5, 15, 3, 7)


def _load(settings: Any, cases: int, hearings: int, seed: int = 12) -> dict[str, Any]:
    from access import service as access_service
    from access.schemas import SYSTEM, TokenCreate, UserCreate
    from core.db import get_engine
    from core.models import Assignment, Case, CaseDecision, Grant, Hearing, Role, UnitKind
    from core.uow import unit_of_work

    rng = random.Random(seed)
    now = datetime.now(UTC)
    tokens: dict[str, str] = {}
    with unit_of_work(settings) as session:
        units = [access_service.create_unit(session, SYSTEM, f"Ministry {index:02d}", UnitKind.ministry)
                 for index in range(UNITS)]  # fmt: skip
        officers = [
            access_service.create_user(session, SYSTEM, UserCreate(
                username=f"officer-{index:02d}", full_name=f"Officer {index:02d}", role=Role.officer,
                unit_id=units[index % UNITS].id))
            for index in range(OFFICERS)
        ]  # fmt: skip
        focal = access_service.create_user(session, SYSTEM, UserCreate(
            username="focal", full_name="Focal", role=Role.focal_person, unit_id=units[0].id))  # fmt: skip
        tokens["focal_person"] = access_service.create_token(session, SYSTEM, TokenCreate(name="b", user_id=focal.id))[
            1
        ]
        tokens["officer"] = access_service.create_token(
            session, SYSTEM, TokenCreate(name="b", user_id=officers[0].id))[1]  # fmt: skip
        unit_ids, officer_ids = [unit.id for unit in units], [officer.id for officer in officers]
        grantees = [*officer_ids, focal.id]
    extra = random.Random(seed + 1)  # assisting officers, ended assignments and grants: rng's draws stay as they were
    started = time.perf_counter()
    case_ids = [str(uuid.uuid4()) for _ in range(cases)]
    with unit_of_work(settings) as session:
        for start in range(0, cases, CHUNK):
            rows, assignments, decisions, grants = [], [], [], []
            for case_id in case_ids[start : start + CHUNK]:
                status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
                filed = date(2005, 1, 1) + timedelta(days=rng.randrange(7300))
                rows.append({"id": case_id, "number": f"C {case_id[:13]}", "title": "Bench v. State",
                             "court": f"Court {rng.randrange(COURTS):02d}", "status": status, "parties": [], "tags": [],
                             "unit_id": rng.choice(unit_ids), "sealed": rng.random() < 0.02, "filed_on": filed,
                             "created_at": now, "updated_at": now})  # fmt: skip
                if status != "intake":
                    lead = rng.choice(officer_ids)
                    assignments.append(_assignment(case_id, lead, "lead", now))
                    if extra.random() < 0.03:
                        helper = extra.choice([officer for officer in officer_ids if officer != lead])
                        assignments.append(_assignment(case_id, helper, "assisting", now))
                    if extra.random() < 0.05:
                        assignments.append(_assignment(case_id, extra.choice(officer_ids), "lead", now, ended=True))
                if extra.random() < 0.01:
                    grants.append(_grant(case_id, now, unit_id=extra.choice(unit_ids)))
                if extra.random() < 0.005:
                    grants.append(_grant(case_id, now, user_id=extra.choice(grantees)))
                if status in ("decided", "appeal", "closed"):
                    decisions.append({"id": str(uuid.uuid4()), "case_id": case_id, "outcome": "in_favour",
                                      "decided_on": filed + timedelta(days=rng.randrange(30, 3000)), "actor": "bench",
                                      "created_at": now})  # fmt: skip
            session.execute(insert(Case.__table__), rows)
            if assignments:
                session.execute(insert(Assignment.__table__), assignments)
            if decisions:
                session.execute(insert(CaseDecision.__table__), decisions)
            if grants:
                session.execute(insert(Grant.__table__), grants)
    with unit_of_work(settings) as session:
        for start in range(0, hearings, CHUNK * 4):
            batch = [
                {"id": str(uuid.uuid4()), "case_id": rng.choice(case_ids), "court": "Court", "purpose": "arguments",
                 "date": date(2015, 1, 1) + timedelta(days=rng.randrange(4000)),
                 "outcome": rng.choice(("adjourned", "heard", None)), "created_at": now, "updated_at": now}
                for _ in range(min(CHUNK * 4, hearings - start))
            ]  # fmt: skip
            session.execute(insert(Hearing.__table__), batch)
    engine = get_engine(settings.resolved_database_url)
    # Statistics, as a live database has them. PostgreSQL's autovacuum also keeps a live table's visibility map set,
    # which index-only scans need; right after a bulk load it is empty, and autovacuum would fill it at some moment
    # during the measurement. VACUUM ANALYZE puts the tables in that steady state first.
    statement = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(statement))
    return {"tokens": tokens, "load_s": round(time.perf_counter() - started, 1)}


def _assignment(case_id: str, user_id: str, role: str, now: datetime, ended: bool = False) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "case_id": case_id, "user_id": user_id, "role": role, "created_at": now,
            "ended_at": now if ended else None, "ended_reason": "reassigned" if ended else None}  # fmt: skip


def _grant(case_id: str, now: datetime, user_id: str | None = None, unit_id: str | None = None) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "case_id": case_id, "user_id": user_id, "unit_id": unit_id, "access": "read",
            "created_at": now}  # fmt: skip


def _measure(settings: Any, tokens: dict[str, str], requests: int) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.main import create_app

    cells: dict[str, Any] = {}
    callers = {"admin": settings.bootstrap_token.get_secret_value()} | tokens
    with TestClient(create_app(settings)) as client:
        for caller, token in callers.items():
            headers = {"Authorization": f"Bearer {token}"}
            for by in ("unit", "court", "officer"):
                url = f"/api/v1/reports/pending?by={by}"
                for _ in range(3):  # warm: imports, the plan cache, the pages of the tables
                    assert client.get(url, headers=headers).status_code == 200
                samples = []
                for _ in range(requests):
                    began = time.perf_counter()
                    response = client.get(url, headers=headers)
                    samples.append(time.perf_counter() - began)
                    assert response.status_code == 200, response.text
                cells[f"{caller}/{by}"] = latency_summary(samples) | {"total": response.json()["total"]}
    return cells


def _engine(name: str, work: Path, cases: int, hearings: int, requests: int) -> dict[str, Any]:
    from core.config import Settings
    from core.db import get_engine, migrate

    token = "cf_bench-reports-token-0123456789"
    values: dict[str, Any] = {"environment": "test", "data_dir": str(work / name), "bootstrap_token": token,
                              "log_level": "WARNING"}  # fmt: skip
    database = None
    if name == "postgresql":
        from bench.stack import _admin_sql

        database = f"cf_bench_reports_{uuid.uuid4().hex[:8]}"
        _admin_sql(f'CREATE DATABASE "{database}"')
        values["database_url"] = f"postgresql+psycopg://casefile:casefile@127.0.0.1:5432/{database}"
    settings = Settings(**values)
    try:
        migrate(settings)
        loaded = _load(settings, cases, hearings)
        return {"load_s": loaded["load_s"], "cells": _measure(settings, loaded["tokens"], requests)}
    finally:
        get_engine.cache_clear()
        if database is not None:
            from bench.stack import _admin_sql

            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run_reports(work: Path, cases: int = 50_000, hearings: int = 500_000, requests: int = 20) -> dict[str, Any]:
    engines = {name: _engine(name, work, cases, hearings, requests) for name in ("sqlite", "postgresql")}
    worst = max(cell["p50_ms"] for result in engines.values() for cell in result["cells"].values())
    return {"reports_pending_ms": entry(worst, TARGET, cases=cases, hearings=hearings, engines=engines)}


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    arguments = dict(zip(sys.argv[1::2], sys.argv[2::2], strict=False))
    with tempfile.TemporaryDirectory(prefix="casefile-bench-reports-") as directory:
        result = run_reports(Path(directory), int(arguments.get("--cases", 50_000)),
                             int(arguments.get("--hearings", 500_000)))  # fmt: skip
    print(json.dumps(result, indent=2))
