"""Extract every page's text: the text layer where it is usable, OCR in parallel where it is not."""

from __future__ import annotations

import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from core.models import PageSource
from ingest.ocr import OcrEngine, OcrResult
from ingest.parsers import ParseLimits, parser_for
from ingest.text import normalise_page_text, visible_characters
from search.boxes import WordBox

# Pages per Tesseract run. More pages share one model load; fewer keep memory down (~9 MB per A4 page at
# 300 dpi) and spread a short document over every OCR worker.
MAX_PAGES_PER_OCR_RUN = 4


@dataclass(frozen=True)
class ExtractedPage:
    number: int
    text: str
    source: PageSource
    ocr_confidence: float | None = None
    # Clockwise turns of the page image, as CSS rotate() and PDF /Rotate count them (decision 0008): the quarter
    # turn that shows the page upright, and the small one that straightened its text before OCR.
    rotation: int = 0
    skew_degrees: float = 0.0
    # Where each word is on the page shown upright (decision 0014); None for plain text, which has no page image.
    words: tuple[WordBox, ...] | None = None


def pages_per_ocr_run(page_count: int, ocr_workers: int) -> int:
    """Split a document's pages evenly over the workers, at most MAX_PAGES_PER_OCR_RUN per run."""
    return max(1, min(MAX_PAGES_PER_OCR_RUN, math.ceil(page_count / ocr_workers)))


def extract_pages(
    path: Path,
    content_type: str,
    languages: str,
    limits: ParseLimits,
    ocr: OcrEngine,
    ocr_workers: int,
    text_layer_min_chars: int,
) -> list[ExtractedPage]:
    parser = parser_for(content_type)
    run_size = 0  # counted at the first page to OCR: born-digital files never pay for it
    pages: dict[int, ExtractedPage] = {}
    next_run: list[tuple[int, Image.Image]] = []
    in_flight: deque[tuple[list[int], Future[list[OcrResult]]]] = deque()

    def collect_oldest() -> None:
        numbers, future = in_flight.popleft()
        for number, result in zip(numbers, future.result(), strict=True):
            text = normalise_page_text(result.text)
            pages[number] = ExtractedPage(
                number, text, PageSource.ocr, result.confidence, result.rotation, result.skew_degrees, result.words
            )

    def submit_run() -> None:
        # A run per worker and the next one rendered, waiting here: memory stays at 4 × (workers + 1) pages.
        while len(in_flight) >= ocr_workers:
            collect_oldest()
        numbers, images = [number for number, _ in next_run], [image for _, image in next_run]
        in_flight.append((numbers, pool.submit(ocr.recognise, images, languages)))
        next_run.clear()

    with ThreadPoolExecutor(max_workers=ocr_workers, thread_name_prefix="ocr") as pool:
        try:
            for page in parser.pages(path, limits):
                text = normalise_page_text(page.text or "")
                if page.render is None or visible_characters(text, text_layer_min_chars) >= text_layer_min_chars:
                    words = tuple(page.words()) if page.words is not None else None
                    pages[page.number] = ExtractedPage(page.number, text, PageSource.text_layer, words=words)
                    continue
                run_size = run_size or pages_per_ocr_run(parser.inspect(path, limits), ocr_workers)
                next_run.append((page.number, page.render()))
                if len(next_run) >= run_size:
                    submit_run()
            if next_run:
                submit_run()
            while in_flight:
                collect_oldest()
        finally:
            for _, future in in_flight:
                future.cancel()
    return [pages[number] for number in sorted(pages)]
