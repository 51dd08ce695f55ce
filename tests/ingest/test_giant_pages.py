"""Giant PDF pages end at once: an image over the pixel limit is refused from its header, and a poster-sized page
is rendered at the resolution that fits the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import DocumentRejected
from ingest.extraction import extract_pages
from ingest.ocr import TesseractOcr
from ingest.parsers import ParseLimits, parser_for
from ingest.parsers.pdf import render_scale
from tests.ingest.scans import giant_mono_pdf, poster_pdf

LIMITS = ParseLimits(max_pages=50, max_image_pixels=150_000_000, dpi=300)


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "giant.pdf"
    path.write_bytes(content)
    return path


@pytest.mark.timeout(60)  # before the fix: 1.2 gigapixels decoded, then Tesseract until its 180 s limit
def test_a_page_holding_an_image_over_the_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    path = _write(tmp_path, giant_mono_pdf(35000))
    assert parser_for("application/pdf").inspect(path, LIMITS) == 1  # 150 KB: nothing to refuse at upload
    with pytest.raises(DocumentRejected, match="page 1 of the PDF holds a 35000×35000 pixel image, over the limit"):
        extract_pages(path, "application/pdf", "eng", LIMITS, TesseractOcr(), 1, 20)


@pytest.mark.timeout(120)
def test_a_poster_page_is_rendered_at_the_resolution_that_fits(tmp_path: Path) -> None:
    # 100 inches square: 900 megapixels at 300 dpi; a limit of 20 renders it at ~45 dpi.
    limits = ParseLimits(max_pages=50, max_image_pixels=20_000_000, dpi=300)
    path = _write(tmp_path, poster_pdf("NOTICE OF HEARING", inches=100))
    sizes = []
    for page in parser_for("application/pdf").pages(path, limits):
        assert page.render is not None
        image = page.render()  # at once, while the parser holds the page open
        sizes.append(image.width * image.height)
    [pixels] = sizes
    assert 0.98 * limits.max_image_pixels <= pixels <= limits.max_image_pixels
    [extracted] = extract_pages(path, "application/pdf", "eng", limits, TesseractOcr(), 1, 20)
    assert "NOTICE OF HEARING" in extracted.text


@pytest.mark.parametrize(("points", "dpi"), [((595, 842), 300), ((8400, 8400), 300), ((14400, 200), 600)])
def test_render_scale_keeps_the_bitmap_within_the_limit(points: tuple[float, float], dpi: int) -> None:
    limits = ParseLimits(max_pages=1, max_image_pixels=150_000_000, dpi=dpi)
    scale = render_scale(*points, limits)
    width, height = (round(side * scale + 0.5) for side in points)  # rounded up, as a renderer may
    assert width * height <= limits.max_image_pixels
    assert scale == dpi / 72 or width * height > 0.99 * limits.max_image_pixels
