"""Tell a file's type from its bytes; the client's Content-Type and filename are not trusted."""

from __future__ import annotations

from pathlib import Path

import filetype

TEXT_SAMPLE_BYTES = 64 * 1024


def _looks_like_text(sample: bytes) -> bool:
    if b"\x00" in sample:
        return False
    try:
        # A multi-byte character may be cut at the end of the sample.
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 4:
            return False
    return True


def sniff_content_type(path: Path) -> str:
    with open(path, "rb") as handle:
        sample = handle.read(TEXT_SAMPLE_BYTES)
    # PDF readers accept a header anywhere in the first kilobyte.
    if b"%PDF-" in sample[:1024]:
        return "application/pdf"
    kind = filetype.guess(sample)
    if kind is not None:
        return str(kind.mime)
    if sample and _looks_like_text(sample):
        return "text/plain"
    return "application/octet-stream"
