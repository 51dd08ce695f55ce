"""The parser Protocol: a new file format is one new class registered in parsers/__init__.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PIL import Image

from search.boxes import WordBox


@dataclass(frozen=True)
class ParseLimits:
    max_pages: int
    max_image_pixels: int
    dpi: int


@dataclass
class PageContent:
    """One page as the parser found it: a text layer, an image to OCR, or both."""

    number: int
    text: str | None
    # Called at once, on the parser's thread: PDF renderers are not thread-safe.
    render: Callable[[], Image.Image] | None = None
    # The text layer's word boxes (decision 0014), called at once on the parser's thread and only for a page whose
    # text layer is kept: a page sent to OCR gets its boxes from Tesseract.
    words: Callable[[], list[WordBox]] | None = None


class Parser(Protocol):
    name: str
    content_types: tuple[str, ...]

    def score(self, content_type: str) -> int:
        """How well this parser handles content_type; 0 means not at all."""

    def inspect(self, path: Path, limits: ParseLimits) -> int:
        """Cheap check at upload: return the page count or raise DocumentRejected."""

    def pages(self, path: Path, limits: ParseLimits) -> Iterator[PageContent]: ...
