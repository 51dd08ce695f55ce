"""Extract every page's text: the text layer where it is usable, OCR in parallel where it is not."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from core.models import PageSource
from ingest.ocr import OcrEngine, OcrResult
from ingest.parsers import ParseLimits, parser_for
from ingest.text import normalise_page_text, visible_characters


@dataclass(frozen=True)
class ExtractedPage:
    number: int
    text: str
    source: PageSource
    ocr_confidence: float | None = None


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
    pages: dict[int, ExtractedPage] = {}
    in_flight: deque[tuple[int, Future[OcrResult]]] = deque()

    def collect_oldest() -> None:
        number, future = in_flight.popleft()
        result = future.result()
        pages[number] = ExtractedPage(number, normalise_page_text(result.text), PageSource.ocr, result.confidence)

    with ThreadPoolExecutor(max_workers=ocr_workers, thread_name_prefix="ocr") as pool:
        try:
            for page in parser.pages(path, limits):
                text = normalise_page_text(page.text or "")
                if page.render is None or visible_characters(text, text_layer_min_chars) >= text_layer_min_chars:
                    pages[page.number] = ExtractedPage(page.number, text, PageSource.text_layer)
                    continue
                # Rendered pages are large (~9 MB at 300 dpi): keep only a couple per worker in memory.
                while len(in_flight) >= 2 * ocr_workers:
                    collect_oldest()
                in_flight.append((page.number, pool.submit(ocr.recognise, page.render(), languages)))
            while in_flight:
                collect_oldest()
        finally:
            for _, future in in_flight:
                future.cancel()
    return [pages[number] for number in sorted(pages)]
