"""Migration 0004 chains the audit rows written before the chain: an upgraded install verifies intact, the same
tampering still fails, and rows written around the chain after 0003 are not laundered. On both databases."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from access import audit
from access.schemas import SYSTEM
from core.config import Settings
from core.db import alembic_config, get_engine
from core.models import AuditEvent, UTCDateTime
from core.uow import unit_of_work
from tests.access.test_audit_chain import cli_env, sql, verify_cli
from tests.conftest import BOOTSTRAP_TOKEN
from tests.stacks import REPO, _admin_sql, embedded_settings, require_services

DATABASES = ["sqlite", "postgresql"]


def _migration() -> ModuleType:
    path = REPO / "migrations" / "versions" / "0004_chain_legacy_audit.py"
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield embedded_settings(tmp_path, BOOTSTRAP_TOKEN)
        return
    require_services()
    name = f"cf_test_{uuid.uuid4().hex[:10]}"
    _admin_sql(f'CREATE DATABASE "{name}"')
    try:
        yield embedded_settings(
            tmp_path, BOOTSTRAP_TOKEN, database_url=f"postgresql+psycopg://casefile:casefile@127.0.0.1:5432/{name}"
        )
    finally:
        get_engine.cache_clear()  # close pooled connections so the database can be dropped
        _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def upgrade(settings: Settings, revision: str) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), revision)


# audit_events as the application wrote it before migration 0003 (and through the same column types).
legacy = sa.Table(
    "audit_events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime()),
    sa.Column("token_id", sa.String(36)),
    sa.Column("actor", sa.String(200)),
    sa.Column("action", sa.String(50)),
    sa.Column("target_type", sa.String(50)),
    sa.Column("target_id", sa.String(36)),
    sa.Column("detail", sa.JSON),
)
START = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def legacy_rows(count: int) -> list[dict[str, Any]]:
    # Awkward values on purpose: a whole second (isoformat drops the fraction), non-ASCII, nesting, no token.
    rows = []
    for number in range(count):
        rows.append({
            "at": START.replace(microsecond=0) if number == 1 else START + timedelta(minutes=number),
            "token_id": None if number == 2 else f"token-{number}",
            "actor": "bootstrap (admin)" if number % 2 else "ضابطہ (officer)",
            "action": "search" if number == 3 else "case.read",
            "target_type": None if number == 3 else "case",
            "target_id": None if number == 3 else f"case-{number}",
            "detail": {"query": "ضمانت \"bail\"", "filters": {"court": ["LHC"], "year": 2024}, "total": 3}
            if number == 3 else {},
        })  # fmt: skip
    return rows


def insert_legacy(settings: Settings, rows: list[dict[str, Any]]) -> None:
    with get_engine(settings.resolved_database_url).begin() as connection:
        connection.execute(legacy.insert(), rows)


def chain_of(settings: Settings) -> list[tuple[int, int | None]]:
    with get_engine(settings.resolved_database_url).connect() as connection:
        found = connection.execute(sa.text("SELECT id, sequence FROM audit_events ORDER BY id")).all()
    return [(row[0], row[1]) for row in found]


def verify(settings: Settings, *arguments: str) -> tuple[int, str]:
    with cli_env(settings):
        return verify_cli(*arguments)


def test_the_migration_hashes_exactly_as_the_application_does() -> None:
    migration = _migration()
    for number, fields in enumerate(legacy_rows(5), start=1):
        row = {"id": 40 + number, "user_id": None, "address": None, "case_id": None, "outcome": "ok"} | fields
        event = AuditEvent(**row, sequence=number)
        assert migration.chain_hash(audit.GENESIS, row, number) == audit.chain_hash(audit.GENESIS, event)
        naive = row | {"at": row["at"].replace(tzinfo=None)}  # as SQLite gives it back
        assert migration.chain_hash("f" * 64, naive, number) == audit.chain_hash("f" * 64, event)


@pytest.mark.parametrize("settings", DATABASES, indirect=True)
def test_rows_from_before_the_chain_are_chained_in_order_and_verify(settings: Settings) -> None:
    upgrade(settings, "0002")
    insert_legacy(settings, legacy_rows(6))
    upgrade(settings, "0003")
    with unit_of_work(settings) as session:  # what an upgraded install saw before 0004 (the CLI wants head)
        bad = audit.verify_database(session).bad
    assert bad is not None and bad.fault is audit.Fault.unchained, bad

    upgrade(settings, "head")
    rows = chain_of(settings)
    assert [sequence for _id, sequence in rows] == list(range(1, 7))  # id order is sequence order
    code, output = verify(settings)
    assert code == 0 and "audit chain intact: 6 rows; head 6:" in output, output

    # The application appends after the migrated rows, and the chain stays whole.
    with unit_of_work(settings) as session:
        audit.record(session, SYSTEM, "after.upgrade")
    code, output = verify(settings)
    assert code == 0 and "7 rows; head 7:" in output, output

    # Tampering with a migrated row still fails, at that row.
    third = rows[2][0]
    sql(settings, "UPDATE audit_events SET actor = 'someone else' WHERE id = :id", id=third)
    code, output = verify(settings)
    assert code == 1 and f"row id {third} (sequence 3): hash mismatch" in output, output
    sql(settings, "UPDATE audit_events SET actor = :actor WHERE id = :id", actor=legacy_rows(6)[2]["actor"], id=third)
    assert verify(settings)[0] == 0
    sql(settings, "DELETE FROM audit_events WHERE id = :id", id=third)
    code, output = verify(settings)
    assert code == 1 and f"row id {rows[3][0]} (sequence 4): gap" in output, output


@pytest.mark.parametrize("settings", DATABASES, indirect=True)
def test_an_empty_trail_upgrades_to_an_empty_chain(settings: Settings) -> None:
    upgrade(settings, "head")
    code, output = verify(settings)
    assert code == 0 and "0 rows; head 0:" + audit.GENESIS in output, output


@pytest.mark.parametrize("settings", DATABASES, indirect=True)
def test_old_rows_go_after_an_existing_chain_and_a_row_slipped_in_later_stays_unchained(settings: Settings) -> None:
    upgrade(settings, "0002")
    insert_legacy(settings, legacy_rows(3))
    upgrade(settings, "0003")
    with unit_of_work(settings) as session:  # the application ran at 0003 for a while: two chained rows
        audit.record(session, SYSTEM, "chained.one")
        audit.record(session, SYSTEM, "chained.two")
    with unit_of_work(settings) as session:
        anchor = audit.read_head(session)
    insert_legacy(settings, legacy_rows(1))  # written around the chain, after it began

    upgrade(settings, "head")
    rows = chain_of(settings)
    assert [sequence for _id, sequence in rows] == [3, 4, 5, 1, 2, None]  # old rows appended; anchors kept
    code, output = verify(settings, "--anchor", f"{anchor.sequence}:{anchor.hash}")
    assert code == 1 and f"row id {rows[-1][0]} (sequence None): unchained" in output, output

    sql(settings, "DELETE FROM audit_events WHERE id = :id", id=rows[-1][0])
    code, output = verify(settings, "--anchor", f"{anchor.sequence}:{anchor.hash}")
    assert code == 0 and "5 rows; head 5:" in output, output
