"""`python -m bench.run`: measure how close each stage of Casefile comes to its physical limit, in one run.

Prints a table and writes <output-dir>/latest.json plus a dated copy. Stages share one production stack
(an isolated database, alias, bucket and queue on the running services) and the documents made here."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bench.common import CORES, FULL, REPO, SMOKE, Sizes, entry
from bench.stack import ApiServer, Deployment, Process, production_stack

# Every key latest.json carries, with its target, and the stage (--only name) that measures it.
TARGETS = {
    "r1_ocr": ">= 0.95",
    "r1c_vs_ocrmypdf": ">= 1.25",
    "r2_extract": ">= 0.8",
    "r3_index": ">= 0.8",
    "r4_search_p50_overhead_ms": "<= 3",
    "r4_search_p99_ratio": "<= 1.15",
    "citation_f1": ">= 0.95",
    "citation_mb_per_s": ">= 2",
    "scale": "<= 1.25",
    "ocr_cer": "<= 0.5",  # replaced by "<= baseline CER + 0.5" once the baseline is measured
    "r9_trimming": "<= 1.2",
    "web_search_ratio": "<= 1.2",
    "viewer_render_ms": "<= 150",
    "viewer_cached_ms": "<= 10",
    "urdu_cer_naskh": "<= 10",
    "urdu_cer_nastaliq": "<= 10",
    "urdu_r1_ocr_english": ">= 0.95",
    "reports_pending_ms": "<= 100",
    "litigation_cause_list_ms": "<= 100",
    "litigation_reminders_s": "<= 30",
    "proximity_cost_ratio": "<= 2",
}
STAGE_OF = {
    "r1": "r1",
    "r2": "r2",
    "r3": "r3",
    "cer": "cer",
    "r1_ocr": "r1",
    "r1c_vs_ocrmypdf": "r1",
    "r2_extract": "r2",
    "r3_index": "r3",
    "r4_search_p50_overhead_ms": "r4",
    "r4_search_p99_ratio": "r4",
    "r4_search": "r4",
    "r4": "r4",
    "citations": "citations",
    "citation_f1": "citations",
    "citation_mb_per_s": "citations",
    "scale": "scale",
    "ocr_cer": "cer",
    "r9": "r9",
    "r9_trimming": "r9",
    "web_search": "web_search",
    "web_search_ratio": "web_search",
    "viewer": "viewer",
    "viewer_render_ms": "viewer",
    "viewer_cached_ms": "viewer",
    "urdu": "urdu",
    "urdu_cer_naskh": "urdu",
    "urdu_cer_nastaliq": "urdu",
    "urdu_r1_ocr_english": "urdu",
    "reports": "reports",
    "reports_pending_ms": "reports",
    "litigation": "litigation",
    "litigation_cause_list_ms": "litigation",
    "litigation_reminders_s": "litigation",
    "proximity": "proximity",
    "proximity_cost_ratio": "proximity",
}
STAGE_KEYS = {stage: [key for key in TARGETS if STAGE_OF[key] == stage] for stage in set(STAGE_OF.values())}

console = Console(stderr=True)
app = typer.Typer(add_completion=False, help=__doc__)


def _say(message: str) -> None:
    console.log(message)


class Run:
    """The state the stages share: the working folder, the sizes, the documents and the stack."""

    def __init__(self, sizes: Sizes, work: Path, deployment: Deployment | None) -> None:
        self.sizes, self.work, self.deployment = sizes, work, deployment
        self.results: dict[str, Any] = {}
        self.durations: dict[str, float] = {}
        self._scanned: list[Any] | None = None
        self._api: ApiServer | None = None
        self._worker: Process | None = None

    def scanned(self) -> list[Any]:
        from bench.materials import scanned_documents

        if self._scanned is None:
            _say(f"making {self.sizes.ocr_documents}×{self.sizes.ocr_pages_per_document} scanned pages")
            self._scanned = scanned_documents(
                self.work / "scanned", self.sizes.ocr_documents, self.sizes.ocr_pages_per_document
            )
        return self._scanned

    def sample(self) -> Path:
        """A one-page born-digital PDF to warm a fresh worker with: its imports, connections and clients. (Each
        Tesseract run loads its model anew, for Casefile and the baselines alike, so OCR needs no warming.)"""
        from bench.materials import born_digital_documents

        path = self.work / "warm-up" / "paper-0000-1p.pdf"
        return path if path.exists() else born_digital_documents(path.parent, 1, 1, seed=1)[0].path

    def api(self) -> ApiServer:
        assert self.deployment is not None
        if self._api is None:
            self._api = self.deployment.start_api("ingest")
        return self._api

    def worker(self) -> Process:
        """The born-digital stages' worker: the layout tests/stacks.py uses (1 document at a time, 2 OCR threads)."""
        assert self.deployment is not None
        if self._worker is None:
            self._worker = self.deployment.start_worker(concurrency=1, ocr_workers=CORES)
        return self._worker

    def stop_worker(self) -> None:
        if self._worker is not None and self.deployment is not None:
            self._worker.stop()
            self.deployment.processes.remove(self._worker)
            self._worker = None

    def stage(self, name: str, function: Callable[[], dict[str, Any]], keys: list[str]) -> None:
        """Run one stage; a crash is recorded against its keys (value null, `error`) and the run goes on."""
        _say(f"[bold]{name}[/bold] …")
        start = time.perf_counter()
        try:
            self.results.update(function())
        except Exception as error:
            traceback.print_exc()
            for key in keys:
                self.results.setdefault(key, entry(None, TARGETS[key], error=f"{type(error).__name__}: {error}"))
        self.durations[name] = round(time.perf_counter() - start, 1)
        _say(f"{name} done in {self.durations[name]} s")


def stage_citations(run: Run) -> dict[str, Any]:
    from bench.citations import run_citations

    return run_citations(smoke=run.sizes is SMOKE)


def stage_urdu(run: Run) -> dict[str, Any]:
    from bench.urdu import run_urdu

    return run_urdu(run.work)


def stage_r1(run: Run) -> dict[str, Any]:
    from bench.materials import render_pages
    from bench.ocr import run_r1

    assert run.deployment is not None
    documents = run.scanned()
    images = render_pages(documents, 300, run.work / "rendered-300dpi")
    return run_r1(run.deployment, run.api(), documents, images, run.sample(), run.work, variants=run.sizes.r1_variants)


def stage_cer(run: Run) -> dict[str, Any]:
    from bench.cer import run_cer

    return {"ocr_cer": run_cer(run.scanned(), run.sizes.cer_pages, run.sizes.cer_settings, run.work)}


def stage_r2(run: Run) -> dict[str, Any]:
    from bench.extract import run_r2
    from bench.materials import born_digital_documents

    documents = born_digital_documents(
        run.work / "born-digital", run.sizes.extract_documents, run.sizes.extract_pages_per_document
    )
    api, worker = (run.api(), run.worker()) if run.deployment else (None, None)
    return {"r2_extract": run_r2(documents, run.sizes.extract_repeats, api, worker, run.sample())}


def stage_r3(run: Run) -> dict[str, Any]:
    from bench.index import run_r3

    return {"r3_index": run_r3(run.sizes.index_documents, run.sizes.index_pages_per_document)}


def stage_search_and_scale(run: Run, want_r4: bool, want_scale: bool) -> None:
    from bench.scale import ingest_shapes, scale_entry
    from bench.search import SearchCorpus, measure, r4_entries

    assert run.deployment is not None
    sizes = run.sizes
    measured: dict[str, Any] = {}
    load_seconds: dict[str, float] = {}

    def ingest_stage() -> dict[str, Any]:
        measured["ingest"] = ingest_shapes(run.api(), run.worker(), sizes.ingest_shapes, run.work, run.sample())
        return {}

    def search_stage() -> dict[str, Any]:
        assert run.deployment is not None
        run.stop_worker()  # idle, but nothing else of the stack should run while searches are timed
        corpus = SearchCorpus(run.deployment, run.work, alias=f"{run.deployment.values['elasticsearch_index']}-search")
        if want_scale:
            _say(f"loading {sizes.search_small:,} pages into Elasticsearch and FTS5")
            load_seconds[str(sizes.search_small)] = round(corpus.grow(sizes.search_small), 1)
            measured["small"] = measure(
                corpus, sizes.search_clients, sizes.search_requests_per_client, sizes.search_one_client_requests, True
            )
        _say(f"loading up to {sizes.search_large:,} pages into Elasticsearch and FTS5")
        load_seconds[str(sizes.search_large)] = round(corpus.grow(sizes.search_large), 1)
        measured["large"] = measure(
            corpus, sizes.search_clients, sizes.search_requests_per_client, sizes.search_one_client_requests, True
        )
        return r4_entries(measured["large"]) if want_r4 else {}

    if want_scale:  # before the search corpus exists, so that Elasticsearch is not merging 100k pages meanwhile
        run.stage("scale-ingest", ingest_stage, ["scale"])
    run.stage("search", search_stage, STAGE_KEYS["r4"] if want_r4 else [])
    if want_scale and "ingest" in measured:
        run.results["scale"] = scale_entry(
            measured["ingest"], measured.get("small"), measured.get("large"), load_seconds
        )


def stage_proximity(run: Run) -> dict[str, Any]:
    from bench.proximity import run_proximity

    # Its own corpus in both engines, the search corpus's size (decision 0017).
    pages, rounds = run.sizes.search_large, 3 if run.sizes is FULL else 1
    return {"proximity_cost_ratio": run_proximity(pages, run.work / "proximity", rounds=rounds)}


def stage_r9(run: Run) -> dict[str, Any]:
    from bench.trimming import run_r9

    # Its own corpus (10 pages per case, with access keys) beside r4's, the same size: 100k pages, 10k cases.
    return run_r9(run.sizes.search_large, run.work, rounds=3 if run.sizes.search_large >= 10_000 else 1)


def stage_viewer(run: Run) -> dict[str, Any]:
    from bench.viewer import run_viewer

    # An embedded app in process, on its own folder: the page image path alone, not the stack's services.
    return run_viewer(run.work / "viewer", repeats=3 if run.sizes is SMOKE else 20)


def stage_web_search(run: Run) -> dict[str, Any]:
    from bench.web_search import run_web_search

    # In process on the embedded stack: the search page against the API search it wraps, on the same corpus size.
    return run_web_search(run.sizes.search_large, run.work / "web-search", rounds=3 if run.sizes is FULL else 1)


def stage_reports(run: Run) -> dict[str, Any]:
    from bench.reports import run_reports

    # Its own databases (SQLite, and one on the running PostgreSQL): 50k cases and 500k hearings, loaded by SQL.
    smoke = run.sizes is SMOKE
    return run_reports(run.work / "reports", 2_000 if smoke else 50_000, 20_000 if smoke else 500_000)


def stage_litigation(run: Run) -> dict[str, Any]:
    from bench.litigation import run_litigation

    # Its own databases (SQLite, and one on the running PostgreSQL): the cause list and the reminder run (issue 12).
    smoke = run.sizes is SMOKE
    return run_litigation(run.work / "litigation", 2_000 if smoke else 50_000, 20_000 if smoke else 500_000,
                          2_000 if smoke else 50_000)  # fmt: skip


def _meta(sizes: Sizes, smoke: bool, started: datetime, durations: dict[str, float]) -> dict[str, Any]:
    def output(*command: str) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "started_utc": started.isoformat(timespec="seconds"),
        "duration_s": round((datetime.now(UTC) - started).total_seconds(), 1),
        "stage_durations_s": durations,
        "mode": "smoke" if smoke else "full",
        "git_commit": output("git", "rev-parse", "HEAD"),
        "git_dirty": bool(output("git", "status", "--porcelain", "--untracked-files=no")),
        "cores": CORES,
        "memory_gb": round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024**2, 1),  # MemTotal, kB
        "load_average_at_end": list(_loadavg()),
        "python": platform.python_version(),
        "tesseract": output("tesseract", "--version").splitlines()[0] if shutil.which("tesseract") else None,
        "ocrmypdf": output("ocrmypdf", "--version") or None,
        "sizes": asdict(sizes),
    }


def _loadavg() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def summary_line(key: str, result: dict[str, Any]) -> str:
    """One line of the most telling numbers behind each value."""
    if "error" in result:
        return f"[red]{result['error'][:90]}"
    if "skipped" in result:
        return f"[yellow]{result['skipped']}"
    try:
        if key.startswith("citation_"):
            named = ("precision", "recall", "passages") if key == "citation_f1" else ("text_mb", "mb_per_wall_s")
            return ", ".join(f"{name} {result[name]}" for name in named)
        if key == "r1_ocr":
            casefile, tesseract = result["casefile"], result["tesseract"]
            return (
                f"Casefile {casefile['pages_per_s']} p/s ({casefile['worker_cpu_s_per_page']} CPU-s/p, CER "
                f"{casefile['cer_pct']}%) vs tesseract {tesseract['pages_per_s']} p/s "
                f"({tesseract['cpu_s_per_page']} CPU-s/p, CER {tesseract['cer_pct']}%); vs tesseract file lists "
                f"{result['ratio_to_tesseract_file_lists']}"
            )
        if key == "r1c_vs_ocrmypdf":
            return f"Casefile {result['casefile_pages_per_s']} p/s vs ocrmypdf {result['ocrmypdf']['pages_per_s']} p/s"
        if key == "r2_extract":
            e2e = result["born_digital_end_to_end"]
            tail = f"; end to end {e2e['pages_per_s']} p/s" if e2e else ""
            return (
                f"extract_pages {result['casefile_extract_pages']['pages_per_s']} p/s vs pypdfium2 "
                f"{result['raw_pypdfium2']['pages_per_s']} p/s{tail}"
            )
        if key == "r3_index":
            return (
                f"replace_document {result['casefile_replace_document']['page_docs_per_s']} docs/s vs bulk "
                f"{result['raw_bulk']['page_docs_per_s']} docs/s; per-document floor "
                f"{result['raw_bulk_per_document']['page_docs_per_s']}; reindex path "
                f"{result['casefile_rebuild']['page_docs_per_s']}"
            )
        if key.startswith("r4_"):
            latencies = result["latencies"]
            return (
                f"{result['pages']:,} pages; p50/p99 ms: API-ES {latencies['api_elasticsearch']['p50_ms']}/"
                f"{latencies['api_elasticsearch']['p99_ms']}, ES {latencies['elasticsearch_direct']['p50_ms']}/"
                f"{latencies['elasticsearch_direct']['p99_ms']}, API-FTS5 {latencies['api_embedded']['p50_ms']}/"
                f"{latencies['api_embedded']['p99_ms']}, FTS5 {latencies['sqlite_fts_direct']['p50_ms']}/"
                f"{latencies['sqlite_fts_direct']['p99_ms']}"
            )
        if key == "scale":
            costs = ", ".join(
                f"{shape.split('_')[0]}p/doc {cost}" for shape, cost in result["ingest_ms_per_page"].items()
            )
            return f"ingest ms/page: {costs}; search flat: {result['search']['per_page_cost_flat']}"
        if key == "r9_trimming":
            ratios = result["ratios"].items()
            worst = {engine: max(by_caller.items(), key=lambda item: item[1]) for engine, by_caller in ratios}
            shown = "; ".join(f"{engine} {ratio} ({caller})" for engine, (caller, ratio) in worst.items())
            return f"{result['pages']:,} pages, {result['cases']:,} cases; worst ratio {shown}"
        if key.startswith("viewer_"):
            pages = result["pages"]
            if key == "viewer_render_ms":
                shown = "; ".join(f"{kind} {page['api_render']['p50_ms']} ms vs pypdfium2 "
                                  f"{page['raw_pypdfium2_render']['p50_ms']} ({page['render_ratio_to_raw']}×)"
                                  for kind, page in pages.items())  # fmt: skip
            else:
                shown = "; ".join(f"{kind} {page['api_cached']['p50_ms']} ms vs file read "
                                  f"{page['raw_file_read']['p50_ms']}" for kind, page in pages.items())  # fmt: skip
            return f"{result['width_px']} px: {shown}"
        if key == "ocr_cer":
            return (
                f"Casefile CER {result['value']}% vs tesseract {result['baseline_cer_pct']}%; fastest within "
                f"+0.5: {result['fastest_setting_within_0_5_points']}"
            )
    except (KeyError, TypeError) as error:
        return f"(incomplete: {error})"
    return ""


def table(results: dict[str, Any]) -> Table:
    grid = Table(title="Casefile benchmark: each stage against its physical limit", show_lines=False)
    for column in ("key", "value", "target", "met", "details"):
        grid.add_column(column, overflow="fold")
    for key in TARGETS:
        result = results.get(key)
        if result is None:
            continue
        value = "—" if result["value"] is None else f"{result['value']:g}"
        met = "[green]yes" if result["met"] else "[red]no"
        grid.add_row(key, value, result["target"], met, summary_line(key, result))
    return grid


def parse_only(only: str | None) -> set[str]:
    if not only:
        return {"r1", "cer", "r2", "r3", "r4", "scale", "r9", "viewer", "web_search", "citations", "urdu", "reports",
                "litigation", "proximity"}  # fmt: skip
    stages = set()
    for name in (part.strip() for part in only.split(",") if part.strip()):
        if name not in STAGE_OF:
            raise typer.BadParameter(f"unknown stage {name!r}; choose from {', '.join(sorted(STAGE_OF))}")
        stages.add(STAGE_OF[name])
    return stages


@app.command()
def main(
    smoke: Annotated[
        bool, typer.Option(help="A tiny run (a handful of pages, no 100k corpus) that keeps the harness working")
    ] = False,
    output_dir: Annotated[Path, typer.Option(help="Where latest.json and the dated copy go")] = REPO / "bench/results",
    only: Annotated[str | None, typer.Option(help="Comma-separated keys or stages, e.g. r1_ocr,r2_extract")] = None,
    keep_work: Annotated[bool, typer.Option(help="Keep the working folder (documents, logs) for a look")] = False,
) -> None:
    """Run the benchmark."""
    started = datetime.now(UTC)
    sizes = SMOKE if smoke else FULL
    stages = parse_only(only)
    work = Path(tempfile.mkdtemp(prefix="casefile-bench-"))
    _say(f"working folder {work}; stages {', '.join(sorted(stages))}")
    needs_stack = bool(stages & {"r1", "r2", "r4", "scale"})
    try:
        if needs_stack:
            with production_stack(work / "stack") as deployment:
                run = Run(sizes, work, deployment)
                _run_stages(run, stages)
        else:
            run = Run(sizes, work, None)
            _run_stages(run, stages)
    finally:
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)
    results = {key: run.results[key] for key in TARGETS if key in run.results}
    document = {"meta": _meta(sizes, smoke, started, run.durations)} | results
    output_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, default=str)
    (output_dir / "latest.json").write_text(text)
    (output_dir / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json").write_text(text)
    Console(width=170).print(table(results))
    met = sum(1 for result in results.values() if result["met"])
    console.print(
        f"{met} of {len(results)} targets met; wrote {output_dir / 'latest.json'} in {document['meta']['duration_s']} s"
    )


def _run_stages(run: Run, stages: set[str]) -> None:
    # OCR first, while the machine is quiet; the 100k search corpus last, since Elasticsearch merges after it.
    if "r1" in stages:
        run.stage("r1", lambda: stage_r1(run), STAGE_KEYS["r1"])
    if "cer" in stages:
        run.stage("cer", lambda: stage_cer(run), STAGE_KEYS["cer"])
    if "citations" in stages:
        run.stage("citations", lambda: stage_citations(run), STAGE_KEYS["citations"])
    if "urdu" in stages:
        run.stage("urdu", lambda: stage_urdu(run), STAGE_KEYS["urdu"])
    if "r2" in stages:
        run.stage("r2", lambda: stage_r2(run), STAGE_KEYS["r2"])
    if "r3" in stages:
        run.stage("r3", lambda: stage_r3(run), STAGE_KEYS["r3"])
    if stages & {"r4", "scale"}:
        stage_search_and_scale(run, "r4" in stages, "scale" in stages)
    if "viewer" in stages:  # before r9: a quiet machine for its milliseconds
        run.stage("viewer", lambda: stage_viewer(run), STAGE_KEYS["viewer"])
    if "web_search" in stages:
        run.stage("web_search", lambda: stage_web_search(run), STAGE_KEYS["web_search"])
    if "reports" in stages:
        run.stage("reports", lambda: stage_reports(run), STAGE_KEYS["reports"])
    if "litigation" in stages:
        run.stage("litigation", lambda: stage_litigation(run), STAGE_KEYS["litigation"])
    if "proximity" in stages:
        run.stage("proximity", lambda: stage_proximity(run), STAGE_KEYS["proximity"])
    if "r9" in stages:  # last: it loads another 100k pages, and Elasticsearch merges after that
        run.stage("r9", lambda: stage_r9(run), STAGE_KEYS["r9"])


if __name__ == "__main__":
    sys.exit(app())
