"""`python -m bench.soak` (`make soak`): a chaos and soak run of the production stack on this machine.

An isolated stack as bench/stack.py builds it (its own database, index alias, bucket and queue on the local
services; one uvicorn API, one Celery worker and beat) takes N client threads for M minutes, mixing uploads
(small born-digital PDFs, and a few small scans), searches, reads and downloads, all to 127.0.0.1. Meanwhile
Elasticsearch, MinIO, Redis and PostgreSQL are each stopped in turn for a while, and the worker is killed with
SIGKILL several times (and restarted). Afterwards every upload that was answered 2xx must exist (else "lost")
and reach `indexed` or `failed` within the settle time (else "stuck"). Results go to bench/results/soak.json.

Bounded: every request has a timeout, the load stops by itself, every stopped service is started again in a
`finally`, and the whole run has a hard deadline.
"""

from __future__ import annotations

import io
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from bench import chaos
from bench.common import CORES, REPO, percentile
from bench.corpus import born_digital_pdf, page_text
from bench.stack import BOOTSTRAP_TOKEN, ApiServer, Deployment, Process, production_stack
from tests.samples import LEGAL_PAGES, scanned_page

console = Console(stderr=True)
app = typer.Typer(add_completion=False, help=__doc__)

SERVICE_ORDER = ["elasticsearch", "minio", "redis", "postgresql"]
SNAPSHOT_REVISION = "CASEFILE_SOAK_SNAPSHOT"  # set in the snapshot's run: the revision it was taken from
WORKTREE, LIVE = "worktree", "live"
HARNESS = ("bench/soak.py", "bench/chaos.py")
ACCEPTED = (200, 201, 202)
FINAL = ("indexed", "failed")
REQUEST_TIMEOUT = 30.0
FIRST_BODIES = 8  # 5xx bodies kept in the report
# Operation weights of the mix; uploads beyond the upload rate turn into searches.
MIX = {
    "search": 30,
    "list_cases": 5,
    "read_case": 8,
    "list_documents": 8,
    "read_document": 12,
    "read_pages": 8,
    "download": 12,
    "upload": 14,
    "patch_case": 3,
}
QUERIES = [
    '"natural justice"',
    "petitioner",
    "mandamus OR certiorari",
    "limitation -appeal",
    "bail",
    "remand*",
    "(writ OR petition) respondent",
    '"alternate remedy"',
    "Lahore",
    "evidence contradictions",
    '"Muhammad Aslam"',
    "contract frustrated flood",
    "tenancy statute",
    "assessment illegality",
    '"unclosed phrase',  # malformed on purpose: a 400, never a 5xx
    "-",
]
# A crash leaves a gap before a supervisor restarts the worker.
RESTART_PAUSE_SECONDS = 2.0
OUTAGE_GRACE_SECONDS = 5.0  # requests shortly after a service is healthy again still count to its outage


def _say(message: str) -> None:
    console.log(message)


def letters_token() -> str:
    """A unique word of letters only (no digits an OCR engine or a tokenizer could split or misread)."""
    return "soak" + "".join(chr(ord("a") + int(digit, 16)) for digit in uuid.uuid4().hex[:12])


# --- what happened: samples, uploads, the registry clients share -----------------------------------------


@dataclass(frozen=True)
class Sample:
    op: str
    started: float  # time.time()
    seconds: float
    status: int | None  # None: no answer (connection refused, reset or timed out)
    error: str | None = None  # why there was no answer, or the problem detail of a 5xx


@dataclass(frozen=True)
class Upload:
    document_id: str
    case_id: str
    kind: str  # "pdf" or "scan"
    token: str
    status: int
    at: float


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    server_errors: list[dict[str, Any]] = field(default_factory=list)  # the first 5xx other than 503
    unavailable: list[dict[str, Any]] = field(default_factory=list)  # the first 503s
    uploads: list[Upload] = field(default_factory=list)
    upload_statuses: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, sample: Sample, response: httpx.Response | None) -> None:
        with self.lock:
            self.samples.append(sample)
            if response is None or response.status_code < 500:
                return
            kept = self.unavailable if response.status_code == 503 else self.server_errors
            if len(kept) < FIRST_BODIES:
                kept.append(
                    {
                        "op": sample.op,
                        "status": response.status_code,
                        "at": sample.started,
                        "request": f"{response.request.method} {response.request.url.raw_path.decode()}",
                        "body": response.text[:500],
                    }
                )

    def upload(self, upload: Upload | None, kind: str, status: int | None) -> None:
        with self.lock:
            self.upload_statuses[f"{kind} {status or 'no answer'}"] += 1
            if upload is not None:
                self.uploads.append(upload)

    def clear(self) -> None:
        with self.lock:
            self.samples.clear()
            self.server_errors.clear()
            self.unavailable.clear()
            self.uploads.clear()
            self.upload_statuses.clear()


@dataclass
class Registry:
    """Cases and documents the clients know of, to read, download and search for."""

    cases: list[str] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)  # (document id, case id)
    tokens: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_case(self, case_id: str) -> None:
        with self.lock:
            self.cases.append(case_id)

    def add_document(self, document_id: str, case_id: str, token: str | None) -> None:
        with self.lock:
            self.documents.append((document_id, case_id))
            if token is not None:
                self.tokens.append(token)

    def pick(self, rng: random.Random) -> tuple[str, str, str | None]:
        with self.lock:
            document_id, case_id = rng.choice(self.documents)
            token = rng.choice(self.tokens) if self.tokens else None
        return document_id, case_id, token


class RateLimiter:
    """A token bucket shared by all clients: at most `rate` per second, in bursts of `burst`."""

    def __init__(self, rate: float, burst: float = 2.0) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


# --- documents --------------------------------------------------------------------------------------------


def pdf_upload(rng: random.Random, token: str) -> tuple[str, bytes]:
    pages = [page_text(rng, rng.randrange(10_000), page, lines=24) for page in range(1, rng.randint(1, 2) + 1)]
    pages[0] = f"Soak record {token}\n{pages[0]}"
    return f"{token}.pdf", born_digital_pdf(pages)


def scan_upload(rng: random.Random, token: str) -> tuple[str, bytes]:
    """One page at 150 dpi, as a PNG or a PDF: a small scan that still needs OCR."""
    image = scanned_page(f"Soak scan {token}\n{LEGAL_PAGES[0]}", seed=rng.randrange(1000), dpi=150)
    buffer = io.BytesIO()
    if rng.random() < 0.5:
        image.save(buffer, format="PNG")
        return f"{token}.png", buffer.getvalue()
    image.save(buffer, format="PDF", resolution=150)
    return f"{token}.pdf", buffer.getvalue()


# --- the clients ------------------------------------------------------------------------------------------


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))[:200]
    except ValueError:
        return response.text[:200]


@dataclass
class Load:
    url: str
    registry: Registry
    recorder: Recorder
    uploads: RateLimiter
    scans: RateLimiter
    think_seconds: float
    stop: threading.Event

    def call(self, http: httpx.Client, op: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        started, clock = time.time(), time.perf_counter()
        try:
            response = http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.recorder.sample(Sample(op, started, time.perf_counter() - clock, None, type(error).__name__), None)
            return None
        detail = _detail(response) if response.status_code >= 500 else None
        self.recorder.sample(Sample(op, started, time.perf_counter() - clock, response.status_code, detail), response)
        return response

    def create_case(self, http: httpx.Client, rng: random.Random) -> str | None:
        number = f"Soak {uuid.uuid4().hex[:10]} of 2026"
        body = {"number": number, "title": f"Soak v. Load {number}", "court": rng.choice(["Court A", "Court B"])}
        response = self.call(http, "create_case", "POST", "/api/v1/cases", json=body)
        if response is not None and response.status_code == 201:
            case_id = str(response.json()["id"])
            self.registry.add_case(case_id)
            return case_id
        return None

    def upload(self, http: httpx.Client, rng: random.Random, case_id: str, kind: str) -> None:
        token = letters_token()
        filename, content = scan_upload(rng, token) if kind == "scan" else pdf_upload(rng, token)
        response = self.call(
            http, f"upload_{kind}", "POST", f"/api/v1/cases/{case_id}/documents", files={"file": (filename, content)}
        )
        status = None if response is None else response.status_code
        if response is None or status not in ACCEPTED:
            self.recorder.upload(None, kind, status)
            return
        assert status is not None
        document_id = str(response.json()["id"])
        self.recorder.upload(Upload(document_id, case_id, kind, token, status, time.time()), kind, status)
        self.registry.add_document(document_id, case_id, token if kind == "pdf" else None)

    def search(self, http: httpx.Client, rng: random.Random) -> None:
        _document_id, case_id, token = self.registry.pick(rng)
        roll = rng.random()
        params: dict[str, Any] = {"q": token if token and roll < 0.3 else rng.choice(QUERIES)}
        if roll > 0.7:
            params["case_id"] = case_id
        elif roll > 0.55:
            params["court"] = rng.choice(["Court A", "Court B"])
        params["page"] = rng.choice([1, 1, 1, 2])
        self.call(http, "search", "GET", "/api/v1/search", params=params)

    def run(self, index: int, own_case: str, deadline: float) -> None:
        rng = random.Random(index)
        ops, weights = list(MIX), list(MIX.values())
        headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
        uploads_here = 0
        with httpx.Client(base_url=self.url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
            while time.monotonic() < deadline and not self.stop.is_set():
                op = rng.choices(ops, weights)[0]
                document_id, case_id, _token = self.registry.pick(rng)
                if op == "upload" and self.scans.take():
                    scan_case = self.create_case(http, rng)  # a case of its own: its search check is exact
                    if scan_case is not None:
                        self.upload(http, rng, scan_case, "scan")
                elif op == "upload" and self.uploads.take():
                    uploads_here += 1
                    if uploads_here % 25 == 0:
                        own_case = self.create_case(http, rng) or own_case
                    self.upload(http, rng, own_case, "pdf")
                elif op in ("upload", "search"):
                    self.search(http, rng)
                elif op == "list_cases":
                    params = {"q": rng.choice(QUERIES[:6])} if rng.random() < 0.3 else {"page": 1}
                    self.call(http, op, "GET", "/api/v1/cases", params=params)
                elif op == "read_case":
                    self.call(http, op, "GET", f"/api/v1/cases/{case_id}")
                elif op == "list_documents":
                    self.call(http, op, "GET", f"/api/v1/cases/{case_id}/documents")
                elif op == "read_document":
                    self.call(http, op, "GET", f"/api/v1/documents/{document_id}")
                elif op == "read_pages":
                    self.call(http, op, "GET", f"/api/v1/documents/{document_id}/pages")
                elif op == "download":
                    extra = {"headers": {"Range": "bytes=0-99"}} if rng.random() < 0.3 else {}
                    self.call(http, op, "GET", f"/api/v1/documents/{document_id}/file", **extra)
                elif op == "patch_case":
                    hearing = (date(2026, 1, 1) + timedelta(days=rng.randrange(365))).isoformat()
                    self.call(http, op, "PATCH", f"/api/v1/cases/{own_case}", json={"next_hearing_on": hearing})
                self.stop.wait(rng.uniform(0, 2 * self.think_seconds))


# --- reading the outcome straight from the stack's database ----------------------------------------------


class Database:
    """One autocommit connection, reopened after an outage; None when PostgreSQL does not answer."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.connection: Any = None

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]] | None:
        import psycopg

        try:
            if self.connection is None or self.connection.closed:
                self.connection = psycopg.connect(self.url, autocommit=True, connect_timeout=3)
            return list(self.connection.execute(sql, params))  # type: ignore[arg-type]
        except psycopg.Error:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


# --- chaos on a schedule, and a supervisor for what dies of it -----------------------------------------------


@dataclass
class Supervisor:
    """What a process manager does in a deployment: a worker or beat that exits by itself is started again."""

    killer: chaos.WorkerKiller
    beat: Process
    start_beat: Callable[[], Process]
    worker_restarts: int = 0
    beat_restarts: int = 0

    def check(self) -> None:
        with self.killer.lock:
            worker = self.killer.current
            if worker is not None and not worker.alive():
                _say("[yellow]the worker exited by itself: starting another")
                self.killer.current = self.killer.start()
                self.worker_restarts += 1
        if not self.beat.alive():
            _say("[yellow]beat exited by itself: starting another")
            self.beat = self.start_beat()
            self.beat_restarts += 1


@dataclass
class Chaos:
    origin: float  # time.monotonic() at the start of the load
    run_seconds: float
    outage_seconds: float
    kills: int
    killer: chaos.WorkerKiller
    database: Database
    stop: threading.Event
    services: list[str]
    outages: list[chaos.Outage] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def _sleep_until(self, offset: float) -> bool:
        """Wait until `offset` seconds into the run; False if the run was stopped meanwhile."""
        return not self.stop.wait(max(0.0, self.origin + offset - time.monotonic()))

    def outages_loop(self) -> None:
        if not self.services:
            return
        slot = self.run_seconds / len(self.services)
        lead = min(20.0, slot * 0.15)  # steady state before each outage
        try:
            for number, service in enumerate(self.services):
                if not self._sleep_until(number * slot + lead):
                    return
                outage = chaos.Outage(service, self.outage_seconds)
                self.outages.append(outage)
                _say(f"outage: stopping {service} for {self.outage_seconds:.0f} s")
                with chaos.stopped(service, outage):
                    self.stop.wait(self.outage_seconds)
                _say(f"outage: {service} is back ({outage.error or 'healthy'})")
                self.stop.wait(lead)  # steady state again before the next one, even when this one ran late
        except Exception as error:  # the run goes on; restore_services() follows in any case
            self.errors.append(f"outages: {type(error).__name__}: {error}")
            _say(f"[red]outage thread failed: {error}")

    def _processing(self) -> list[str]:
        rows = self.database.rows("SELECT id FROM documents WHERE status = 'processing'")
        return [row[0] for row in rows or []]

    def kills_loop(self) -> None:
        try:
            for number in range(self.kills):
                if not self._sleep_until(self.run_seconds * (number + 0.5) / self.kills):
                    return
                # Aim for a worker in the middle of a document, for up to 10 s.
                deadline, processing = time.monotonic() + 10, self._processing()
                while not processing and time.monotonic() < deadline and not self.stop.is_set():
                    self.stop.wait(0.5)
                    processing = self._processing()
                _say(f"kill {number + 1}/{self.kills}: SIGKILL the worker (processing {len(processing)})")
                self.killer.kill_and_restart(processing, RESTART_PAUSE_SECONDS)
        except Exception as error:
            self.errors.append(f"kills: {type(error).__name__}: {error}")
            _say(f"[red]kill thread failed: {error}")


# --- the report -------------------------------------------------------------------------------------------


def latency(samples: list[Sample]) -> dict[str, Any]:
    answered = [sample.seconds * 1000 for sample in samples if sample.status is not None]
    if not answered:
        return {"requests": 0}
    return {
        "requests": len(answered),
        "p50_ms": round(percentile(answered, 0.50), 1),
        "p99_ms": round(percentile(answered, 0.99), 1),
        "max_ms": round(max(answered), 1),
    }


def statuses(samples: list[Sample]) -> dict[str, int]:
    counts = Counter("no answer" if sample.status is None else str(sample.status) for sample in samples)
    return dict(sorted(counts.items()))


def outage_report(
    outage: chaos.Outage, following: chaos.Outage | None, samples: list[Sample], origin: float
) -> dict[str, Any]:
    end = (outage.healthy or time.time()) + OUTAGE_GRACE_SECONDS
    if following is not None:  # never count the next outage's answers to this one
        end = min(end, following.stop_requested)
    inside = [sample for sample in samples if outage.stop_requested <= sample.started <= end]
    return outage.as_dict(origin) | {
        "requests": len(inside),
        "503": sum(1 for sample in inside if sample.status == 503),
        "other_5xx": sum(1 for sample in inside if sample.status is not None and sample.status >= 500)
        - sum(1 for sample in inside if sample.status == 503),
        "no_answer": sum(1 for sample in inside if sample.status is None),
        "by_status": statuses(inside),
        "latency": latency(inside),
        "503_detail_by_op": {
            sample.op: sample.error for sample in reversed(inside) if sample.status == 503
        },  # reversed: the first one of each op wins
        "by_op_status": {
            op: statuses([sample for sample in inside if sample.op == op])
            for op in sorted({sample.op for sample in inside})
        },
    }


@dataclass(frozen=True)
class State:
    status: str
    error: str | None
    attempts: int
    updated: float  # epoch seconds of the last change: for a finished document, when it finished


def settle(database: Database, uploads: list[Upload], minutes: float, supervisor: Supervisor) -> dict[str, State]:
    """Wait until every accepted document is indexed or failed (or the time is up); their last states."""
    ids = [upload.document_id for upload in uploads]
    deadline = time.monotonic() + minutes * 60
    states: dict[str, State] = {}
    sql = "SELECT id, status, error, attempts, extract(epoch FROM updated_at) FROM documents WHERE id = ANY(%s)"
    while True:
        supervisor.check()
        rows = database.rows(sql, (ids,))
        if rows is not None:
            states = {row[0]: State(row[1], row[2], row[3], float(row[4])) for row in rows}
            waiting = [doc for doc in ids if doc in states and states[doc].status not in FINAL]
            if not waiting or time.monotonic() > deadline:
                return states
            _say(f"settling: {len(waiting)} documents not yet indexed or failed")
        elif time.monotonic() > deadline:
            return states
        time.sleep(5)


def finish_times(uploads: list[Upload], states: dict[str, State]) -> dict[str, Any]:
    """From the upload's answer to indexed or failed: how long documents waited, e.g. through an outage."""
    seconds = [
        max(0.0, states[upload.document_id].updated - upload.at)
        for upload in uploads
        if upload.document_id in states and states[upload.document_id].status in FINAL
    ]
    if not seconds:
        return {"documents": len(uploads), "finished": 0}
    return {
        "documents": len(uploads),
        "finished": len(seconds),
        "p50": round(percentile(seconds, 0.5), 1),
        "p99": round(percentile(seconds, 0.99), 1),
        "max": round(max(seconds), 1),
    }


def searchable(
    url: str, uploads: list[Upload], states: dict[str, State], database: Database
) -> tuple[list[dict[str, Any]], int]:
    """Indexed documents a search does not find: a PDF by its unique word, a scan by its case (its only
    document: OCR quality is not this run's business). Each with what the index holds for it. Also how many
    scans lack their OCR'd word "mandamus", for information."""
    missing: list[dict[str, Any]] = []
    scan_word_misses = 0
    headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT) as http:

        def pages_found(params: dict[str, Any], document_id: str) -> int | None:
            try:
                response = http.get("/api/v1/search", params=params | {"size": 100})
            except httpx.HTTPError:
                return None
            if response.status_code != 200:
                return None
            return sum(1 for hit in response.json()["hits"] if hit["document_id"] == document_id)

        for upload in uploads:
            state = states.get(upload.document_id)
            if state is None or state.status != "indexed":
                continue
            in_case = pages_found({"case_id": upload.case_id}, upload.document_id)
            if upload.kind == "scan":
                scan_word_misses += not pages_found({"q": "mandamus", "case_id": upload.case_id}, upload.document_id)
                found = in_case
            else:
                found = pages_found({"q": upload.token, "case_id": upload.case_id}, upload.document_id)
            if not found:
                rows = database.rows("SELECT page_count, attempts FROM documents WHERE id = %s", (upload.document_id,))
                page_count, attempts = rows[0] if rows else (None, None)
                missing.append(
                    {
                        "id": upload.document_id,
                        "kind": upload.kind,
                        "accepted_at": upload.at,
                        "page_count": page_count,
                        "attempts": attempts,
                        "pages_in_index_for_its_case": in_case,
                    }
                )
    return missing, scan_word_misses


def lost_by_api(url: str, document_ids: list[str]) -> list[str]:
    """Of documents the database lacks, those the API does not know either (404)."""
    headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
    lost = []
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
        for document_id in document_ids:
            try:
                if http.get(f"/api/v1/documents/{document_id}").status_code == 404:
                    lost.append(document_id)
            except httpx.HTTPError:
                lost.append(document_id)  # not shown to exist: counted lost, never silently dropped
    return lost


def git_revision(commit: str | None = None) -> str:
    """The commit, marked when the working tree (not a named commit) has uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False).stdout.strip()

    if commit is not None:
        return git("rev-parse", "--short", commit)
    return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


# --- the run ----------------------------------------------------------------------------------------------


@dataclass
class Options:
    minutes: float
    clients: int
    outage_seconds: float
    kills: int
    think_seconds: float
    uploads_per_second: float
    scan_every_seconds: float
    settle_minutes: float
    services: list[str]
    stack_settings: dict[str, Any]


def seed(url: str, clients: int, registry: Registry, recorder: Recorder) -> list[str]:
    """A case per client with one processed document, so reads and downloads have targets from the start."""
    load = Load(url, registry, recorder, RateLimiter(1), RateLimiter(1), 0, threading.Event())
    rng = random.Random(0)
    headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
    cases = []
    with httpx.Client(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
        for _ in range(clients):
            case_id = load.create_case(http, rng)
            if case_id is None:
                raise RuntimeError("could not create a seed case")
            cases.append(case_id)
            load.upload(http, rng, case_id, "pdf")
        if len(registry.documents) != clients:
            raise RuntimeError(f"seed uploads refused: {dict(recorder.upload_statuses)}")
        deadline = time.monotonic() + 300
        for document_id, _case in list(registry.documents):
            while http.get(f"/api/v1/documents/{document_id}").json()["status"] not in FINAL:
                if time.monotonic() > deadline:
                    raise RuntimeError("seed documents were not processed in 5 minutes")
                time.sleep(0.5)
    recorder.clear()  # the seed is not part of the run
    return cases


def start_beat(deployment: Deployment) -> Process:
    """Celery beat: the sweeper's schedule, in a process of its own that the kills leave alone."""
    command = [sys.executable, "-m", "celery", "-A", "workers.celery_app", "beat", "--loglevel=WARNING",
               f"--schedule={deployment.work / 'celerybeat-schedule'}"]  # fmt: skip
    beat = Process(command, deployment.env(), deployment.work / "celery-beat.log")
    beat.start()
    deployment.processes.append(beat)
    return beat


def soak(options: Options, work: Path) -> dict[str, Any]:
    report: dict[str, Any] = {"completed": False}
    with production_stack(work / "stack") as deployment:
        try:
            deployment.values.update(options.stack_settings)
            server: ApiServer = deployment.start_api("soak")
            killer = chaos.WorkerKiller(lambda: deployment.start_worker(concurrency=1, ocr_workers=2))
            killer.launch()
            supervisor = Supervisor(killer, start_beat(deployment), lambda: start_beat(deployment))
            registry, recorder = Registry(), Recorder()
            cases = seed(server.url, options.clients, registry, recorder)
            _say(f"stack up at {server.url}; {len(cases)} seed cases; load for {options.minutes} min")
            report |= run_load(options, deployment, server, supervisor, registry, recorder, cases)
        finally:
            restored = chaos.restore_services()  # before the stack's own clean-up, which needs all of them
            if restored:
                _say(f"[yellow]restarted after the run: {', '.join(restored)}")
            report["services_restarted_at_end"] = restored
    return report


def load_and_chaos(options: Options, load: Load, plan: Chaos, supervisor: Supervisor, cases: list[str]) -> float:
    """Run the clients and the chaos threads; the seconds the load lasted."""
    run_seconds = options.minutes * 60
    # The load lasts the planned time, and longer if the outages ran late (a slow restart), up to 5 minutes:
    # every outage is measured with clients running through it and 15 s past it.
    end, hard_end = plan.origin + run_seconds, plan.origin + run_seconds + 300
    threads = [
        threading.Thread(target=plan.outages_loop, name="outages"),
        threading.Thread(target=plan.kills_loop, name="kills"),
    ] + [
        threading.Thread(target=load.run, args=(index, cases[index % len(cases)], hard_end), name=f"client-{index}")
        for index in range(options.clients)
    ]
    outages_done: float | None = None
    try:
        for thread in threads:
            thread.start()
        while (now := time.monotonic()) < hard_end:
            supervisor.check()
            if outages_done is None and not threads[0].is_alive():
                outages_done = now
            if now >= end and outages_done is not None and now >= outages_done + 15:
                break
            time.sleep(1)
    finally:
        load.stop.set()
        join_by = time.monotonic() + REQUEST_TIMEOUT + 420  # an outage in progress restarts its service first
        for thread in threads:
            thread.join(timeout=max(1.0, join_by - time.monotonic()))
    return time.monotonic() - plan.origin


def run_load(
    options: Options,
    deployment: Deployment,
    server: ApiServer,
    supervisor: Supervisor,
    registry: Registry,
    recorder: Recorder,
    cases: list[str],
) -> dict[str, Any]:
    stop = threading.Event()
    uploads_rate = RateLimiter(options.uploads_per_second)
    scans_rate = RateLimiter(1 / options.scan_every_seconds, burst=1)
    load = Load(server.url, registry, recorder, uploads_rate, scans_rate, options.think_seconds, stop)
    database = Database(deployment.values["database_url"])
    origin_wall = time.time()
    plan = Chaos(time.monotonic(), options.minutes * 60, options.outage_seconds, options.kills, supervisor.killer,
                 Database(database.url), stop, options.services)  # fmt: skip
    load_seconds = load_and_chaos(options, load, plan, supervisor, cases)
    chaos.restore_services()
    _say(f"load done after {load_seconds:.0f} s: {len(recorder.samples)} requests; settling")

    uploads = list(recorder.uploads)
    states = settle(database, uploads, options.settle_minutes, supervisor)
    missing_rows = [upload.document_id for upload in uploads if upload.document_id not in states]
    lost = lost_by_api(server.url, missing_rows)
    stuck = {doc: state for doc, state in states.items() if state.status not in FINAL}
    failed = {doc: state for doc, state in states.items() if state.status == "failed"}
    not_found, scan_word_misses = searchable(server.url, uploads, states, database)
    duplicates = database.rows(
        "SELECT case_id, sha256, count(*) FROM documents GROUP BY case_id, sha256 HAVING count(*) > 1"
    )
    database.close()
    plan.database.close()

    samples = recorder.samples
    windows = [(o.stop_requested, (o.healthy or time.time()) + OUTAGE_GRACE_SECONDS) for o in plan.outages]
    steady = [sample for sample in samples if not any(start <= sample.started <= end for start, end in windows)]
    server_errors = [sample for sample in samples if sample.status is not None and sample.status >= 500]
    unavailable = [sample for sample in server_errors if sample.status == 503]
    by_kind = Counter(upload.kind for upload in uploads)
    ops = sorted({sample.op for sample in samples})

    def stamped(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [error | {"at": round(error["at"] - origin_wall, 2)} for error in errors]

    return {
        "completed": True,
        "load_seconds": round(load_seconds, 1),
        "requests": len(samples),
        "answered": sum(1 for sample in samples if sample.status is not None),
        "no_answer": sum(1 for sample in samples if sample.status is None),
        "by_status": statuses(samples),
        "5xx": len(server_errors),
        "503": len(unavailable),
        "5xx_not_503": len(server_errors) - len(unavailable),
        "5xx_not_503_first_bodies": stamped(recorder.server_errors),
        "503_first_bodies": stamped(recorder.unavailable[:3]),
        "503_outside_outages": sum(1 for sample in steady if sample.status == 503),
        "latency": latency(samples) | {"by_op": {op: latency([s for s in samples if s.op == op]) for op in ops}},
        "latency_outside_outages": latency(steady),
        "outages": [
            outage_report(outage, next(iter(plan.outages[number + 1 :]), None), samples, origin_wall)
            for number, outage in enumerate(plan.outages)
        ],
        "worker_kills": [
            {
                "at_s": round(kill.at - origin_wall, 2),
                "documents_processing": len(kill.processing),
                "restarted_at_s": round(kill.restarted - origin_wall, 2) if kill.restarted else None,
            }
            for kill in supervisor.killer.kills
        ],
        "unplanned_restarts": {"worker": supervisor.worker_restarts, "beat": supervisor.beat_restarts},
        "chaos_errors": plan.errors,
        "uploads": {
            "accepted": len(uploads),
            "accepted_pdf": by_kind["pdf"],
            "accepted_scan": by_kind["scan"],
            "by_kind_and_status": dict(sorted(recorder.upload_statuses.items())),
        },
        "documents": {
            "accepted": len(uploads),
            "indexed": sum(1 for state in states.values() if state.status == "indexed"),
            "failed": len(failed),
            "failed_reasons": dict(Counter((state.error or "")[:160] for state in failed.values()).most_common(10)),
            "lost": len(lost),
            "lost_ids": lost[:50],
            "missing_from_database_but_api_knows": len(missing_rows) - len(lost),
            "stuck": len(stuck),
            "stuck_documents": [
                {"id": doc, "status": state.status, "attempts": state.attempts}
                for doc, state in list(stuck.items())[:50]
            ],
            "indexed_not_searchable": len(not_found),
            "indexed_not_searchable_documents": [
                item | {"accepted_at": round(item["accepted_at"] - origin_wall, 2)} for item in not_found[:50]
            ],
            "scans_without_their_ocr_word": scan_word_misses,
            "duplicate_rows": None if duplicates is None else len(duplicates),
            "settle_minutes_allowed": options.settle_minutes,
            "seconds_to_finish": finish_times(uploads, states),
            "seconds_to_finish_by_outage": {
                outage.service: finish_times([upload for upload in uploads if start <= upload.at <= end], states)
                for outage, (start, end) in zip(plan.outages, windows, strict=True)
            },
            "attempts": dict(sorted(Counter(state.attempts for state in states.values()).items())),
        },
    }


@app.command()
def main(
    minutes: Annotated[float, typer.Option(help="How long the clients load the stack")] = 10,
    clients: Annotated[int, typer.Option(help="Client threads")] = 20,
    outage_seconds: Annotated[float, typer.Option(help="How long each service stays stopped")] = 60,
    kills: Annotated[int, typer.Option(help="SIGKILLs of the Celery worker, spread over the run")] = 10,
    think_seconds: Annotated[float, typer.Option(help="Mean pause of a client between requests")] = 0.5,
    uploads_per_second: Annotated[float, typer.Option(help="Born-digital uploads per second, all clients")] = 1.0,
    scan_every_seconds: Annotated[float, typer.Option(help="One scan upload per this many seconds")] = 20,
    settle_minutes: Annotated[float, typer.Option(help="How long documents may take to finish after the run")] = 5,
    outages: Annotated[
        str, typer.Option(help="Services to stop, in this order (comma-separated; empty for none)")
    ] = ",".join(SERVICE_ORDER),
    output: Annotated[Path, typer.Option(help="Where the JSON report goes")] = REPO / "bench/results/soak.json",
    keep_work: Annotated[bool, typer.Option(help="Keep the working folder (logs) for a look")] = False,
    code: Annotated[
        str,
        typer.Option(
            help="What to run: a commit (copied now, so edits made meanwhile cannot leak in), 'worktree' for a copy "
            "of the working tree with its uncommitted changes, or 'live' for the checkout itself"
        ),
    ] = "HEAD",
) -> None:
    """Run the soak."""
    if minutes <= 0 or clients <= 0 or outage_seconds <= 0 or kills < 0:
        raise typer.BadParameter("minutes, clients and outage seconds must be positive, kills not negative")
    services = [name.strip() for name in outages.split(",") if name.strip()]
    if unknown := sorted(set(services) - set(chaos.SERVICES)):
        raise typer.BadParameter(f"unknown services {unknown}; choose from {', '.join(chaos.SERVICES)}")

    def terminate(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through every finally: services are started again

    signal.signal(signal.SIGTERM, terminate)
    if code != LIVE and SNAPSHOT_REVISION not in os.environ:
        sys.exit(run_in_snapshot(output, keep_work, code))
    # Scaled to these small documents (seconds each): a killed worker's task comes back within two minutes,
    # and a job lost to a broker outage within a minute; production keeps hours for long OCR jobs.
    stack_settings = {
        "broker_visibility_timeout_seconds": 120,
        "processing_lease_seconds": 120.0,
        "requeue_after_seconds": 30.0,
        "sweeper_interval_seconds": 10.0,
    }
    options = Options(minutes, clients, outage_seconds, kills, think_seconds, uploads_per_second,
                      scan_every_seconds, settle_minutes, services, stack_settings)  # fmt: skip
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="casefile-soak-"))
    _say(f"working folder {work}")
    report: dict[str, Any] = {}
    try:
        report = soak(options, work)
    except BaseException as error:
        report["error"] = "".join(traceback.format_exception(error))[-4000:]
        raise
    finally:
        report["services_restarted_at_exit"] = chaos.restore_services()
        meta = {
            "started": started.isoformat(timespec="seconds"),
            "duration_s": round((datetime.now(UTC) - started).total_seconds(), 1),
            "revision": os.environ.get(SNAPSHOT_REVISION) or git_revision(),
            "code": str(REPO),
            "machine": {"cores": CORES, "python": platform.python_version(), "platform": platform.platform()},
            "options": {key: value for key, value in vars(options).items()},
            "work": str(work) if keep_work else None,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps({"meta": meta} | report, indent=2, default=str))
        _say(f"wrote {output}")
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    verdict = summary(report)
    console.print(verdict)


def take_snapshot(destination: Path, revision: str) -> None:
    """Copy a commit (`git archive`), or with "worktree" the checkout as it is now: tracked files and new ones git
    does not ignore (no .venv, no .stack)."""
    if revision != WORKTREE:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision], cwd=REPO, capture_output=True, check=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(destination, filter="data")
        return
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listing = subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listing.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not there
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def run_in_snapshot(output: Path, keep_work: bool, revision: str) -> int:
    """Run this command again inside a snapshot of the checkout. Others may edit the working tree during a
    run of many minutes: a worker restarted after a kill would load new code against an old schema."""
    code = Path(tempfile.mkdtemp(prefix="casefile-soak-code-"))
    take_snapshot(code, revision)
    for harness in HARNESS:  # this harness drives the copy, whatever version of it the copied commit has
        (code / harness).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / harness, code / harness)
    described = git_revision() if revision == WORKTREE else git_revision(revision)
    env = os.environ | {
        SNAPSHOT_REVISION: f"{described}, snapshot taken {datetime.now(UTC).isoformat(timespec='seconds')}",
        # The services' scripts keep their pid files and data under the checkout's .stack, not the snapshot's.
        "CASEFILE_STACK_DIR": os.environ.get("CASEFILE_STACK_DIR", str(REPO / ".stack")),
    }
    _say(f"running a snapshot of the checkout in {code}")
    command = [sys.executable, "-m", "bench.soak", *sys.argv[1:], "--output", str(output.resolve())]
    child = subprocess.Popen(command, cwd=code, env=env)
    try:
        return child.wait()
    except BaseException:
        child.send_signal(signal.SIGTERM)  # the child restarts any service it stopped, then exits
        child.wait(timeout=900)
        raise
    finally:
        chaos.restore_services()
        if not keep_work:
            shutil.rmtree(code, ignore_errors=True)


def summary(report: dict[str, Any]) -> str:
    documents = report.get("documents", {})
    lines = [
        f"requests {report.get('requests')}, 5xx {report.get('5xx')} (503: {report.get('503')}), "
        f"no answer {report.get('no_answer')}",
        f"latency p50 {report.get('latency', {}).get('p50_ms')} ms, p99 {report.get('latency', {}).get('p99_ms')} ms",
        f"documents accepted {documents.get('accepted')}, indexed {documents.get('indexed')}, "
        f"failed {documents.get('failed')}, lost {documents.get('lost')}, stuck {documents.get('stuck')}, "
        f"not searchable {documents.get('indexed_not_searchable')}",
    ]
    for outage in report.get("outages", []):
        lines.append(
            f"  {outage['service']}: unavailable {outage['unavailable_seconds']} s, {outage['requests']} requests, "
            f"503 {outage['503']}, other 5xx {outage['other_5xx']}, no answer {outage['no_answer']}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(app())
