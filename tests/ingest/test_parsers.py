"""Parsers and OCR on real sample files, with real Tesseract."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import DocumentRejected, PayloadTooLarge, UnsupportedMediaType
from core.models import PageSource
from ingest.extraction import MAX_PAGES_PER_OCR_RUN, extract_pages, pages_per_ocr_run
from ingest.ocr import TesseractOcr
from ingest.parsers import ParseLimits, parser_for
from tests.samples import LEGAL_PAGES, born_digital_pdf, encrypted_pdf, png_bomb, scanned_tiff, truncated_pdf

LIMITS = ParseLimits(max_pages=50, max_image_pixels=150_000_000, dpi=300)


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "file"
    path.write_bytes(content)
    return path


def test_registry_picks_by_content_type() -> None:
    assert parser_for("application/pdf").name == "pdf"
    assert parser_for("image/tiff").name == "image"
    assert parser_for("text/plain").name == "text"
    with pytest.raises(UnsupportedMediaType):
        parser_for("application/zip")


def test_pdf_text_layer_needs_no_ocr(tmp_path: Path) -> None:
    pages = extract_pages(_write(tmp_path, born_digital_pdf()), "application/pdf", "eng", LIMITS, TesseractOcr(), 2, 20)
    assert [page.source for page in pages] == [PageSource.text_layer] * 3
    assert pages[1].text.splitlines()[0] == LEGAL_PAGES[1].splitlines()[0]


# 1 worker: the three pages go through one Tesseract run; 3 workers: one run per page.
@pytest.mark.parametrize("ocr_workers", [1, 3])
def test_multi_page_tiff_is_ocrd_page_by_page(tmp_path: Path, ocr_workers: int) -> None:
    path = _write(tmp_path, scanned_tiff())
    pages = extract_pages(path, "image/tiff", "eng", LIMITS, TesseractOcr(), ocr_workers, 20)
    assert [page.number for page in pages] == [1, 2, 3]
    assert all(page.source == PageSource.ocr and page.ocr_confidence and page.ocr_confidence > 70 for page in pages)
    assert "natural justice" in pages[0].text and "alternate remedy" in pages[1].text and "sixty days" in pages[2].text
    assert "natural justice" not in pages[1].text + pages[2].text


def test_ocr_runs_split_a_document_evenly_over_the_workers() -> None:
    assert pages_per_ocr_run(page_count=4, ocr_workers=2) == 2
    assert pages_per_ocr_run(page_count=3, ocr_workers=2) == 2
    assert pages_per_ocr_run(page_count=1, ocr_workers=4) == 1
    assert pages_per_ocr_run(page_count=400, ocr_workers=2) == MAX_PAGES_PER_OCR_RUN


@pytest.mark.parametrize(
    ("content", "content_type", "error", "words"),
    [
        (encrypted_pdf(), "application/pdf", DocumentRejected, "encrypted"),
        (truncated_pdf(), "application/pdf", DocumentRejected, "damaged"),
        (png_bomb(), "image/png", DocumentRejected, "decompression bomb"),
        (born_digital_pdf(["1", "2", "3"]), "application/pdf", None, None),
    ],
)
def test_inspect_rejects_unusable_files(tmp_path: Path, content: bytes, content_type: str, error, words) -> None:
    path = _write(tmp_path, content)
    if error is None:
        assert parser_for(content_type).inspect(path, LIMITS) == 3
        with pytest.raises(PayloadTooLarge):
            parser_for(content_type).inspect(path, ParseLimits(2, LIMITS.max_image_pixels, 300))
        return
    with pytest.raises(error, match=words):
        parser_for(content_type).inspect(path, LIMITS)


def test_tesseract_languages_include_urdu() -> None:
    assert {"eng", "urd"} <= TesseractOcr().available_languages()
