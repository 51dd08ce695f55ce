"""The stacks the contract suite runs on: the embedded default, and the production stack on real services.

Each production-stack test gets its own PostgreSQL database, Elasticsearch alias, MinIO bucket and Celery
queue, and its own Celery worker process, so tests cannot see each other's data.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from core.config import Settings

STACKS = ["embedded", "production"]
REPO = Path(__file__).resolve().parent.parent
SERVICES = {
    "PostgreSQL": ("127.0.0.1", 5432),
    "Elasticsearch": ("127.0.0.1", 9200),
    "MinIO": ("127.0.0.1", 9000),
    "Redis": ("127.0.0.1", 6379),
}
POSTGRES_ADMIN_URL = os.environ.get(
    "CASEFILE_TEST_POSTGRES_URL", "postgresql://casefile:casefile@127.0.0.1:5432/postgres"
)


def _common(tmp_path: Path, bootstrap_token: str) -> dict[str, Any]:
    return {
        "environment": "test",
        "data_dir": str(tmp_path / "data"),
        "bootstrap_token": bootstrap_token,
        "task_retry_backoff_seconds": 0.2,
        "ocr_workers": 2,
    }


def isolated_backends(name: str) -> dict[str, Any]:
    """Settings for the local services with a database, index alias, bucket and queue all called `name`."""
    return {
        "database_url": f"postgresql+psycopg://casefile:casefile@127.0.0.1:5432/{name}",
        "elasticsearch_url": "http://127.0.0.1:9200",
        "elasticsearch_index": name.replace("_", "-"),
        "s3_endpoint": "http://127.0.0.1:9000",
        "s3_access_key": os.environ.get("CASEFILE_S3_ACCESS_KEY", "casefile"),
        "s3_secret_key": os.environ.get("CASEFILE_S3_SECRET_KEY", "casefile-secret"),
        "s3_bucket": name.replace("_", "-"),
        "broker_url": "redis://127.0.0.1:6379/0",
        "task_queue_name": name,
    }


def require_services() -> None:
    """Fail under CI (a missing service is a broken build), skip on a developer's machine."""
    missing = []
    for name, address in SERVICES.items():
        try:
            socket.create_connection(address, timeout=1).close()
        except OSError:
            missing.append(f"{name} on {address[0]}:{address[1]}")
    if missing:
        message = f"production stack not running ({', '.join(missing)}): run scripts/services/up.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


class CeleryWorker:
    """A real `celery worker --beat` process for one test (beat runs the sweeper); kill() is kill -9 of the whole
    process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        queue = self.env["CASEFILE_TASK_QUEUE_NAME"]
        command = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--concurrency=1",
                   "--loglevel=INFO", f"--queues={queue}", f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h",
                   "--beat", f"--schedule={self.log_path.parent / 'celerybeat-schedule'}",
                   "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child process owns it
        self.process = subprocess.Popen(command, cwd=REPO, env=os.environ | self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def production_stack(tmp_path: Path, bootstrap_token: str, **overrides: Any) -> Iterator[tuple[Settings, CeleryWorker]]:
    require_services()
    name = f"cf_test_{uuid.uuid4().hex[:10]}"
    values = _common(tmp_path, bootstrap_token) | isolated_backends(name) | overrides
    env = {f"CASEFILE_{key.upper()}": str(value) for key, value in values.items()}
    _admin_sql(f'CREATE DATABASE "{name}"')
    worker = CeleryWorker(env, tmp_path / "celery-worker.log")
    worker.start()
    try:
        yield Settings(**values), worker
    finally:
        worker.stop()
        _cleanup(name, values["elasticsearch_index"])


def _cleanup(database: str, index: str) -> None:
    import psycopg
    from elasticsearch import Elasticsearch

    from core.db import get_engine

    get_engine.cache_clear()  # close pooled connections so the database can be dropped
    for attempt in range(20):
        try:
            _admin_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            break
        except psycopg.errors.InsufficientPrivilege:
            # An autovacuum worker (a superuser process) is in the database: FORCE may not end it; it soon ends.
            if attempt == 19:
                raise
            time.sleep(0.5)
    client = Elasticsearch("http://127.0.0.1:9200")
    for name in client.indices.get(index=f"{index}-v*", expand_wildcards="all"):
        client.indices.delete(index=name)  # the cluster refuses wildcard deletes


def embedded_settings(tmp_path: Path, bootstrap_token: str, **overrides: Any) -> Settings:
    return Settings(**(_common(tmp_path, bootstrap_token) | overrides))
