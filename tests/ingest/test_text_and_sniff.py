"""Text clean-up and content sniffing (pure logic on real bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.sniff import sniff_content_type
from ingest.text import normalise_page_text, visible_characters
from tests.samples import born_digital_pdf, elf_executable, scanned_tiff, urdu_scan_png


def test_hyphens_at_line_ends_are_joined() -> None:
    assert normalise_page_text("the judg-\nment of\nthe court") == "the judgment of\nthe court"
    assert normalise_page_text("judg\ufffement") == "judgment"
    assert normalise_page_text("pages 10-\n12") == "pages 10-\n12"  # a range, not a broken word
    assert normalise_page_text("  a \t b \r\n\n\n\n c  ") == "a b\n\nc"


def test_visible_characters_ignore_punctuation() -> None:
    assert visible_characters(" \n .,;- \x0c") == 0
    assert visible_characters("ضمانت 12") == 7


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (born_digital_pdf(), "application/pdf"),
        (urdu_scan_png(), "image/png"),
        (scanned_tiff(["x"], dpi=100), "image/tiff"),
        ("مقدمہ\nplain text".encode(), "text/plain"),
        (elf_executable(), "application/x-executable"),
        (bytes(range(256)) * 10, "application/octet-stream"),
    ],
)
def test_sniffing_uses_the_bytes(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "upload.pdf"  # the name says PDF; only the bytes count
    path.write_bytes(content)
    assert sniff_content_type(path) == expected
