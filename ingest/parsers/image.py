"""Scanned images: PNG, JPEG and (multi-page) TIFF; every frame is a page to OCR."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from core.errors import DocumentRejected, PayloadTooLarge
from ingest.parsers.base import PageContent, ParseLimits


def _open(path: Path, limits: ParseLimits) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except Image.DecompressionBombError as error:
        raise DocumentRejected(f"the image is a decompression bomb ({error})") from error
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise DocumentRejected("the image cannot be read: it is damaged or not really an image") from error
    width, height = image.size
    if width * height > limits.max_image_pixels:
        image.close()
        raise DocumentRejected(
            f"the image is {width}×{height} pixels, over the limit of {limits.max_image_pixels:,} "
            "(a decompression bomb or an unreasonably large scan)"
        )
    return image


class ImageParser:
    name = "image"
    content_types: tuple[str, ...] = ("image/png", "image/jpeg", "image/tiff")

    def score(self, content_type: str) -> int:
        return 10 if content_type in self.content_types else 0

    def inspect(self, path: Path, limits: ParseLimits) -> int:
        with _open(path, limits) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_pages:
                raise PayloadTooLarge(f"the image has {frames} pages; the limit is {limits.max_pages}")
            return int(frames)

    def pages(self, path: Path, limits: ParseLimits) -> Iterator[PageContent]:
        with _open(path, limits) as image:
            for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
                width, height = frame.size
                if width * height > limits.max_image_pixels:
                    raise DocumentRejected(f"page {number} of the image is {width}×{height} pixels, over the limit")
                yield PageContent(number=number, text=None, render=partial(_load, frame, number))


def _load(frame: Image.Image, number: int) -> Image.Image:
    try:
        page = frame.convert("L")
    except (OSError, ValueError, SyntaxError) as error:  # truncated or corrupt pixel data
        raise DocumentRejected(f"page {number} of the image is damaged ({type(error).__name__}: {error})") from error
    # A phone or scanner that stores the pixels sideways says so in EXIF, and browsers turn the image by it:
    # OCR the page as it will be shown, so its rotation is counted from there (decision 0008).
    ImageOps.exif_transpose(page, in_place=True)
    return page
