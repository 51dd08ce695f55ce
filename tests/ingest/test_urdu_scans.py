"""Urdu scans are searchable in Urdu without the uploader choosing a language (decision 0018): the OCR engine reads a
page again, Urdu first, when an English reading leaves lines unreadable; English pages are read once; mixed pages
keep both scripts. On the engine, and end to end on both stacks."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from PIL import Image, ImageChops

import ingest.ocr
from ingest.ocr import TesseractOcr, run_tesseract
from search.urdu import normalise_urdu
from tests.conftest import Api
from tests.ingest.scans import upright_scan
from tests.samples import LATIN_FONT, URDU_FONT, scanned_page, urdu_scan_png

MIXED_ENGLISH = "The petitioner seeks bail before the learned court\nCounsel submits the impugned order is void"
MIXED_URDU = "درخواست ضمانت منظور کی جاتی ہے\nملزم کو رہا کیا جائے"


def mixed_page() -> Image.Image:
    """Two English lines above two Urdu lines, on one scanned page."""
    english = scanned_page(MIXED_ENGLISH + "\n" * 6, seed=7, font_path=LATIN_FONT, font_size=0.12)
    urdu = scanned_page("\n" * 4 + MIXED_URDU, seed=8, font_path=URDU_FONT, rtl=True, font_size=0.12)
    return ImageChops.darker(english, urdu)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[Sequence[str]]:
    calls: list[Sequence[str]] = []

    def counted(arguments: Sequence[str], timeout: float) -> str:
        calls.append(arguments)
        return run_tesseract(arguments, timeout)

    monkeypatch.setattr(ingest.ocr, "run_tesseract", counted)
    return calls


def test_an_urdu_page_read_without_urdu_is_read_again_in_urdu(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    image = Image.open(io.BytesIO(urdu_scan_png()))
    [result] = TesseractOcr().recognise([image], "eng")
    assert "درخواست ضمانت منظور" in normalise_urdu(result.text)
    languages = [arguments[list(arguments).index("-l") + 1] for arguments in calls]
    assert languages[0] == "eng" and languages[-1] == "urd+eng"
    assert result.confidence is not None and result.confidence > 80
    assert {box.text for box in result.words} >= {"درخواست", "ضمانت"}


def test_an_english_page_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    [result] = TesseractOcr().recognise([upright_scan()], "eng")
    assert "natural justice" in result.text
    assert len(calls) == 1 and "urd" not in " ".join(calls[0])


def test_without_the_check_an_urdu_page_stays_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    image = Image.open(io.BytesIO(urdu_scan_png()))
    [result] = TesseractOcr(detect_urdu=False).recognise([image], "eng")
    assert "درخواست" not in normalise_urdu(result.text)
    assert all("urd" not in " ".join(arguments) for arguments in calls)


def test_a_mixed_page_keeps_both_scripts() -> None:
    [result] = TesseractOcr().recognise([mixed_page()], "eng")
    text = normalise_urdu(result.text)
    assert "petitioner" in text and "impugned" in text
    assert "درخواست ضمانت" in text and "ملزم" in text


def test_an_urdu_language_chosen_is_read_as_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    image = Image.open(io.BytesIO(urdu_scan_png()))
    [result] = TesseractOcr().recognise([image], "urd")
    assert "درخواست ضمانت" in normalise_urdu(result.text)
    assert all(arguments[list(arguments).index("-l") + 1] == "urd" for arguments in calls)


def test_an_urdu_scan_uploaded_without_a_language_is_found_by_an_urdu_phrase(stack_api: Api) -> None:
    case = stack_api.create_case(number="Crl. Misc. No. 78-B of 2025")
    response = stack_api.upload(case["id"], "ضمانت.png", urdu_scan_png())  # no language chosen
    assert response.status_code == 202, response.text
    document = stack_api.wait_until_done(response.json()["id"])
    assert document["status"] == "indexed", document["error"]
    for query in ('"درخواست ضمانت منظور"', '"ملزم كو"', "عاليه"):  # typed with Arabic kaf, yeh and heh too
        result = stack_api.search(query, case_id=case["id"])
        assert result["total"] == 1, query
        assert result["hits"][0]["page"] == 1


def test_a_mixed_page_is_found_by_an_english_and_an_urdu_word(stack_api: Api) -> None:
    case = stack_api.create_case(number="W.P. No. 79 of 2025")
    response = stack_api.upload(case["id"], "mixed.png", _png(mixed_page()))
    assert response.status_code == 202, response.text
    document = stack_api.wait_until_done(response.json()["id"])
    assert document["status"] == "indexed", document["error"]
    assert stack_api.search("petitioner", case_id=case["id"])["total"] == 1
    assert stack_api.search("ضمانت", case_id=case["id"])["total"] == 1
    assert stack_api.search('"ملزم کو"', case_id=case["id"])["total"] == 1
