"""r2: born-digital text extraction, Casefile's extract_pages against a bare pypdfium2 get_text_range() loop."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from bench.common import CORES, clock, entry, rounded
from bench.ingest import ingest, warm_up
from bench.materials import BornDigitalDocument
from bench.stack import ApiServer, Process
from core.config import Settings
from ingest.extraction import extract_pages
from ingest.ocr import TesseractOcr
from ingest.service import parse_limits


def casefile_pass(paths: list[Path]) -> int:
    settings = Settings(ocr_workers=CORES)
    limits, ocr = parse_limits(settings), TesseractOcr()
    pages = 0
    for path in paths:
        pages += len(extract_pages(path, "application/pdf", "eng", limits, ocr, CORES, settings.text_layer_min_chars))
    return pages


def raw_pass(paths: list[Path]) -> int:
    """The physical limit in-process: open, get each page's text range, close; nothing else."""
    pages = 0
    for path in paths:
        document = pdfium.PdfDocument(path)
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            text_page.get_text_range()
            text_page.close()
            page.close()
            pages += 1
        document.close()
    return pages


def _timed(function: Any, paths: list[Path]) -> float:
    with clock() as timing:
        pages: int = function(paths)
    return pages / timing.wall


def _rates(rates: list[float], pages: int) -> dict[str, Any]:
    """Best pass (the least disturbed by other work on the machine), with the median beside it."""
    return {
        "pages": pages,
        "pages_per_s": rounded(max(rates), 1),
        "median_pages_per_s": rounded(statistics.median(rates), 1),
        "passes": len(rates),
    }


def run_r2(
    documents: list[BornDigitalDocument],
    repeats: int,
    api: ApiServer | None,
    worker: Process | None,
    sample: Path | None,
) -> dict[str, Any]:
    paths = [document.path for document in documents]
    raw_pass(paths), casefile_pass(paths)  # warm the page cache and pdfium's fonts for both
    raw: list[float] = []
    casefile: list[float] = []
    for _ in range(repeats):  # alternate, so a burst of outside load hits both sides alike
        raw.append(_timed(raw_pass, paths))
        casefile.append(_timed(casefile_pass, paths))
    pages = sum(len(document.pages) for document in documents)
    end_to_end: dict[str, Any] = {}
    if api is not None and worker is not None and sample is not None:
        warm_up(api, worker, sample)
        end_to_end = ingest(api, worker, paths, pages, "r2 born-digital").summary()
        end_to_end["stack"] = "production (PostgreSQL, Elasticsearch, MinIO, Celery worker --concurrency=1)"
    return entry(
        max(casefile) / max(raw),
        ">= 0.8",
        casefile_extract_pages=_rates(casefile, pages),
        raw_pypdfium2=_rates(raw, pages),
        born_digital_end_to_end=end_to_end,
        note="in-process pages/s, best of the passes; end to end is upload to `indexed` on the stack",
    )
