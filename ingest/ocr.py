"""OCR behind a Protocol; Tesseract (through pytesseract) is the implementation."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import pytesseract
from PIL import Image

from core.errors import DocumentRejected

# One Tesseract per core: its own OpenMP threads would only fight the page-level parallelism.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None


class OcrEngine(Protocol):
    def recognise(self, image: Image.Image, languages: str) -> OcrResult: ...

    def available_languages(self) -> set[str]: ...


@lru_cache(maxsize=1)
def _installed_languages() -> frozenset[str]:
    return frozenset(pytesseract.get_languages(config=""))


def _text_from_tsv(tsv: str) -> OcrResult:
    """Rebuild lines and paragraphs from Tesseract's TSV, so one run gives text and confidence."""
    lines: dict[tuple[int, int, int, int], list[str]] = {}
    confidences: list[float] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if not word or row.get("level") != "5":
            continue
        key = (int(row["page_num"]), int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(word)
        word_confidence = float(row["conf"])
        if word_confidence >= 0:  # -1 marks non-word boxes
            confidences.append(word_confidence)
    output: list[str] = []
    previous_paragraph: tuple[int, int, int] | None = None
    for key, words in lines.items():
        if previous_paragraph is not None and key[:3] != previous_paragraph:
            output.append("")
        output.append(" ".join(words))
        previous_paragraph = key[:3]
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else None
    return OcrResult(text="\n".join(output), confidence=confidence)


class TesseractOcr:
    def __init__(self, timeout_seconds: int = 180) -> None:
        self.timeout_seconds = timeout_seconds

    def available_languages(self) -> set[str]:
        return set(_installed_languages()) - {"osd"}

    def recognise(self, image: Image.Image, languages: str) -> OcrResult:
        # Uncompressed PNM is the cheapest format for Tesseract to read and for us to write.
        with tempfile.NamedTemporaryFile(suffix=".pnm") as handle:
            image.save(handle, format="PPM")
            handle.flush()
            try:
                tsv = pytesseract.image_to_data(handle.name, lang=languages, timeout=self.timeout_seconds)
            except RuntimeError as error:  # pytesseract raises RuntimeError on timeout
                raise DocumentRejected(f"OCR took longer than {self.timeout_seconds} s on one page") from error
        return _text_from_tsv(str(tsv))
