"""OCR behind a Protocol; Tesseract (through pytesseract) is the implementation."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
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
    def recognise(self, images: Sequence[Image.Image], languages: str) -> list[OcrResult]:
        """One result per image, in order."""

    def available_languages(self) -> set[str]: ...


@lru_cache(maxsize=1)
def _installed_languages() -> frozenset[str]:
    return frozenset(pytesseract.get_languages(config=""))


def _results_from_tsv(tsv: str, pages: int) -> list[OcrResult]:
    """Rebuild each page's lines and paragraphs from Tesseract's TSV, so one run gives text and confidence."""
    lines: list[dict[tuple[int, int, int], list[str]]] = [{} for _ in range(pages)]
    confidences: list[list[float]] = [[] for _ in range(pages)]
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if not word or row.get("level") != "5":
            continue
        page = int(row["page_num"]) - 1
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines[page].setdefault(key, []).append(word)
        word_confidence = float(row["conf"])
        if word_confidence >= 0:  # -1 marks non-word boxes
            confidences[page].append(word_confidence)
    return [_page_result(words, scores) for words, scores in zip(lines, confidences, strict=True)]


def _page_result(lines: dict[tuple[int, int, int], list[str]], confidences: list[float]) -> OcrResult:
    output: list[str] = []
    previous_paragraph: tuple[int, int] | None = None
    for key, words in lines.items():
        if previous_paragraph is not None and key[:2] != previous_paragraph:
            output.append("")
        output.append(" ".join(words))
        previous_paragraph = key[:2]
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else None
    return OcrResult(text="\n".join(output), confidence=confidence)


class TesseractOcr:
    def __init__(self, timeout_seconds: int = 180) -> None:
        self.timeout_seconds = timeout_seconds

    def available_languages(self) -> set[str]:
        return set(_installed_languages()) - {"osd"}

    def recognise(self, images: Sequence[Image.Image], languages: str) -> list[OcrResult]:
        """All images in one Tesseract process, given a list of files: it loads its models once, not per page
        (0.07 CPU-s of the ~1.9 a page costs)."""
        if not images:
            return []
        with tempfile.TemporaryDirectory(prefix="casefile-ocr-") as directory:
            paths = [Path(directory, f"page-{index:04d}.pnm") for index in range(len(images))]
            for image, path in zip(images, paths, strict=True):
                image.save(path, format="PPM")  # uncompressed: the cheapest to write and for Tesseract to read
            file_list = Path(directory, "pages.txt")
            file_list.write_text("".join(f"{path}\n" for path in paths))
            timeout = self.timeout_seconds * len(images)
            try:
                tsv = pytesseract.image_to_data(str(file_list), lang=languages, timeout=timeout)
            except RuntimeError as error:  # pytesseract raises RuntimeError on timeout
                raise DocumentRejected(
                    f"OCR took longer than {self.timeout_seconds} s per page on {len(images)} pages"
                ) from error
        return _results_from_tsv(str(tsv), len(images))
