"""Engine, sessions and the schema version. Sessions are committed only by the unit of work (core/uow.py)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings


def _json_dumps(value: Any) -> str:
    # Keep Urdu party names readable in the database, so metadata search can match them.
    return json.dumps(value, ensure_ascii=False)


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; the busy timeout waits out short write locks.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json_dumps
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=_json_dumps)


@lru_cache(maxsize=8)
def _session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def new_session(settings: Settings) -> Session:
    return _session_factory(settings.resolved_database_url)()


def alembic_config(settings: Settings) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", settings.resolved_database_url.replace("%", "%%"))
    return config


def migrate(settings: Settings) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), "head")


def refresh_statistics(settings: Settings) -> None:
    """Re-analyse SQLite's tables, sampling at most ~400 rows an index (`analysis_limit`: milliseconds, whatever
    the size). Without statistics its planner picks worse indexes for the reports (an admin's pending report by
    unit: ~65 ms against ~10 ms at 50k cases). SQLite 3.40's `PRAGMA optimize` only analyses what the same
    connection's queries asked for. PostgreSQL's autovacuum does this by itself."""
    engine = get_engine(settings.resolved_database_url)
    if engine.dialect.name != "sqlite":
        return
    # Maintenance, not data: outside any unit of work, in autocommit (nothing to commit or roll back).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit=400")
        connection.exec_driver_sql("ANALYZE")


class SchemaOutdated(RuntimeError):
    """The database is not at the newest migration: the service refuses to start on it."""


def check_schema(settings: Settings) -> None:
    """Raise SchemaOutdated unless the database is at the newest revision. Several API replicas start at once, so
    none of them migrates: `casefile migrate` does, once, before they start."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # an empty install reads as "nothing", not an I/O error
    head = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    with get_engine(settings.resolved_database_url).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        raise SchemaOutdated(
            f"the database schema is at {current or 'nothing'}, not {head}: run `casefile migrate` first"
        )
