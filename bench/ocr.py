"""r1: scanned pages through Casefile on the production stack against raw Tesseract and against ocrmypdf."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from bench.common import CORES, Clock, clock, entry, rounded
from bench.ingest import ingest, warm_up
from bench.materials import ScannedDocument
from bench.stack import ApiServer, Deployment

# Tesseract's own OpenMP threads off: one process per core is the fastest layout for many pages.
TESSERACT_ENV = os.environ | {"OMP_THREAD_LIMIT": "1"}


def cer(text: str, truth: str) -> float:
    """Character error rate in percent, after folding whitespace (line breaks are layout, not characters)."""
    ocr, reference = " ".join(text.split()), " ".join(truth.split())
    return 100 * Levenshtein.distance(ocr, reference) / max(1, len(reference))


def mean_cer(texts: Sequence[str], truths: Sequence[str]) -> float:
    return rounded(sum(cer(text, truth) for text, truth in zip(texts, truths, strict=True)) / len(truths), 3)


@dataclass
class TesseractRun:
    texts: list[str]
    timing: Clock

    def summary(self, pages: int) -> dict[str, Any]:
        return {
            "pages": pages,
            "wall_s": rounded(self.timing.wall),
            "pages_per_s": rounded(pages / self.timing.wall),
            "cpu_s_per_page": rounded(self.timing.children_cpu / pages),
            "machine_cpu_s_per_page": rounded(self.timing.machine_cpu / pages),
        }


def raw_tesseract(images: list[Path], arguments: Sequence[str] = (), processes: int = CORES) -> TesseractRun:
    """The `tesseract` CLI, one process per core pulling pages from a queue, text to stdout."""

    def one(image: Path) -> str:
        command = ["tesseract", str(image), "stdout", "-l", "eng", *arguments]
        return subprocess.run(command, env=TESSERACT_ENV, capture_output=True, check=True).stdout.decode()

    with clock() as timing, ThreadPoolExecutor(max_workers=processes) as pool:
        texts = list(pool.map(one, images))
    return TesseractRun(texts, timing)


def raw_tesseract_file_lists(images: list[Path], work: Path, processes: int = CORES) -> TesseractRun:
    """The `tesseract` CLI once per core, each given a list file of its share of the pages: the models load once
    per process, as Casefile's batched runs load them once per run of pages."""
    work.mkdir(parents=True, exist_ok=True)
    processes = min(processes, len(images))  # an empty list makes tesseract fail
    shares = [images[index::processes] for index in range(processes)]

    def one(index: int) -> str:
        file_list = work / f"pages-{index}.txt"
        file_list.write_text("".join(f"{image}\n" for image in shares[index]))
        command = ["tesseract", str(file_list), "stdout", "-l", "eng"]
        return subprocess.run(command, env=TESSERACT_ENV, capture_output=True, check=True).stdout.decode()

    with clock() as timing, ThreadPoolExecutor(max_workers=processes) as pool:
        outputs = list(pool.map(one, range(processes)))
    # Tesseract ends each page's text with a form feed; put the pages back in their original order.
    per_share = [output.split("\f")[: len(share)] for output, share in zip(outputs, shares, strict=True)]
    texts = [per_share[index % processes][index // processes] for index in range(len(images))]
    return TesseractRun(texts, timing)


def ocrmypdf(documents: list[ScannedDocument], out: Path) -> Clock:
    out.mkdir(parents=True, exist_ok=True)
    with clock() as timing:
        for document in documents:
            command = [
                "ocrmypdf",
                "-j2",
                "--output-type",
                "pdf",
                "--optimize",
                "0",
                "--quiet",
                str(document.path),
                str(out / document.path.name),
            ]
            subprocess.run(command, env=TESSERACT_ENV, check=True, capture_output=True)
    return timing


def casefile_ocr(
    api: ApiServer,
    deployment: Deployment,
    documents: list[ScannedDocument],
    concurrency: int,
    ocr_workers: int,
    sample: Path,
) -> tuple[dict[str, Any], list[str]]:
    """Upload the scanned PDFs and wait for `indexed`, with a fresh worker of the given layout."""
    worker = deployment.start_worker(concurrency=concurrency, ocr_workers=ocr_workers)
    try:
        warm_up(api, worker, sample)
        pages = sum(len(document.truths) for document in documents)
        run = ingest(api, worker, [document.path for document in documents], pages, f"r1 {concurrency}x{ocr_workers}")
        client = api.client()
        texts = [text for document_id in run.document_ids for text in client.page_texts(document_id)]
        client.http.close()
    finally:
        worker.stop()
        deployment.processes.remove(worker)
    layout = f"celery --concurrency={concurrency} × CASEFILE_OCR_WORKERS={ocr_workers}"
    return run.summary() | {"worker_layout": layout}, texts


def run_r1(
    deployment: Deployment,
    api: ApiServer,
    documents: list[ScannedDocument],
    images: list[Path],
    sample: Path,
    work: Path,
    variants: bool,
) -> dict[str, dict[str, Any]]:
    truths = [truth for document in documents for truth in document.truths]
    pages = len(truths)
    # The throughput layout docker-compose.yml, scripts/stack.sh and the README use: a document per core.
    casefile, casefile_texts = casefile_ocr(api, deployment, documents, CORES, 1, sample)
    casefile["cer_pct"] = mean_cer(casefile_texts, truths)
    raw = raw_tesseract(images)
    baseline = raw.summary(pages) | {
        "cer_pct": mean_cer(raw.texts, truths),
        "command": "tesseract PAGE.pgm stdout -l eng, OMP_THREAD_LIMIT=1, 2 at a time",
    }
    batched = raw_tesseract_file_lists(images, work / "tesseract-lists")
    batched_baseline = batched.summary(pages) | {
        "cer_pct": mean_cer(batched.texts, truths),
        "command": "tesseract LIST.txt stdout -l eng, OMP_THREAD_LIMIT=1, one process per core, half the pages each",
    }
    layouts: dict[str, Any] = {}
    if variants:
        # Other ways to spend the cores: one document at a time over every core (lowest latency for one large
        # document), and both at once (oversubscribed).
        for concurrency, ocr_workers in ((1, CORES), (CORES, CORES)):
            summary, _ = casefile_ocr(api, deployment, documents, concurrency, ocr_workers, sample)
            summary["ratio_to_tesseract"] = rounded(summary["pages_per_s"] / baseline["pages_per_s"])
            layouts[f"{concurrency}x{ocr_workers}"] = summary
    r1 = entry(
        casefile["pages_per_s"] / baseline["pages_per_s"],
        ">= 0.95",
        casefile=casefile,
        tesseract=baseline,
        ratio_to_tesseract_file_lists=rounded(casefile["pages_per_s"] / batched_baseline["pages_per_s"]),
        tesseract_file_lists=batched_baseline,
        other_worker_layouts=layouts,
        note="pages/s from first upload to last `indexed`, over raw tesseract pages/s on the same pages at 300 dpi",
    )
    if shutil.which("ocrmypdf") is None:
        r1c = entry(None, ">= 1.25", skipped="ocrmypdf is not installed: run bash bench/install-peers.sh")
    else:
        timing = ocrmypdf(documents, work / "ocrmypdf-out")
        reference = {
            "pages": pages,
            "wall_s": rounded(timing.wall),
            "pages_per_s": rounded(pages / timing.wall),
            "cpu_s_per_page": rounded(timing.children_cpu / pages),
            "command": "ocrmypdf -j2 --output-type pdf --optimize 0 IN OUT, file after file",
        }
        r1c = entry(
            casefile["pages_per_s"] / reference["pages_per_s"],
            ">= 1.25",
            casefile_pages_per_s=casefile["pages_per_s"],
            ocrmypdf=reference,
        )
    return {"r1_ocr": r1, "r1c_vs_ocrmypdf": r1c}


def orientation_cost(pages: int = 8, seed: int = 2026) -> dict[str, Any]:
    """CPU-s per page of Casefile's OCR engine with and without its orientation and skew checks (decision 0008):
    r1's upright corpus pages, then the same pages turned or tilted. One thread, runs of four pages as
    extract_pages makes them, CPU of this process and its Tesseract children (unlike wall time, hardly moved
    by other load on the machine)."""
    from PIL import Image

    from bench.corpus import make_corpus, scan_images
    from ingest.ocr import TesseractOcr
    from ingest.orientation import estimate_skew

    paper_pages = [page for paper in make_corpus(pages // 4, 4, scanned_every=1, seed=seed) for page in paper.pages]
    upright = scan_images(paper_pages, 300, seed)

    def cpu_per_page(images: list[Image.Image], correct: bool) -> tuple[float, list[Any]]:
        engine = TesseractOcr(correct_orientation=correct)
        results: list[Any] = []
        with clock() as timing:
            for start in range(0, len(images), 4):
                results.extend(engine.recognise(images[start : start + 4], "eng"))
        return (timing.own_cpu + timing.children_cpu) / len(images), results

    def tilted(image: Image.Image, degrees: float) -> Image.Image:
        return image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=235)

    variants = {
        "upright": upright,
        "turned 90 cw (read by Tesseract as is)": [image.rotate(-90, expand=True) for image in upright],
        "turned 90 ccw": [image.rotate(90, expand=True) for image in upright],
        "upside down": [image.rotate(180) for image in upright],
        "tilted 5 deg": [tilted(image, 5) for image in upright],
    }
    with clock() as timing:
        for image in upright:
            estimate_skew(image)
    report: dict[str, Any] = {"pages": len(upright), "estimate_skew_ms": rounded(1000 * timing.own_cpu / len(upright))}
    for name, images in variants.items():
        without, plain = cpu_per_page(images, correct=False)
        with_check, checked = cpu_per_page(images, correct=True)
        truths = paper_pages
        report[name] = {
            "cpu_s_per_page_without": rounded(without),
            "cpu_s_per_page_with": rounded(with_check),
            "cost_pct": rounded(100 * (with_check - without) / without, 1),
            "cer_pct_without": mean_cer([result.text for result in plain], truths),
            "cer_pct_with": mean_cer([result.text for result in checked], truths),
            "rotations": sorted({result.rotation for result in checked}),
            "skews": sorted({result.skew_degrees for result in checked}),
        }
    return report


if __name__ == "__main__":  # python -m bench.ocr: the orientation check's cost, as decision 0008 reports it
    import json
    import sys

    print(json.dumps(orientation_cost(int(sys.argv[1]) if len(sys.argv) > 1 else 8), indent=2))
