"""Plain text in any encoding. A form feed starts a new page, as in printed text files; a longer stretch
without one is cut into pages of about TARGET_PAGE_CHARS at paragraph ends (else line ends, else spaces), so
that no page is too large to index and highlight quickly. A text that would need more than max_pages such
pages gets longer ones, up to MAX_PAGE_CHARS, before it is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from core.errors import PayloadTooLarge
from ingest.parsers.base import PageContent, ParseLimits
from ingest.sniff import decode_text

TARGET_PAGE_CHARS = 10_000
MAX_PAGE_CHARS = 100_000  # the bound on any cut page (a page between two form feeds is the writer's own)
SEPARATORS = ("\n\n", "\n", " ")  # where a cut may fall, best first


def _page_ends(sheet: str, size: int) -> list[int]:
    """Where each page of one form-feed sheet ends: at most `size` characters each, and at least half of that
    (the last excepted), cut after the best separator in the second half."""
    ends = []
    start = 0
    while len(sheet) - start > size:
        limit, floor = start + size, start + size // 2
        for separator in SEPARATORS:
            cut = sheet.rfind(separator, floor, limit)
            if cut >= 0:
                start = cut + len(separator)
                break
        else:
            start = limit  # no space in sight (a dump of one "word"): cut anyway
        ends.append(start)
    ends.append(len(sheet))
    return ends


def split_pages(text: str, max_pages: int) -> list[str]:
    sheets = text.replace("\r\n", "\n").replace("\r", "\n").split("\f")
    if len(sheets) > max_pages:
        raise PayloadTooLarge(f"the text has {len(sheets)} pages (form feeds); the limit is {max_pages}")
    size = TARGET_PAGE_CHARS
    while True:
        ends = [_page_ends(sheet, size) for sheet in sheets]
        count = sum(len(sheet_ends) for sheet_ends in ends)
        if count <= max_pages:
            break
        if size >= MAX_PAGE_CHARS:
            raise PayloadTooLarge(
                f"the text would need {count} pages of up to {MAX_PAGE_CHARS:,} characters; the limit is {max_pages}"
            )
        size = min(size * 2, MAX_PAGE_CHARS)
    return [
        sheet[start:end]
        for sheet, sheet_ends in zip(sheets, ends, strict=True)
        for start, end in zip([0, *sheet_ends[:-1]], sheet_ends, strict=True)
    ]


def _read_pages(path: Path, limits: ParseLimits) -> list[str]:
    return split_pages(decode_text(path.read_bytes()), limits.max_pages)


class TextParser:
    name = "text"
    content_types: tuple[str, ...] = ("text/plain",)

    def score(self, content_type: str) -> int:
        return 5 if content_type in self.content_types else 0

    def inspect(self, path: Path, limits: ParseLimits) -> int:
        return len(_read_pages(path, limits))

    def pages(self, path: Path, limits: ParseLimits) -> Iterator[PageContent]:
        for number, text in enumerate(_read_pages(path, limits), start=1):
            yield PageContent(number=number, text=text)
