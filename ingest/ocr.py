"""OCR behind a Protocol; Tesseract (its CLI, run as a child that dies with its parent) is the implementation."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import pytesseract
from PIL import Image

from core.errors import OcrFailed, OcrTimedOut
from core.metrics import OCR_PAGES, OCR_SECONDS
from ingest.orientation import MIN_CONFIDENCE_GAIN, estimate_skew, straighten, turn, upright_rotation
from search.boxes import WordBox, turn_box

# One Tesseract per core: its own OpenMP threads would only fight the page-level parallelism.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

log = logging.getLogger(__name__)

# util-linux's setpriv sets PR_SET_PDEATHSIG and execs tesseract in place, so a SIGKILLed worker takes its
# Tesseract with it. A preexec_fn calling prctl would do the same, but Python documents preexec_fn as unsafe
# in a process with threads, and OCR runs on a thread pool.
_SETPRIV = shutil.which("setpriv")
if _SETPRIV is None:
    log.warning("setpriv (util-linux) is missing: a killed worker's tesseract processes will outlive it")

# Urdu without the uploader choosing it (decision 0018): a page read in a language list without Urdu is read again
# with Urdu first when it shows an unreadable line, a line of URDU_LINE_WORDS or more words most of which
# (URDU_LINE_SHARE) Tesseract read with less than URDU_WORD_CONFIDENCE. A Latin model reading Arabic script gives
# such lines (Urdu pages: 68-93 % of their words; mixed pages: their Urdu lines); clean English pages have 1-2 %
# low-confidence words, scattered, and are never read twice, so English OCR costs what it did.
URDU = "urd"
URDU_WORD_CONFIDENCE = 60.0
URDU_LINE_WORDS = 2
URDU_LINE_SHARE = 2 / 3

# Tesseract's progress chatter on stderr, left out of error reasons.
_CHATTER = ("Estimating resolution", "Warning. Invalid resolution", "Page ", "Detected ", "Tesseract Open Source")


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None
    rotation: int = 0  # clockwise quarter turn that shows the page upright: 0, 90, 180 or 270
    skew_degrees: float = 0.0  # clockwise turn that straightened the text before OCR
    # Each word's box on the page shown upright: straightened by skew_degrees, then turned by rotation (0..1).
    words: tuple[WordBox, ...] = ()


class OcrEngine(Protocol):
    def recognise(self, images: Sequence[Image.Image], languages: str) -> list[OcrResult]:
        """One result per image, in order."""

    def available_languages(self) -> set[str]: ...


@lru_cache(maxsize=1)
def _installed_languages() -> frozenset[str]:
    return frozenset(pytesseract.get_languages(config=""))


@dataclass(frozen=True)
class _Reading:
    """One page's text as Tesseract read it, and whether its lines ran down the page rather than across."""

    text: str
    confidence: float | None
    sideways: bool
    words: tuple[WordBox, ...] = ()  # normalised to the image Tesseract read
    unreadable_lines: int = 0  # lines mostly of low-confidence words: another script, for a Latin model


def _readings_from_tsv(tsv: str, pages: int) -> list[_Reading]:
    """Rebuild each page's lines and paragraphs from Tesseract's TSV, so one run gives text, confidence and the
    shape of the lines."""
    lines: list[dict[tuple[int, int, int], list[str]]] = [{} for _ in range(pages)]
    doubtful: list[dict[tuple[int, int, int], int]] = [{} for _ in range(pages)]  # low-confidence words per line
    confidences: list[list[float]] = [[] for _ in range(pages)]
    tall_lines: list[set[tuple[int, int, int]]] = [set() for _ in range(pages)]
    sizes: list[tuple[int, int]] = [(1, 1)] * pages
    boxes: list[list[tuple[str, int, int, int, int]]] = [[] for _ in range(pages)]
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        page = int(row["page_num"]) - 1
        if row.get("level") == "1":  # the page itself: the size its word boxes are fractions of
            sizes[page] = (max(1, int(row["width"])), max(1, int(row["height"])))
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        if row.get("level") == "4" and int(row["height"]) > int(row["width"]):
            tall_lines[page].add(key)
        word = (row.get("text") or "").strip()
        if not word or row.get("level") != "5":
            continue
        lines[page].setdefault(key, []).append(word)
        boxes[page].append((word, int(row["left"]), int(row["top"]), int(row["width"]), int(row["height"])))
        word_confidence = float(row["conf"])
        if word_confidence >= 0:  # -1 marks non-word boxes
            confidences[page].append(word_confidence)
        if word_confidence < URDU_WORD_CONFIDENCE:
            doubtful[page][key] = doubtful[page].get(key, 0) + 1
    readings = [
        _reading(words, scores, tall) for words, scores, tall in zip(lines, confidences, tall_lines, strict=True)
    ]
    return [
        dataclasses.replace(
            reading, words=_normalised(page_boxes, size), unreadable_lines=_unreadable_lines(page_lines, low)
        )
        for reading, page_boxes, size, page_lines, low in zip(readings, boxes, sizes, lines, doubtful, strict=True)
    ]


def _unreadable_lines(lines: dict[tuple[int, int, int], list[str]], doubtful: dict[tuple[int, int, int], int]) -> int:
    return sum(
        1
        for key, words in lines.items()
        if len(words) >= URDU_LINE_WORDS and doubtful.get(key, 0) >= URDU_LINE_SHARE * len(words)
    )


def _normalised(boxes: list[tuple[str, int, int, int, int]], size: tuple[int, int]) -> tuple[WordBox, ...]:
    width, height = size
    return tuple(WordBox(word, left / width, top / height, wide / width, tall / height)
                 for word, left, top, wide, tall in boxes)  # fmt: skip


def _reading(
    lines: dict[tuple[int, int, int], list[str]], confidences: list[float], tall_lines: set[tuple[int, int, int]]
) -> _Reading:
    output: list[str] = []
    previous_paragraph: tuple[int, int] | None = None
    for key, words in lines.items():
        if previous_paragraph is not None and key[:2] != previous_paragraph:
            output.append("")
        output.append(" ".join(words))
        previous_paragraph = key[:2]
    confidence = round(sum(confidences) / len(confidences), 2) if confidences else None
    # Lines of several words decide: a single word (a page number, an Urdu word) can be taller than wide upright.
    counted = {key: len(words) for key, words in lines.items() if len(words) >= 2}
    tall_words = sum(count for key, count in counted.items() if key in tall_lines)
    sideways = tall_words > sum(counted.values()) / 2
    return _Reading(text="\n".join(output), confidence=confidence, sideways=sideways)


def _failure_reason(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines()]
    useful = [line for line in lines if line and not line.startswith(_CHATTER)]
    return "; ".join(useful[-3:])[:500] or "no message"


def run_tesseract(arguments: Sequence[str], timeout: float) -> str:
    """Run the tesseract CLI and return its stdout; OcrTimedOut past `timeout` s, OcrFailed when it fails."""
    command = [*([_SETPRIV, "--pdeathsig", "KILL"] if _SETPRIV else []), "tesseract", *arguments]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:  # run() has killed and reaped it
        raise OcrTimedOut(f"tesseract ran longer than {timeout:g} s") from error
    if completed.returncode < 0:  # killed by a signal: SIGKILL from the OOM killer, SIGSEGV on a bad image
        number = -completed.returncode
        raise OcrFailed(f"tesseract was stopped by signal {number} ({signal.strsignal(number) or 'unknown'})")
    if completed.returncode != 0:
        raise OcrFailed(f"tesseract failed: {_failure_reason(completed.stderr)}")
    return completed.stdout.decode(errors="replace")


class TesseractOcr:
    def __init__(
        self, timeout_seconds: float = 180, correct_orientation: bool = True, detect_urdu: bool = True
    ) -> None:
        self.timeout_seconds = timeout_seconds
        # Off only to measure what the checks cost (bench, decision 0008).
        self.correct_orientation = correct_orientation
        # Pages with unreadable lines read again with Urdu first (decision 0018); off only to measure it.
        self.detect_urdu = detect_urdu

    def available_languages(self) -> set[str]:
        return set(_installed_languages()) - {"osd"}

    def recognise(self, images: Sequence[Image.Image], languages: str) -> list[OcrResult]:
        """OCR the pages upright: straightened first when askew, read again at the quarter turn their lines
        suggest when the first reading is poor (decision 0008)."""
        if not images:
            return []
        started = time.monotonic()
        try:
            results = self._recognise(images, languages)
        finally:
            OCR_SECONDS.inc(time.monotonic() - started)
        OCR_PAGES.inc(len(images))
        return results

    def _recognise(self, images: Sequence[Image.Image], languages: str) -> list[OcrResult]:
        results, unreadable, read_from = self._recognise_upright(images, languages)
        return self._with_urdu(results, unreadable, read_from, languages)

    def _with_urdu(
        self, results: list[OcrResult], unreadable: list[int], read_from: list[Image.Image], languages: str
    ) -> list[OcrResult]:
        """Read again, Urdu first and the page's languages after it, the pages with unreadable lines; keep the new
        reading where Tesseract is more confident of it. Mixed pages keep both scripts: `urd+eng` reads English
        too (decision 0018)."""
        if not self.detect_urdu or URDU in languages.split("+") or URDU not in _installed_languages():
            return results
        again = [index for index, lines in enumerate(unreadable) if lines > 0]
        if not again:
            return results
        try:
            readings = self._read([read_from[index] for index in again], f"{URDU}+{languages}")
        except (OcrFailed, OcrTimedOut) as error:  # the first readings stand
            log.warning("reading %d pages again in Urdu failed; keeping their first reading: %s", len(again), error)
            return results
        for index, reading in zip(again, readings, strict=True):
            first = results[index]
            if reading.confidence is not None and reading.confidence > (first.confidence or 0.0):
                # Boxes of the image read, which is already upright: the result's rotation stays as it was.
                results[index] = dataclasses.replace(first, text=reading.text, confidence=reading.confidence,
                                                     words=reading.words)  # fmt: skip
        return results

    def _recognise_upright(
        self, images: Sequence[Image.Image], languages: str
    ) -> tuple[list[OcrResult], list[int], list[Image.Image]]:
        """The results, each page's unreadable lines, and the image each result was read from (turned upright)."""
        if not self.correct_orientation:
            pages = self._read(images, languages)
            results = [OcrResult(page.text, page.confidence, words=page.words) for page in pages]
            return results, [page.unreadable_lines for page in pages], list(images)
        skews = [estimate_skew(image) for image in images]
        straight = [straighten(image, skew) for image, skew in zip(images, skews, strict=True)]
        readings = self._read(straight, languages)
        turns = [upright_rotation(reading.confidence, reading.sideways) for reading in readings]
        # A page Tesseract read sideways as it was (rotation 270) has its boxes in the unturned image: turn them.
        results = [
            OcrResult(
                reading.text,
                reading.confidence,
                0 if again else rotation,
                skew,
                tuple(turn_box(box, 0 if again else rotation) for box in reading.words),
            )
            for reading, (rotation, again), skew in zip(readings, turns, skews, strict=True)
        ]
        unreadable = [reading.unreadable_lines for reading in readings]
        # The image each result was read from, upright (a page read sideways as it was is turned for a reread).
        read_from = [
            turn(image, rotation) if rotation and not again else image
            for image, (rotation, again) in zip(straight, turns, strict=True)
        ]
        retry = [index for index, (_, again) in enumerate(turns) if again]
        if not retry:
            return results, unreadable, read_from
        turned = [turn(straight[index], turns[index][0]) for index in retry]
        try:
            second_readings = self._read(turned, languages)
        except (OcrFailed, OcrTimedOut) as error:  # the first readings stand: no worse than without the check
            log.warning("reading %d pages again turned failed; keeping their first reading: %s", len(retry), error)
            for index in retry:  # Tesseract is failing on these pages: no third reading in Urdu either
                unreadable[index] = 0
            return results, unreadable, read_from
        for index, second, image in zip(retry, second_readings, turned, strict=True):
            first = readings[index].confidence or 0.0
            if second.confidence is not None and second.confidence >= first + MIN_CONFIDENCE_GAIN:
                # Read on the turned image: its boxes are already in the upright frame.
                results[index] = OcrResult(second.text, second.confidence, turns[index][0], skews[index], second.words)
                unreadable[index], read_from[index] = second.unreadable_lines, image
        return results, unreadable, read_from

    def _read(self, images: Sequence[Image.Image], languages: str) -> list[_Reading]:
        """All images in one Tesseract process, given a list of files: it loads its models once, not per page
        (0.07 CPU-s of the ~1.9 a page costs)."""
        with tempfile.TemporaryDirectory(prefix="casefile-ocr-") as directory:
            paths = [Path(directory, f"page-{index:04d}.pnm") for index in range(len(images))]
            for image, path in zip(images, paths, strict=True):
                image.save(path, format="PPM")  # uncompressed: the cheapest to write and for Tesseract to read
            file_list = Path(directory, "pages.txt")
            file_list.write_text("".join(f"{path}\n" for path in paths))
            try:
                tsv = run_tesseract(
                    [str(file_list), "stdout", "-l", languages, "tsv"], self.timeout_seconds * len(images)
                )
            except OcrTimedOut as error:
                raise OcrTimedOut(
                    f"OCR took longer than {self.timeout_seconds:g} s per page on {len(images)} pages"
                ) from error
        return _readings_from_tsv(tsv, len(images))
