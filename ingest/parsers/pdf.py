"""PDF: each page's text layer through pdfium; pages without one are rendered for OCR."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from core.errors import DocumentRejected, PayloadTooLarge
from ingest.parsers.base import PageContent, ParseLimits


def _open(path: Path) -> pdfium.PdfDocument:
    try:
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
                    page = document[index]
                    text_page = page.get_textpage()
                    text = text_page.get_text_range()
                    text_page.close()
                except pdfium.PdfiumError as error:
                    raise DocumentRejected(f"page {index + 1} of the PDF is damaged ({error})") from error
                yield PageContent(number=index + 1, text=text, render=partial(_render, page, index + 1, limits))
                page.close()
        finally:
            document.close()


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


def _scanned_image(page: pdfium.PdfPage, dpi: int) -> Image.Image | None:
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
    if abs(metadata.horizontal_dpi - dpi) > 0.05 * dpi or abs(metadata.vertical_dpi - dpi) > 0.05 * dpi:
        return None
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
