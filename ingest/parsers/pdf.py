"""PDF: each page's text layer through pdfium; pages without one are rendered for OCR."""

from __future__ import annotations

import ctypes
import math
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from core.errors import DocumentRejected, PayloadTooLarge
from ingest.parsers.base import PageContent, ParseLimits
from search.boxes import WordBox, turn_box

# pdfium is not thread-safe (decision 0002), and a process may now use it from two threads at once: the embedded
# worker's parser and the API's page renderer (ingest/page_images.py). Every call into it holds this lock; the
# parser takes it page by page, never across a yield.
PDFIUM_LOCK = threading.RLock()
# A word of the text layer: a run of characters other than white space (the line breaks pdfium generates
# included), controls and byte-order marks.
_WORD_RUN = re.compile(r"[^\s\x00-\x1f\ufeff]+")


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        with PDFIUM_LOCK:
            return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as error:
        message = str(error).lower()
        if "password" in message:
            raise DocumentRejected("the PDF is encrypted with a password; upload an unlocked copy") from error
        raise DocumentRejected(f"the PDF is damaged and cannot be read ({error})") from error


class PdfParser:
    name = "pdf"
    content_types: tuple[str, ...] = ("application/pdf",)

    def score(self, content_type: str) -> int:
        return 10 if content_type in self.content_types else 0

    def inspect(self, path: Path, limits: ParseLimits) -> int:
        document = _open(path)
        try:
            count = len(document)
        finally:
            with PDFIUM_LOCK:
                document.close()
        if count == 0:
            raise DocumentRejected("the PDF has no pages")
        if count > limits.max_pages:
            raise PayloadTooLarge(f"the PDF has {count} pages; the limit is {limits.max_pages}")
        return count

    def pages(self, path: Path, limits: ParseLimits) -> Iterator[PageContent]:
        document = _open(path)
        try:
            for index in range(len(document)):
                try:
                    with PDFIUM_LOCK:
                        page = document[index]
                        text_page = page.get_textpage()
                        text = text_page.get_text_range()
                except pdfium.PdfiumError as error:
                    raise DocumentRejected(f"page {index + 1} of the PDF is damaged ({error})") from error
                yield PageContent(
                    number=index + 1,
                    text=text,
                    render=partial(_render, page, index + 1, limits),
                    words=partial(text_layer_words, page, text_page, text),
                )
                with PDFIUM_LOCK:
                    text_page.close()
                    page.close()
        finally:
            with PDFIUM_LOCK:
                document.close()


def text_layer_words(page: pdfium.PdfPage, text_page: pdfium.PdfTextPage, text: str | None = None) -> list[WordBox]:
    """The text layer's words (runs of characters between white space) and their boxes on the page as rendered
    (its /Rotate applied), as fractions of the page. A word's box spans its first and last characters' loose boxes
    (the font's full height, as a viewer highlights): two pdfium calls a word, not one a character. `text` is the
    page's get_text_range(), one character per index when it is as long as the page has characters."""
    with PDFIUM_LOCK:
        left, bottom, right, top = page.get_cropbox()
        rotation = page.get_rotation()
        count = text_page.count_chars()
        if text is None or len(text) != count:  # a character outside the BMP takes two UTF-16 units: ask each
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(text_page.raw, index)) for index in range(count))
        spans = [(match.start(), match.end() - 1) for match in _WORD_RUN.finditer(text)]
        boxes = _loose_boxes(text_page, spans)
    width, height = (right - left) or 1.0, (top - bottom) or 1.0
    words = []
    for (first, last), (x0, y0, x1, y1, x2, y2, x3, y3) in zip(spans, boxes, strict=True):
        box_left, box_right = min(x0, x2), max(x1, x3)
        box_bottom, box_top = min(y0, y2), max(y1, y3)
        if box_right <= box_left or box_top <= box_bottom:
            continue  # a word with no extent (an invisible or generated run) cannot be shown
        box = WordBox(
            # U+FFFE is pdfium's mark for a hyphen at a line end (decision 0002).
            text[first : last + 1].replace("\ufffe", "-"),
            (box_left - left) / width,
            (top - box_top) / height,
            (box_right - box_left) / width,
            (box_top - box_bottom) / height,
        )
        words.append(turn_box(box, rotation) if rotation else box)
    return words


def _loose_boxes(
    text_page: pdfium.PdfTextPage, spans: list[tuple[int, int]]
) -> list[tuple[float, float, float, float, float, float, float, float]]:
    """Each span's first and last characters' loose boxes (left, bottom, right, top, twice), through pdfium
    directly (about a microsecond a call)."""
    rect = pdfium_c.FS_RECTF()
    reference, raw, loose_box = ctypes.byref(rect), text_page.raw, pdfium_c.FPDFText_GetLooseCharBox
    result = []
    for first, last in spans:
        found = loose_box(raw, first, reference)
        a = (rect.left, rect.bottom, rect.right, rect.top) if found else (0.0, 0.0, 0.0, 0.0)
        if last == first:
            result.append((*a, *a))
        elif loose_box(raw, last, reference):
            result.append((*a, rect.left, rect.bottom, rect.right, rect.top))
        else:
            result.append((*a, *a))
    return result


def _check_image_sizes(page: pdfium.PdfPage, number: int, limits: ParseLimits) -> None:
    """Refuse a page holding an image over the pixel limit, from the image's header alone: pdfium would decode all
    of it to render even a thumbnail (a 35000×35000 1-bit scan is 150 KB of Flate and 1.2 gigapixels). The same
    limit as for an uploaded image, and the same reason."""
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]):
        assert isinstance(image, pdfium.PdfImage)
        try:
            width, height = image.get_px_size()
        except pdfium.PdfiumError:
            continue  # no size without decoding: an image pdfium cannot read draws nothing
        if width * height > limits.max_image_pixels:
            raise DocumentRejected(
                f"page {number} of the PDF holds a {width}×{height} pixel image, over the limit of "
                f"{limits.max_image_pixels:,} pixels (a decompression bomb or an unreasonably large scan)"
            )


def _scanned_image(page: pdfium.PdfPage, dpi: int | None) -> Image.Image | None:
    """The page's scan as stored, when the page is just that: one unrotated image covering it, scanned at the
    resolution OCR wants (within 5 %). Decoding it costs a tenth of rendering the page (10 ms against 100 ms at
    300 dpi), for the same pixels. The caller has checked the image's size."""
    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    assert isinstance(image, pdfium.PdfImage)
    width_points, height_points = page.get_size()
    a, b, c, d, e, f = image.get_matrix().get()
    if b or c or e or f or abs(a - width_points) > 1 or abs(d - height_points) > 1:
        return None  # rotated, skewed, offset or not covering the page: render it
    metadata = image.get_metadata()
    if dpi is not None and (
        abs(metadata.horizontal_dpi - dpi) > 0.05 * dpi or abs(metadata.vertical_dpi - dpi) > 0.05 * dpi
    ):
        return None  # (None: any resolution will do, as for the viewer, which scales it anyway)
    try:
        decoded: Image.Image = image.get_bitmap(render=False).to_pil().convert("L")
    except pdfium.PdfiumError:
        return None  # an image pdfium cannot decode alone (e.g. a stencil mask): render the page instead
    return decoded


def render_scale(width_points: float, height_points: float, limits: ParseLimits) -> float:
    """Pixels per point to render a page at: the OCR resolution, or less for a poster-sized page, so that the
    bitmap stays within the pixel limit."""
    scale = limits.dpi / 72
    pixels = width_points * height_points * scale * scale
    if pixels > limits.max_image_pixels:
        scale *= math.sqrt(limits.max_image_pixels / pixels) * 0.999  # rounding up the sides must not cross it
    return scale


def _render(page: pdfium.PdfPage, number: int, limits: ParseLimits) -> Image.Image:
    with PDFIUM_LOCK:
        return _render_locked(page, number, limits)


def _render_locked(page: pdfium.PdfPage, number: int, limits: ParseLimits) -> Image.Image:
    _check_image_sizes(page, number, limits)
    scan = _scanned_image(page, limits.dpi)
    if scan is not None:
        return scan
    width_points, height_points = page.get_size()
    try:
        bitmap = page.render(scale=render_scale(width_points, height_points, limits), grayscale=True)
        image: Image.Image = bitmap.to_pil().convert("L")
        return image
    except pdfium.PdfiumError as error:
        raise DocumentRejected(f"page {number} of the PDF cannot be rendered ({error})") from error
