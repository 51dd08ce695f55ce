"""PDF: each page's text layer through pdfium; pages without one are rendered for OCR."""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pypdfium2 as pdfium
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
                yield PageContent(number=index + 1, text=text, render=partial(_render, page, limits))
                page.close()
        finally:
            document.close()


def _render(page: pdfium.PdfPage, limits: ParseLimits) -> Image.Image:
    width_points, height_points = page.get_size()
    scale = limits.dpi / 72
    pixels = width_points * height_points * scale * scale
    if pixels > limits.max_image_pixels:  # a poster-sized page: render smaller rather than exhaust memory
        scale *= math.sqrt(limits.max_image_pixels / pixels)
    try:
        bitmap = page.render(scale=scale, grayscale=True)
        image: Image.Image = bitmap.to_pil().convert("L")
        return image
    except pdfium.PdfiumError as error:
        raise DocumentRejected(f"a page of the PDF cannot be rendered ({error})") from error
