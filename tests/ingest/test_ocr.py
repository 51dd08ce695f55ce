"""The Tesseract engine: its failures sorted into the right class, its metrics, and no orphan after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image
from prometheus_client import REGISTRY

import ingest.ocr
from core.errors import OcrFailed, OcrTimedOut
from ingest.ocr import TesseractOcr, run_tesseract
from tests.ingest.scans import PHRASES, slow_scan, turned_scan, upright_scan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page() -> Image.Image:
    return upright_scan()


def test_a_tesseract_error_is_ocr_failed_with_its_message() -> None:
    tiny = Image.new("L", (200, 100), 255)
    with pytest.raises(OcrFailed, match="Failed loading language 'xyz'") as caught:
        TesseractOcr().recognise([tiny], "xyz")
    assert not isinstance(caught.value, OcrTimedOut)


def test_an_unreadable_image_is_ocr_failed(tmp_path: Path) -> None:
    # A page Tesseract cannot open: the file list names it, but the file holds no image.
    listed = tmp_path / "page.pnm"
    listed.write_bytes(b"P5\n99999 99999\n255\n")  # a PGM header with no pixels
    (tmp_path / "pages.txt").write_text(f"{listed}\n")
    with pytest.raises(OcrFailed, match=r"tesseract failed: .*cannot be read"):
        run_tesseract([str(tmp_path / "pages.txt"), "stdout", "-l", "eng", "tsv"], timeout=60)


def test_a_page_over_the_time_limit_is_ocr_timed_out(page: Image.Image) -> None:
    started = time.monotonic()
    with pytest.raises(OcrTimedOut, match=r"longer than 0\.05 s per page on 1 pages"):
        TesseractOcr(timeout_seconds=0.05).recognise([page], "eng")
    assert time.monotonic() - started < 30  # killed at the limit, not left to finish the page


def test_ocr_pages_and_seconds_are_counted(page: Image.Image) -> None:
    pages_before = REGISTRY.get_sample_value("casefile_ocr_pages_total") or 0.0
    seconds_before = REGISTRY.get_sample_value("casefile_ocr_seconds_total") or 0.0
    [result] = TesseractOcr().recognise([page], "eng")
    assert all(phrase in " ".join(result.text.split()) for phrase in PHRASES)
    assert REGISTRY.get_sample_value("casefile_ocr_pages_total") == pages_before + 1
    assert (REGISTRY.get_sample_value("casefile_ocr_seconds_total") or 0.0) > seconds_before + 0.1


def test_a_failed_second_reading_keeps_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The upside-down page is read, then read again turned: that second Tesseract run fails here.
    calls: list[Sequence[str]] = []

    def second_run_fails(arguments: Sequence[str], timeout: float) -> str:
        calls.append(arguments)
        if len(calls) == 2:
            raise OcrTimedOut("tesseract ran longer than 1 s")
        return run_tesseract(arguments, timeout)

    monkeypatch.setattr(ingest.ocr, "run_tesseract", second_run_fails)
    [result] = TesseractOcr().recognise([turned_scan(180)], "eng")
    assert len(calls) == 2
    assert result.rotation == 0 and result.confidence is not None and result.confidence < 60


def _children(pid: int, name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        comm, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if comm == name and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"  # a zombie is dead, only not yet reaped


@pytest.mark.timeout(120)
def test_a_killed_tesseract_is_ocr_failed_not_a_timeout() -> None:
    failures: list[Exception] = []

    def ocr() -> None:
        try:
            TesseractOcr().recognise([slow_scan()], "eng")
        except Exception as error:
            failures.append(error)

    thread = threading.Thread(target=ocr)
    thread.start()
    deadline = time.monotonic() + 90
    while not (tesseracts := _children(os.getpid(), "tesseract")):
        assert thread.is_alive() and time.monotonic() < deadline, "tesseract never started"
        time.sleep(0.05)
    os.kill(tesseracts[0], signal.SIGKILL)  # as the kernel's OOM killer would
    thread.join(60)
    [failure] = failures
    assert type(failure) is OcrFailed and "signal 9 (Killed)" in str(failure)


@pytest.mark.timeout(120)
def test_tesseract_dies_with_a_sigkilled_worker() -> None:
    # One page of four pages' text: ~7 s of Tesseract. After its first second it writes nothing until the end,
    # so an orphan is not killed early by SIGPIPE on its parent's closed pipes.
    script = (
        "from ingest.ocr import TesseractOcr\n"
        "from tests.ingest.scans import slow_scan\n"
        "TesseractOcr().recognise([slow_scan()], 'eng')\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)})
    try:
        deadline = time.monotonic() + 90
        while not (tesseracts := _children(worker.pid, "tesseract")):
            assert worker.poll() is None, "the worker ended before starting tesseract"
            assert time.monotonic() < deadline, "tesseract never started"
            time.sleep(0.05)
        time.sleep(1.5)  # past its last message before the text
        assert all(_alive(pid) for pid in tesseracts)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        deadline = time.monotonic() + 2
        while any(_alive(pid) for pid in tesseracts) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in tesseracts), "tesseract outlived its SIGKILLed parent"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
