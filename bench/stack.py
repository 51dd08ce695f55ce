"""The production stack for the benchmark, the way tests/stacks.py builds it: an isolated PostgreSQL database,
Elasticsearch alias, MinIO bucket and Celery queue on the running services, a real Celery worker process, and
real uvicorn API servers (as `casefile serve` runs them) that the harness talks to over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bench.common import REPO, free_port
from core.config import Settings
from tests.stacks import isolated_backends

SERVICES = {"PostgreSQL": 5432, "Elasticsearch": 9200, "MinIO": 9000, "Redis": 6379}
POSTGRES_ADMIN_URL = os.environ.get(
    "CASEFILE_TEST_POSTGRES_URL", "postgresql://casefile:casefile@127.0.0.1:5432/postgres"
)
ELASTICSEARCH_URL = "http://127.0.0.1:9200"
BOOTSTRAP_TOKEN = "cf_bench-bootstrap-token-0123456789"


def _closed_ports() -> list[str]:
    closed = []
    for name, port in SERVICES.items():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            closed.append(name)
    return closed


def ensure_services() -> None:
    """Start the four services with the repo's own idempotent script when one of them is not answering."""
    if _closed_ports():
        subprocess.run(["bash", str(REPO / "scripts/services/up.sh")], check=True, stdout=subprocess.DEVNULL)
    if closed := _closed_ports():
        raise RuntimeError(f"services still down after scripts/services/up.sh: {', '.join(closed)}")


def _admin_sql(statement: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def settings_env(values: dict[str, Any]) -> dict[str, str]:
    return {
        f"CASEFILE_{key.upper()}": str(value.get_secret_value() if isinstance(value, SecretStr) else value)
        for key, value in values.items()
        if value is not None
    }


@dataclass
class Process:
    """A child process in its own session, so stop() ends it with all its children (tesseract, pool workers)."""

    command: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child process owns it
        self.popen = subprocess.Popen(
            self.command,
            cwd=REPO,
            env=os.environ | self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=20)


@dataclass
class Deployment:
    """Settings values shared by the API servers and the worker of one benchmark stack."""

    work: Path
    values: dict[str, Any]
    processes: list[Process] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return Settings(**self.values)

    def env(self, **overrides: Any) -> dict[str, str]:
        return settings_env(self.values | overrides)

    def start_worker(self, concurrency: int = 1, ocr_workers: int = 2) -> Process:
        """A real `celery worker` on this stack's queue; concurrency × OCR threads per document ≈ cores."""
        queue = self.values["task_queue_name"]
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            f"--queues={queue}",
            f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        worker = Process(command, self.env(ocr_workers=ocr_workers), self.work / "celery-worker.log")
        worker.start()
        self.processes.append(worker)
        return worker

    def start_api(self, name: str, **overrides: Any) -> ApiServer:
        server = ApiServer.start(self.env(**overrides), self.work / f"api-{name}.log")
        self.processes.append(server.process)
        return server

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


@dataclass
class ApiServer:
    process: Process
    url: str
    env: dict[str, str]

    @classmethod
    def start(cls, env: dict[str, str], log_path: Path) -> ApiServer:
        # What `casefile serve` runs (uvicorn, one process, uvloop and httptools from uvicorn[standard]);
        # only the access log is off, so that the benchmark does not measure terminal writes.
        # The API does not migrate (issue 8): bring the schema up first, as `make run` and compose do.
        subprocess.run(
            [sys.executable, "-m", "cli.main", "migrate"],
            cwd=REPO,
            env=os.environ | env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        process = Process(command, env, log_path)
        process.start()
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not process.alive():
                raise RuntimeError(f"the API server exited; see {log_path}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    return cls(process, url, env)
            time.sleep(0.2)
        process.stop()
        raise RuntimeError(f"the API server did not start in 90 s; see {log_path}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def client(self) -> ApiClient:
        headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
        database = self.env.get("CASEFILE_DATABASE_URL", "").replace("postgresql+psycopg://", "postgresql://")
        return ApiClient(httpx.Client(base_url=self.url, headers=headers, timeout=120), database or None)


@dataclass
class ApiClient:
    http: httpx.Client
    database_url: str | None = None

    def create_case(self, number: str) -> str:
        response = self.http.post("/api/v1/cases", json={"number": number, "title": number, "court": "Bench Court"})
        response.raise_for_status()
        return str(response.json()["id"])

    def upload(self, case_id: str, path: Path) -> str:
        with path.open("rb") as handle:
            response = self.http.post(f"/api/v1/cases/{case_id}/documents", files={"file": (path.name, handle)})
        response.raise_for_status()
        return str(response.json()["id"])

    def _api_statuses(self, case_id: str, document_ids: list[str]) -> dict[str, tuple[str, str | None]]:
        items = self.http.get(f"/api/v1/cases/{case_id}/documents").json()["items"]
        return {item["id"]: (item["status"], item["error"]) for item in items if item["id"] in document_ids}

    def wait_indexed(self, case_id: str, document_ids: list[str], timeout: float = 1800) -> None:
        """Poll until every document is `indexed` (a failed one ends the benchmark: its numbers would be wrong).

        On the production stack the statuses come straight from PostgreSQL over one connection: polling through
        the API 40 times a second would load the very server being timed. The interval grows with the run (0.5 %
        of the time so far, at least 25 ms): a minute-long OCR run polled 40 times a second cost the harness and
        PostgreSQL ~0.03 CPU-s per second, taken from the cores being measured."""
        with ExitStack() as stack:
            statuses = partial(self._api_statuses, case_id)
            if self.database_url is not None:
                import psycopg

                connection = stack.enter_context(psycopg.connect(self.database_url, autocommit=True))

                def statuses(ids: list[str]) -> dict[str, tuple[str, str | None]]:
                    rows = connection.execute("SELECT id, status, error FROM documents WHERE id = ANY(%s)", (ids,))
                    return {row[0]: (row[1], row[2]) for row in rows}

            started = time.monotonic()
            deadline = started + timeout
            while time.monotonic() < deadline:
                states = statuses(document_ids)
                failed = [error for status, error in states.values() if status == "failed"]
                if failed:
                    raise RuntimeError(f"a document failed: {failed[0]}")
                if len(states) == len(document_ids) and all(status == "indexed" for status, _ in states.values()):
                    return
                time.sleep(max(0.025, 0.005 * (time.monotonic() - started)))
        raise TimeoutError(f"documents not indexed after {timeout} s")

    def page_texts(self, document_id: str) -> list[str]:
        response = self.http.get(f"/api/v1/documents/{document_id}/pages")
        response.raise_for_status()
        return [item["text"] for item in response.json()["items"]]


@contextmanager
def production_stack(work: Path) -> Iterator[Deployment]:
    """An isolated database, alias, bucket and queue on the running services; everything is removed after."""
    ensure_services()
    work.mkdir(parents=True, exist_ok=True)
    name = f"cf_bench_{uuid.uuid4().hex[:10]}"
    values: dict[str, Any] = {
        "environment": "test",
        "data_dir": str(work / "data"),
        "bootstrap_token": BOOTSTRAP_TOKEN,
        "log_level": "WARNING",
        "ocr_workers": 2,
    } | isolated_backends(name)
    _admin_sql(f'CREATE DATABASE "{name}"')
    deployment = Deployment(work, values)
    try:
        yield deployment
    finally:
        deployment.stop_all()
        _cleanup(values)


def _cleanup(values: dict[str, Any]) -> None:
    from elasticsearch import Elasticsearch
    from minio import Minio

    from core.db import get_engine

    get_engine.cache_clear()  # close pooled connections so the database can be dropped
    name = values["task_queue_name"]
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    client = Elasticsearch(ELASTICSEARCH_URL)
    prefix = values["elasticsearch_index"]
    for index in client.indices.get(index=f"{prefix}*", expand_wildcards="all"):
        client.indices.delete(index=index)  # the cluster refuses wildcard deletes
    with suppress(Exception):
        client.indices.delete_index_template(name=f"{prefix}*")
    store = Minio(
        "127.0.0.1:9000", access_key=values["s3_access_key"], secret_key=values["s3_secret_key"], secure=False
    )
    bucket = values["s3_bucket"]
    if store.bucket_exists(bucket):
        for item in store.list_objects(bucket, recursive=True):
            store.remove_object(bucket, item.object_name or "")
        store.remove_bucket(bucket)
