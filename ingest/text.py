"""Clean extracted or OCR'd page text so that phrases match across line breaks."""

from __future__ import annotations

import re
import unicodedata

# "judg-\nment" -> "judgment": a hyphen at a line end followed by a letter. pdfium reports such a
# hyphen as U+FFFE and drops the line break itself.
HYPHENATED_LINE_END = re.compile(r"(\w)(?:[-\u00ad\u2010][ \t]*\n|\ufffe)\s*(?=[^\W\d_])", re.UNICODE)
# Runs of spaces and tabs, but not a lone plain space: replacing every space with itself costs a third of the time.
SPACES = re.compile(r"[\t\f\v\u00a0][ \t\f\v\u00a0]*| [ \t\f\v\u00a0]+")
BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def normalise_page_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = HYPHENATED_LINE_END.sub(r"\1", text).replace("\ufffe", "-")
    text = SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return BLANK_LINES.sub("\n\n", text).strip()


def visible_characters(text: str, limit: int | None = None) -> int:
    """Letters and digits in the text; with a limit, counting stops there (a page has thousands, a check needs 20)."""
    count = 0
    for character in text:
        if character.isalnum():
            count += 1
            if count == limit:
                break
    return count
