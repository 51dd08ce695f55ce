"""Plain text: a form feed starts a new page, as in printed text files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core.errors import PayloadTooLarge
from ingest.parsers.base import PageContent, ParseLimits


def _read_pages(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8", errors="replace").split("\f")


class TextParser:
    name = "text"
    content_types: tuple[str, ...] = ("text/plain",)

    def score(self, content_type: str) -> int:
        return 5 if content_type in self.content_types else 0

    def inspect(self, path: Path, limits: ParseLimits) -> int:
        count = len(_read_pages(path))
        if count > limits.max_pages:
            raise PayloadTooLarge(f"the text has {count} pages; the limit is {limits.max_pages}")
        return count

    def pages(self, path: Path, limits: ParseLimits) -> Iterator[PageContent]:
        for number, text in enumerate(_read_pages(path), start=1):
            yield PageContent(number=number, text=text)
