"""Shared pieces of the harness: result entries, clocks that also count CPU, percentiles, sizes."""

from __future__ import annotations

import os
import resource
import socket
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORES = os.cpu_count() or 1
TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Sizes:
    """How big each stage is: the full run fits in ~20 minutes on 2 cores; --smoke in well under a minute."""

    ocr_documents: int  # scanned PDFs for r1 (Casefile, raw tesseract, ocrmypdf on the same files)
    ocr_pages_per_document: int
    cer_pages: int  # pages OCR'd once per setting for ocr_cer
    cer_settings: tuple[str, ...]  # names from bench.cer.SETTINGS
    extract_documents: int  # born-digital PDFs for r2
    extract_pages_per_document: int
    extract_repeats: int
    index_documents: int  # documents of page entries for r3
    index_pages_per_document: int
    search_small: int  # pages in the search corpus for the first scale point
    search_large: int  # pages for r4 and the second scale point
    search_requests_per_client: int
    search_one_client_requests: int  # the same queries from a single client: each request's cost, no queueing
    search_clients: int
    ingest_shapes: tuple[tuple[int, int], ...]  # (pages per document, documents) for the ingest scale run
    r1_variants: bool  # also measure other worker layouts (concurrency × OCR threads)


FULL = Sizes(
    ocr_documents=16,  # 64 pages: a minute per run, so filling and draining the pipeline weigh ~1 %
    ocr_pages_per_document=4,
    cer_pages=8,
    cer_settings=(
        "300dpi-psm3-fast",
        "200dpi-psm3-fast",
        "150dpi-psm3-fast",
        "300dpi-psm6-fast",
        "200dpi-psm6-fast",
        "300dpi-psm3-std",
        "300dpi-psm3-legacy",
    ),
    extract_documents=20,
    extract_pages_per_document=50,
    extract_repeats=5,
    index_documents=100,
    index_pages_per_document=20,
    search_small=10_000,
    search_large=100_000,
    search_requests_per_client=40,
    search_one_client_requests=48,
    search_clients=8,
    ingest_shapes=((1, 60), (10, 20), (100, 5), (1000, 1)),
    r1_variants=True,
)
SMOKE = Sizes(
    ocr_documents=1,
    ocr_pages_per_document=1,
    cer_pages=1,
    cer_settings=("300dpi-psm3-fast", "150dpi-psm3-fast"),
    extract_documents=2,
    extract_pages_per_document=5,
    extract_repeats=1,
    index_documents=4,
    index_pages_per_document=5,
    search_small=100,
    search_large=300,
    search_requests_per_client=3,
    search_one_client_requests=4,
    search_clients=8,
    ingest_shapes=((1, 2), (10, 1)),
    r1_variants=False,
)


def entry(value: float | None, target: str, **details: Any) -> dict[str, Any]:
    """One key of latest.json: the value, its target as text (">= 0.95"), whether it is met, and the details."""
    return {
        "value": None if value is None else round(value, 4),
        "target": target,
        "met": meets(value, target),
    } | details


def meets(value: float | None, target: str) -> bool:
    if value is None:
        return False
    operator, _, bound = target.partition(" ")
    limit = float(bound)
    return value >= limit if operator == ">=" else value <= limit


def percentile(samples: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), so p99 of 480 samples is not just the max."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(samples_s: list[float]) -> dict[str, float]:
    milliseconds = [sample * 1000 for sample in samples_s]
    return {
        "requests": len(milliseconds),
        "p50_ms": round(percentile(milliseconds, 0.50), 2),
        "p90_ms": round(percentile(milliseconds, 0.90), 2),
        "p99_ms": round(percentile(milliseconds, 0.99), 2),
        "mean_ms": round(statistics.fmean(milliseconds), 2),
    }


def machine_cpu_seconds() -> float:
    """Busy CPU-seconds of the whole machine so far (all cores), from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(value) for value in handle.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICK  # minus idle and iowait


def _proc_stat(pid: int) -> tuple[int, float] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rfind(")") + 2 :].split()
    # utime, stime, and the children's times: tesseract runs as a child that the worker waits for.
    return int(fields[1]), sum(int(value) for value in fields[11:15]) / TICK


def find_pid(command_part: str) -> int | None:
    """The first process whose command line contains this text (e.g. Elasticsearch's main class)."""
    for entry_path in Path("/proc").iterdir():
        if entry_path.name.isdigit():
            try:
                if command_part in (entry_path / "cmdline").read_bytes().decode(errors="replace"):
                    return int(entry_path.name)
            except OSError:
                continue
    return None


def tree_cpu_seconds(root: int) -> float:
    """CPU-seconds of a process and all its descendants, living or reaped (their time is in cutime)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for entry_path in Path("/proc").iterdir():
        if entry_path.name.isdigit():
            stat = _proc_stat(int(entry_path.name))
            if stat is not None:
                parents[int(entry_path.name)], seconds[int(entry_path.name)] = stat
    total, frontier = 0.0, [root]
    while frontier:
        pid = frontier.pop()
        total += seconds.get(pid, 0.0)
        frontier.extend(child for child, parent in parents.items() if parent == pid)
    return total


@dataclass
class Clock:
    """Wall time, this process's CPU (with reaped children), the machine's busy CPU, and watched trees."""

    wall: float = 0.0
    own_cpu: float = 0.0
    children_cpu: float = 0.0
    machine_cpu: float = 0.0
    trees: dict[str, float] = field(default_factory=dict)


def _own() -> tuple[float, float]:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


@contextmanager
def clock(watch: dict[str, int] | None = None) -> Iterator[Clock]:
    watch = watch or {}
    result = Clock()
    own, children = _own()
    machine = machine_cpu_seconds()
    trees = {name: tree_cpu_seconds(pid) for name, pid in watch.items()}
    start = time.perf_counter()
    yield result
    result.wall = time.perf_counter() - start
    own_after, children_after = _own()
    result.own_cpu, result.children_cpu = own_after - own, children_after - children
    result.machine_cpu = machine_cpu_seconds() - machine
    result.trees = {name: tree_cpu_seconds(pid) - trees[name] for name, pid in watch.items()}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rounded(value: float, digits: int = 3) -> float:
    return round(value, digits)
