"""Sideways, upside-down and askew scans are OCR'd upright: the pure checks on drawn shapes, then real Tesseract on
scans the tests make, through extract_pages as a document goes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from core.models import PageSource
from ingest.extraction import ExtractedPage, extract_pages
from ingest.ocr import TesseractOcr
from ingest.orientation import estimate_skew, straighten, turn, upright_rotation
from ingest.parsers import ParseLimits
from tests.ingest.scans import PAPER, PHRASES, encode, turned_scan
from tests.samples import urdu_scan_png

LIMITS = ParseLimits(max_pages=50, max_image_pixels=150_000_000, dpi=300)


def _lines_page(skew_degrees: float = 0.0, rotation: int = 0) -> Image.Image:
    """Dark bars where lines of text would be, turned like turned_scan's pages."""
    page = Image.new("L", (2480, 3508), PAPER)
    draw = ImageDraw.Draw(page)
    for top in range(300, 3200, 90):
        draw.rectangle((240, top, 2240, top + 30), fill=30)
    return page.rotate(skew_degrees, expand=True, fillcolor=PAPER).rotate(rotation, expand=True)


@pytest.mark.parametrize(("skew", "rotation"), [(5.0, 0), (-5.0, 0), (3.0, 0), (-7.0, 0), (5.0, 90), (-4.0, 270)])
def test_skew_is_measured_either_way_and_on_sideways_pages(skew: float, rotation: int) -> None:
    assert estimate_skew(_lines_page(skew, rotation)) == pytest.approx(skew, abs=0.3)


def test_small_skews_blank_pages_and_noise_are_left_alone() -> None:
    assert estimate_skew(_lines_page(1.0)) == 0.0
    assert estimate_skew(Image.new("L", (2480, 3508), PAPER)) == 0.0
    assert estimate_skew(Image.effect_noise((1200, 1700), 80)) == 0.0


def test_straightening_turns_clockwise_and_keeps_the_corners_on_paper() -> None:
    page = _lines_page(5.0)
    straight = straighten(page, estimate_skew(page))
    assert estimate_skew(straight) == 0.0
    assert straight.width > page.width and straight.height > page.height
    assert straight.getpixel((0, 0)) == PAPER  # the grown corners are paper, not black edges for Tesseract


def test_quarter_turns_are_clockwise() -> None:
    page = Image.new("L", (40, 20), 255)
    page.putpixel((0, 0), 0)  # top left
    assert turn(page, 90).size == (20, 40) and turn(page, 90).getpixel((19, 0)) == 0  # now top right
    assert turn(page, 180).getpixel((39, 19)) == 0
    assert turn(page, 270).getpixel((0, 39)) == 0
    assert turn(page, 0) is page


def test_only_a_poor_first_reading_is_read_again() -> None:
    assert upright_rotation(95.0, sideways=False) == (0, False)
    assert upright_rotation(95.0, sideways=True) == (270, False)  # Tesseract read lines running down the page
    assert upright_rotation(40.0, sideways=True) == (90, True)
    assert upright_rotation(40.0, sideways=False) == (180, True)
    assert upright_rotation(None, sideways=False) == (0, False)


def _extract(tmp_path: Path, content: bytes, content_type: str, languages: str = "eng") -> list[ExtractedPage]:
    path = tmp_path / "scan"
    path.write_bytes(content)
    return extract_pages(path, content_type, languages, LIMITS, TesseractOcr(), 1, 20)


def _assert_upright(page: ExtractedPage, rotation: int, skew: float) -> None:
    text = " ".join(page.text.split())
    assert [phrase for phrase in PHRASES if phrase not in text] == [], text[:300]
    assert page.source == PageSource.ocr and page.ocr_confidence and page.ocr_confidence > 85
    assert page.rotation == rotation
    assert page.skew_degrees == pytest.approx(skew, abs=0.5)


# One TIFF of four pages (one Tesseract run, and one more for the two read again), a two-page scanned PDF
# (decoded as stored) and a PNG: every quarter turn, and 5° either way, alone and with a turn.
@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("image_format", "content_type", "pages"),
    [
        ("TIFF", "image/tiff", [(90, 0.0), (180, 0.0), (270, 0.0), (0, 5.0)]),
        ("PDF", "application/pdf", [(0, -5.0), (180, 5.0)]),
        ("PNG", "image/png", [(90, -5.0)]),
    ],
)
def test_turned_and_askew_scans_are_read_upright(
    tmp_path: Path, image_format: str, content_type: str, pages: list[tuple[int, float]]
) -> None:
    scans = [turned_scan(rotation, skew, seed=index) for index, (rotation, skew) in enumerate(pages)]
    extracted = _extract(tmp_path, encode(scans, image_format), content_type)
    assert [page.number for page in extracted] == list(range(1, len(pages) + 1))
    for page, (rotation, skew) in zip(extracted, pages, strict=True):
        _assert_upright(page, rotation, skew)


def test_an_upright_page_is_not_turned(tmp_path: Path) -> None:
    [page] = _extract(tmp_path, encode([turned_scan(0)], "PNG"), "image/png")
    _assert_upright(page, 0, 0.0)


@pytest.mark.parametrize(("rotation", "languages", "expected"), [(0, "urd", 0), (180, "urd", 180), (0, "eng", 0)])
def test_urdu_is_turned_only_when_upside_down(tmp_path: Path, rotation: int, languages: str, expected: int) -> None:
    # Read as English, the upright Urdu page has a poor confidence either way up: it must stay as it is.
    scan = Image.open(io.BytesIO(urdu_scan_png())).rotate(rotation, expand=True)
    [page] = _extract(tmp_path, encode([scan], "PNG"), "image/png", languages)
    assert page.rotation == expected
    if languages == "urd":
        assert "درخواست ضمانت منظور" in page.text


def test_a_photo_turned_by_its_exif_orientation_is_read_as_shown(tmp_path: Path) -> None:
    # Pixels stored a quarter turn counter-clockwise, with EXIF orientation 6 ("turn 90° clockwise to show").
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    turned_scan(90).save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
    [page] = _extract(tmp_path, buffer.getvalue(), "image/jpeg")
    _assert_upright(page, 0, 0.0)  # upright as shown: no turn of our own, and no second reading
