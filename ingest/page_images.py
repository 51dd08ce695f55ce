"""Page images for the viewer (decision 0014): a page rendered upright at a given width, cached on local disk.

The image is the frame word boxes are stored in: the page as pdfium renders it (its /Rotate applied) or the image
frame after EXIF, straightened by the page's `skew_degrees` and then turned by its `rotation`, as OCR read it
(decision 0008). A box's fractions therefore land on the same words at any width.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pypdfium2 as pdfium
from PIL import Image

from core.errors import DocumentRejected, NotFound
from core.models import Document, Page
from ingest.orientation import straighten, turn
from ingest.parsers.base import ParseLimits
from ingest.parsers.image import _load as load_frame
from ingest.parsers.image import _open as open_image
from ingest.parsers.pdf import PDFIUM_LOCK, _check_image_sizes, _scanned_image
from ingest.parsers.pdf import _open as open_pdf

MIN_WIDTH, MAX_WIDTH, DEFAULT_WIDTH = 100, 2400, 1000
ImageFormat = Literal["png", "webp"]
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "webp": "image/webp"}
# Bump when the rendering changes, so cached images of the old kind are never served again.
RENDER_VERSION = 1
CACHE_DIRECTORY = "page-images"
PDF = "application/pdf"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/tiff")


@dataclass(frozen=True)
class PageImage:
    path: Path  # the cached file
    etag: str  # quoted, as the ETag header carries it
    media_type: str


def has_image(document: Document) -> bool:
    return document.content_type == PDF or document.content_type in IMAGE_TYPES


def _key(document: Document, page: Page, width: int, image_format: ImageFormat) -> str:
    """Everything the image depends on: the bytes, the page, how it was turned upright, the width and the format."""
    return (
        f"{document.id}/{document.sha256}/{page.number}/r{page.rotation}/s{page.skew_degrees:g}/"
        f"w{width}/v{RENDER_VERSION}.{image_format}"
    )


def etag_of(document: Document, page: Page, width: int, image_format: ImageFormat) -> str:
    return '"' + hashlib.sha256(_key(document, page, width, image_format).encode()).hexdigest()[:32] + '"'


def cache_path(data_dir: Path, document: Document, page: Page, width: int, image_format: ImageFormat) -> Path:
    name = hashlib.sha256(_key(document, page, width, image_format).encode()).hexdigest()[:32]
    return data_dir / CACHE_DIRECTORY / document.id / f"p{page.number}-w{width}-{name}.{image_format}"


def cached_image(
    data_dir: Path, document: Document, page: Page, width: int, image_format: ImageFormat
) -> PageImage | None:
    path = cache_path(data_dir, document, page, width, image_format)
    if not path.exists():
        return None
    return PageImage(path, etag_of(document, page, width, image_format), MEDIA_TYPES[image_format])


def store_image(
    data_dir: Path, document: Document, page: Page, width: int, image_format: ImageFormat, image: Image.Image
) -> PageImage:
    """Encode the image into the cache: a temporary file in the same directory, then os.replace, so concurrent
    writers of one key each write whole files and readers never see a partial one."""
    path = cache_path(data_dir, document, page, width, image_format)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=".render-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if image_format == "webp":
                image.save(handle, format="WEBP", quality=80, method=4)
            else:
                image.save(handle, format="PNG", compress_level=3)  # 60 % of level 6's time, ~10 % larger
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return PageImage(path, etag_of(document, page, width, image_format), MEDIA_TYPES[image_format])


def _upright_width(width: float, height: float, rotation: int, skew_degrees: float) -> float:
    """How wide the base image becomes once straightened (on a grown canvas) and turned upright."""
    angle = math.radians(abs(skew_degrees))
    grown_width = width * math.cos(angle) + height * math.sin(angle)
    grown_height = width * math.sin(angle) + height * math.cos(angle)
    return grown_height if rotation % 180 == 90 else grown_width


def render_page(
    path: Path, content_type: str, number: int, rotation: int, skew_degrees: float, width: int, limits: ParseLimits
) -> Image.Image:
    """Page `number` of the file, upright, `width` pixels wide (greyscale, as OCR read it). Only that page is
    decoded; pages or images over the pixel limit are refused with DocumentRejected (422), as at ingest."""
    if content_type == PDF:
        base = _render_pdf_page(path, number, rotation, skew_degrees, width, limits)
    elif content_type in IMAGE_TYPES:
        base = _load_image_page(path, number, rotation, skew_degrees, width, limits)
    else:
        raise NotFound(f"page {number} has no image: the document is {content_type}")
    upright = turn(straighten(base, skew_degrees), rotation)
    height = max(1, round(upright.height * width / upright.width))
    if upright.size != (width, height):
        upright = upright.resize((width, height), Image.Resampling.BILINEAR)
    return upright


def _render_pdf_page(
    path: Path, number: int, rotation: int, skew_degrees: float, width: int, limits: ParseLimits
) -> Image.Image:
    with PDFIUM_LOCK:
        document = open_pdf(path)
        try:
            if not 1 <= number <= len(document):
                raise NotFound(f"the document has no page {number}")
            page = document[number - 1]
            try:
                _check_image_sizes(page, number, limits)
                # A page that is one scan: decode it and shrink it here (a box filter, then bilinear), which costs
                # a third of pdfium's smoothed render of it at the width.
                scan = _scanned_image(page, None)
                if scan is not None:
                    return _shrunk(scan, width, rotation, skew_degrees)
                width_points, height_points = page.get_size()
                scale = width / max(_upright_width(width_points, height_points, rotation, skew_degrees), 1e-6)
                if width_points * height_points * scale * scale > limits.max_image_pixels:
                    raise DocumentRejected(
                        f"page {number} is too long to show {width} pixels wide: narrow the width "
                        f"(limit {limits.max_image_pixels:,} pixels)"
                    )
                try:
                    image: Image.Image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
                except pdfium.PdfiumError as error:
                    raise DocumentRejected(f"page {number} of the PDF cannot be rendered ({error})") from error
                return image
            finally:
                page.close()
        finally:
            document.close()


def _load_image_page(
    path: Path, number: int, rotation: int, skew_degrees: float, width: int, limits: ParseLimits
) -> Image.Image:
    with warnings.catch_warnings(), open_image(path, limits) as image:
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image.seek(number - 1)  # a TIFF decodes the frames it seeks to, one at a time
        except (EOFError, ValueError) as error:
            raise NotFound(f"the document has no page {number}") from error
        frame_width, frame_height = image.size
        if frame_width * frame_height > limits.max_image_pixels:
            raise DocumentRejected(f"page {number} of the image is {frame_width}×{frame_height} pixels, over the limit")
        if image.format == "JPEG":  # decode at a fraction of the size when that is enough (DCT scaling)
            # Sized on the shorter side, so it is enough however EXIF turns the frame.
            scale = min(1.0, width / max(min(frame_width, frame_height) * 0.9, 1))
            image.draft("L", (math.ceil(frame_width * scale), math.ceil(frame_height * scale)))
        page = load_frame(image, number)
    return _shrunk(page, width, rotation, skew_degrees)


def _shrunk(page: Image.Image, width: int, rotation: int, skew_degrees: float) -> Image.Image:
    """The page scaled so that, straightened and turned, it is `width` wide: before straightening, since turning a
    page costs in proportion to its pixels."""
    factor = width / max(_upright_width(page.width, page.height, rotation, skew_degrees), 1.0)
    if factor < 1:
        size = (max(1, round(page.width * factor)), max(1, round(page.height * factor)))
        page = page.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return page
