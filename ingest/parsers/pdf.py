"""PDF: each page's text layer through pdfium; pages without one are rendered for OCR."""

from __future__ import annotations

import ctypes
import math
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
# Characters that end a word in the text layer: white space, the line breaks pdfium generates, and controls.
_NOT_IN_WORDS = {0, 0xFEFF}


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
                    words=partial(text_layer_words, page, text_page),
                )
                with PDFIUM_LOCK:
                    text_page.close()
                    page.close()
        finally:
            with PDFIUM_LOCK:
                document.close()


def text_layer_words(page: pdfium.PdfPage, text_page: pdfium.PdfTextPage) -> list[WordBox]:
    """The text layer's words (runs of characters between white space) and their boxes on the page as rendered
    (its /Rotate applied), as fractions of the page. A word's box spans its first and last characters' loose boxes
    (the font's full height, as a viewer highlights): two pdfium calls a word, not one a character."""
    with PDFIUM_LOCK:
        left, bottom, right, top = page.get_cropbox()
        rotation = page.get_rotation()
        count = text_page.count_chars()
        codes = [pdfium_c.FPDFText_GetUnicode(text_page.raw, index) for index in range(count)]
        spans: list[tuple[int, int]] = []
        start = -1
        for index, code in enumerate([*codes, 0]):
            ends_word = code in _NOT_IN_WORDS or chr(code).isspace() or code < 32
            if ends_word and start >= 0:
                spans.append((start, index - 1))
                start = -1
            elif not ends_word and start < 0:
                start = index
        boxes = _loose_boxes(text_page, spans)
    width, height = (right - left) or 1.0, (top - bottom) or 1.0
    words = []
    for (first, last), ((x0, y0, x1, y1), (x2, y2, x3, y3)) in zip(spans, boxes, strict=True):
        # U+FFFE is pdfium's mark for a hyphen at a line end (decision 0002).
        text = "".join(chr(code) for code in codes[first : last + 1]).replace("\ufffe", "-")
        box_left, box_right = min(x0, x2), max(x1, x3)
        box_bottom, box_top = min(y0, y2), max(y1, y3)
        if box_right <= box_left or box_top <= box_bottom:
            continue  # a word with no extent (an invisible or generated run) cannot be shown
        box = WordBox(
            text,
            (box_left - left) / width,
            (top - box_top) / height,
            (box_right - box_left) / width,
            (box_top - box_bottom) / height,
        )
        words.append(turn_box(box, rotation))
    return words


def _loose_boxes(
    text_page: pdfium.PdfTextPage, spans: list[tuple[int, int]]
) -> list[tuple[tuple[float, float, float, float], tuple[float, float, float, float]]]:
    """Each span's first and last characters' loose boxes (left, bottom, right, top), through pdfium directly."""
    rect = pdfium_c.FS_RECTF()
    result = []
    for first, last in spans:
        pair = []
        for index in (first, last):
            if pdfium_c.FPDFText_GetLooseCharBox(text_page.raw, index, ctypes.byref(rect)):
                pair.append((rect.left, rect.bottom, rect.right, rect.top))
            else:
                pair.append((0.0, 0.0, 0.0, 0.0))
        result.append((pair[0], pair[1]))
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
