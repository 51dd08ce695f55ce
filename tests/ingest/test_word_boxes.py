"""Word boxes at ingest (decision 0014): from pdfium's text layer and from Tesseract, in the frame of the page image
the viewer is shown (ingest/page_images.py), checked against where the words were drawn and against the render."""

from __future__ import annotations

import io
from pathlib import Path

import pytesseract
import pytest
from PIL import Image, ImageDraw, ImageFont

from core.models import PageSource
from ingest.extraction import ExtractedPage, extract_pages
from ingest.ocr import TesseractOcr
from ingest.page_images import render_page
from ingest.parsers import ParseLimits
from search.boxes import WordBox, decode_boxes, encode_boxes
from tests.ingest.scans import PAPER, turned_scan, upright_scan
from tests.samples import LATIN_FONT

LIMITS = ParseLimits(max_pages=100, max_image_pixels=200_000_000, dpi=300)
A4 = (595.2756, 841.8898)


def _extract(path: Path, content_type: str) -> list[ExtractedPage]:
    return extract_pages(path, content_type, "eng", LIMITS, TesseractOcr(), 1, 20)


def _box(page: ExtractedPage, word: str) -> WordBox:
    assert page.words is not None
    found = [box for box in page.words if box.text.strip(".,") == word]
    assert found, [box.text for box in page.words]
    return found[0]


def _ink_inside(image: Image.Image, box: WordBox) -> tuple[int, int]:
    """The darkest grey inside the box on the image, and on a strip of the same size just above the line."""
    grey = image.convert("L")
    left, top = round(box.x * grey.width), round(box.y * grey.height)
    right, bottom = round((box.x + box.w) * grey.width), round((box.y + box.h) * grey.height)
    inside, _ = grey.crop((left, top, right, bottom)).getextrema()
    assert isinstance(inside, int)
    return inside, bottom - top


def _reportlab_pdf(rotate: int = 0) -> bytes:
    """An A4 page with two lines at known places; with `rotate`, the same page given a /Rotate (set by pdfium, since
    reportlab's setPageRotation also swaps the media box)."""
    import pypdfium2 as pdfium
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setFont("Helvetica", 14)
    pdf.drawString(100, 700, "The petition of Hyderabad is allowed.")
    pdf.drawString(300, 200, "Second paragraph ends here.")
    pdf.showPage()
    pdf.save()
    if not rotate:
        return buffer.getvalue()
    document = pdfium.PdfDocument(buffer.getvalue())
    page = document[0]
    page.set_rotation(rotate)
    rotated = io.BytesIO()
    document.save(rotated)
    page.close()
    document.close()
    return rotated.getvalue()


def test_text_layer_boxes_land_where_reportlab_drew_the_words(tmp_path: Path) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    path = tmp_path / "drawn.pdf"
    path.write_bytes(_reportlab_pdf())
    (page,) = _extract(path, "application/pdf")
    assert page.source is PageSource.text_layer
    assert [box.text for box in page.words or ()][:3] == ["The", "petition", "of"]
    box = _box(page, "Hyderabad")
    left = 100 + stringWidth("The petition of ", "Helvetica", 14)
    width = stringWidth("Hyderabad", "Helvetica", 14)
    # The loose box is the font's height around the baseline: Helvetica's bounding box, -0.225 em to 0.93 em.
    top, bottom = 700 + 0.93 * 14, 700 - 0.225 * 14
    assert box.x == pytest.approx(left / A4[0], abs=0.003)
    assert box.w == pytest.approx(width / A4[0], abs=0.003)
    assert box.y == pytest.approx((A4[1] - top) / A4[1], abs=0.003)
    assert box.h == pytest.approx((top - bottom) / A4[1], abs=0.003)
    second = _box(page, "Second")
    assert second.x == pytest.approx(300 / A4[0], abs=0.003)
    assert decode_boxes(encode_boxes(page.words or ()))[5].text == "allowed."


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_text_layer_boxes_follow_the_pages_own_rotate(tmp_path: Path, rotate: int) -> None:
    """A page with /Rotate is shown turned (pdfium renders it so): the boxes turn with it and stay on the ink."""
    path = tmp_path / "rotated.pdf"
    path.write_bytes(_reportlab_pdf(rotate))
    (page,) = _extract(path, "application/pdf")
    image = render_page(path, "application/pdf", 1, page.rotation, page.skew_degrees, 800, LIMITS)
    assert (image.width < image.height) is (rotate == 180)
    for word in ("Hyderabad", "paragraph"):
        box = _box(page, word)
        assert (box.w > box.h) is (rotate == 180), box  # words run down a page turned a quarter
        darkest, _ = _ink_inside(image, box)
        assert darkest < 120, (word, box)


def _drawn_scan() -> tuple[Image.Image, tuple[float, float, float, float]]:
    """An A4 scan at 300 dpi with one known word, and that word's ink box as fractions of the page."""
    page = upright_scan()
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(LATIN_FONT), size=48)
    x, y = 300, 2600
    draw.text((x, y), "Judgment reserved in Rawalpindi", font=font, fill=30)
    start = x + draw.textlength("Judgment reserved in ", font=font)
    left, top, right, bottom = draw.textbbox((start, y), "Rawalpindi", font=font)
    width, height = page.size
    return page, (left / width, top / height, right / width, bottom / height)


def test_an_ocr_word_box_is_where_the_word_was_drawn() -> None:
    page, (left, top, right, bottom) = _drawn_scan()
    (result,) = TesseractOcr().recognise([page], "eng")
    (box,) = [box for box in result.words if box.text.strip(".,") == "Rawalpindi"]  # a speck may read as a stop
    tolerance = 12 / page.width  # a millimetre at 300 dpi: Tesseract's box is the ink's, specks included
    assert box.x == pytest.approx(left, abs=tolerance)
    assert box.y == pytest.approx(top, abs=tolerance)
    assert box.x + box.w == pytest.approx(right, abs=tolerance)
    assert box.y + box.h == pytest.approx(bottom, abs=tolerance)
    assert len(result.words) > 100  # every word of the page has its box


def _read(image: Image.Image) -> str:
    return " ".join(pytesseract.image_to_string(image, lang="eng", config="--psm 7").split())


@pytest.mark.parametrize(("rotation", "skew"), [(90, 0.0), (180, 0.0), (270, 0.0), (0, 5.0)])
def test_boxes_of_a_turned_or_tilted_scan_line_up_with_the_rendered_image(
    tmp_path: Path, rotation: int, skew: float
) -> None:
    """Decision 0008's pages (a quarter turn either way, upside down, tilted 5°) as PNG: the image the viewer gets
    shows, inside the box of a word, that word (read again by Tesseract from the crop)."""
    path = tmp_path / "scan.png"
    turned_scan(rotation, skew).save(path, format="PNG", dpi=(300, 300))
    (page,) = _extract(path, "image/png")
    assert page.source is PageSource.ocr and page.rotation == rotation
    image = render_page(path, "image/png", 1, page.rotation, page.skew_degrees, 1600, LIMITS)
    assert image.width == 1600 and image.height > image.width  # upright: portrait, like the page
    boxes = [box for box in page.words or () if box.text in ("mandamus", "representation", "premises")]
    assert len(boxes) >= 6
    for box in boxes[:3]:
        assert box.w > box.h  # the words run across the page shown
        margin_x, margin_y = 0.3 * box.h * image.height / image.width, 0.3 * box.h
        crop = image.crop((
            round((box.x - margin_x) * image.width), round((box.y - margin_y) * image.height),
            round((box.x + box.w + margin_x) * image.width), round((box.y + box.h + margin_y) * image.height),
        ))  # fmt: skip
        crop = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.BICUBIC)
        assert box.text in _read(crop), (box, _read(crop))


def test_a_multi_page_tiff_has_boxes_on_every_page(tmp_path: Path) -> None:
    first, _ = _drawn_scan()
    second = Image.new("L", first.size, PAPER)
    ImageDraw.Draw(second).text((300, 400), "Order sheet of Karachi bench", font=ImageFont.truetype(
        str(LATIN_FONT), size=48), fill=30)  # fmt: skip
    path = tmp_path / "two.tiff"
    first.save(path, format="TIFF", save_all=True, append_images=[second], compression="tiff_deflate")
    pages = _extract(path, "image/tiff")
    assert [page.source for page in pages] == [PageSource.ocr, PageSource.ocr]
    assert _box(pages[0], "Rawalpindi").y > 0.7
    karachi = _box(pages[1], "Karachi")
    assert karachi.y == pytest.approx(400 / first.height, abs=0.01)
