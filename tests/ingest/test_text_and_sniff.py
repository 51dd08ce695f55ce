"""Text clean-up and content sniffing (pure logic on real bytes)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from core.errors import PayloadTooLarge
from ingest.parsers.base import ParseLimits
from ingest.parsers.text import MAX_PAGE_CHARS, TARGET_PAGE_CHARS, TextParser, split_pages
from ingest.sniff import decode_text, sniff_content_type, text_encoding
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


WESTERN = "Le café – “quoted” naïve résumé; the court’s order of 3 May.\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (WESTERN.encode("cp1252"), "cp1252"),
        ("Señor Muñoz, façade.\n".encode("latin-1"), "cp1252"),  # Latin-1 text reads the same as Windows-1252
        ("Zürich, Straße".encode("cp1252"), "cp1252"),  # short: many code pages tie, Windows-1252 wins
        ("Příliš žluťoučký kůň úpěl ďábelské ódy".encode("cp1250"), "cp1250"),
        (WESTERN.encode("utf-16"), "utf-16"),
        (WESTERN.encode("utf-8-sig"), "utf-8-sig"),
        (WESTERN.encode(), "utf-8"),
        (random.Random(6).randbytes(4096), None),
        (bytes(range(256)) * 10, None),
    ],
)
def test_text_encodings_are_detected_and_binary_is_not_text(content: bytes, expected: str | None) -> None:
    assert text_encoding(content) == expected


def test_legacy_text_is_sniffed_as_text_and_decoded_exactly(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(WESTERN.encode("cp1252") * 5000)  # longer than the sniffing sample
    assert sniff_content_type(path) == "text/plain"
    assert decode_text(path.read_bytes()) == WESTERN * 5000


def test_a_utf8_sample_cut_inside_a_character_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "urdu.txt"
    path.write_bytes(("x" + "ضمانت " * 20_000).encode())  # the 64 KiB sample ends mid-character
    assert sniff_content_type(path) == "text/plain"


def _limits(max_pages: int = 2000) -> ParseLimits:
    return ParseLimits(max_pages=max_pages, max_image_pixels=10**8, dpi=300)


def test_form_feeds_start_pages_and_long_stretches_are_cut_at_paragraph_ends() -> None:
    paragraph = "word " * 499 + "end.\n\n"  # 2,500 characters
    pages = split_pages("cover\fshort\r\n" + paragraph * 9, max_pages=100)
    assert pages[0] == "cover"
    # Four paragraphs would pass 10,000 characters: three to a page.
    assert [len(page) for page in pages[1:]] == [len("short\n") + 3 * len(paragraph), *[3 * len(paragraph)] * 2]
    assert all(page.endswith("end.\n\n") for page in pages[1:])
    assert "".join(pages[1:]) == "short\n" + paragraph * 9


def test_without_paragraphs_pages_end_at_lines_then_spaces_then_anywhere() -> None:
    by_lines = split_pages("a line of text\n" * 1900, max_pages=100)
    assert len(by_lines) == 3 and all(page.endswith("\n") and len(page) <= TARGET_PAGE_CHARS for page in by_lines)
    by_spaces = split_pages("word " * 5000, max_pages=100)
    assert len(by_spaces) == 3 and all(page.endswith(" ") for page in by_spaces[:-1])
    assert [len(page) for page in split_pages("x" * 25_000, max_pages=100)] == [10_000, 10_000, 5_000]


def test_a_text_over_max_pages_gets_longer_pages_up_to_a_bound() -> None:
    text = "word " * 100_000  # 500,000 characters: 50 pages of 10,000
    pages = split_pages(text, max_pages=20)
    assert len(pages) <= 20 and "".join(pages) == text
    assert max(len(page) for page in pages) <= MAX_PAGE_CHARS
    with pytest.raises(PayloadTooLarge, match="pages of up to 100,000 characters; the limit is 4"):
        split_pages(text, max_pages=4)
    with pytest.raises(PayloadTooLarge, match="3 pages"):
        split_pages("a\fb\fc", max_pages=2)


def test_the_text_parser_counts_and_yields_the_same_pages(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    paragraph = "Bail granted to the café’s owner. " * 250 + "\n\n"  # 8,752 characters: one to a page
    path.write_bytes(paragraph.encode("cp1252") * 10)
    parser = TextParser()
    pages = list(parser.pages(path, _limits()))
    assert parser.inspect(path, _limits()) == len(pages) == 10
    assert [page.number for page in pages] == list(range(1, 11)) and pages[3].text == paragraph
