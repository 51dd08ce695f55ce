"""Tell a file's type from its bytes; the client's Content-Type and filename are not trusted."""

from __future__ import annotations

import codecs
from pathlib import Path

import filetype
from charset_normalizer import from_bytes

TEXT_SAMPLE_BYTES = 64 * 1024
# Western legacy text reads cleanly in several single-byte code pages, and charset-normalizer may rank another
# first: cp1250 turns "naïve" into "naďve", DOS cp850 "café’s" into "cafÚÆs". Windows-1252 is what legacy
# English and Western European text files are written in, so it wins whenever it reads as cleanly (the same
# "chaos") as the best guess; coherence, a language-frequency score, is unreliable on short or repetitive text.
PREFERRED_LEGACY_ENCODING = "cp1252"
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def _is_utf8(data: bytes, truncated: bool) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A sample may end inside a multi-byte character.
        return truncated and error.start >= len(data) - 3
    return True


def text_encoding(data: bytes, truncated: bool = False) -> str | None:
    """The encoding these bytes are text in, or None if they are not text (binary). `truncated` says the bytes
    are the start of a longer file (a multi-byte character may be cut at the end)."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" not in data and _is_utf8(data, truncated):  # the common case, and the cheapest check
        return "utf-8"
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for match in matches:
        if match.chaos <= best.chaos and PREFERRED_LEGACY_ENCODING in match.could_be_from_charset:
            return PREFERRED_LEGACY_ENCODING
    return str(best.encoding)


def decode_text(data: bytes) -> str:
    """The text of a whole text file, in its detected encoding. Bytes the encoding cannot read (a damaged
    stretch after a sample that looked like text) become U+FFFD rather than failing the document."""
    if b"\x00" not in data and not any(data.startswith(bom) for bom, _ in BOMS):
        try:
            return data.decode("utf-8")  # most files: one decode, no separate check
        except UnicodeDecodeError:
            pass
    return data.decode(text_encoding(data) or "utf-8", errors="replace")


def sniff_content_type(path: Path) -> str:
    with open(path, "rb") as handle:
        sample = handle.read(TEXT_SAMPLE_BYTES + 1)
    truncated = len(sample) > TEXT_SAMPLE_BYTES
    sample = sample[:TEXT_SAMPLE_BYTES]
    # PDF readers accept a header anywhere in the first kilobyte.
    if b"%PDF-" in sample[:1024]:
        return "application/pdf"
    kind = filetype.guess(sample)
    if kind is not None:
        return str(kind.mime)
    if sample and text_encoding(sample, truncated) is not None:
        return "text/plain"
    return "application/octet-stream"
