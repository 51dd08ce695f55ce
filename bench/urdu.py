"""Urdu OCR without a chosen language (decision 0018): Urdu CER on Naskh and Nastaliq pages, and what each way of
finding Urdu costs English scans.

Ways compared on the same pages, each through Casefile's OCR engine (orientation checks on, as it runs):
- `eng`: English only, no Urdu check (before this decision);
- `reread` (chosen): English first; a page with an unreadable line is read again as `urd+eng`;
- `eng+urd`: both models on every page;
- `osd`: Tesseract's script detection (`--psm 0`) on every page, then `urd+eng` for Arabic script, else `eng`.
CPU is this process's and its Tesseract children's (wall time is moved by other work on a shared machine); `r1`
for the chosen way is pages per CPU-second of the engine over the raw `tesseract -l eng` CLI's on the same pages.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops

from bench.common import CORES, clock, entry, rounded
from bench.corpus import make_corpus, scan_images
from bench.ocr import TESSERACT_ENV, cer, raw_tesseract
from ingest.ocr import TesseractOcr, run_tesseract
from search.urdu import normalise_urdu
from tests.samples import FONT_DIR, LATIN_FONT, scanned_page

NASKH = FONT_DIR / "noto" / "NotoNaskhArabic-Regular.ttf"
NASTALIQ = FONT_DIR / "noto" / "NotoNastaliqUrdu-Regular.ttf"
URDU_LINES = [
    "عدالت عالیہ لاہور میں رٹ درخواست نمبر 1234 سال 2024 کی سماعت ہوئی",
    "درخواست گزار کے وکیل نے موقف اختیار کیا کہ حکم نامہ بغیر نوٹس کے جاری کیا گیا",
    "مدعا علیہان کے وکیل نے کہا کہ درخواست قابل سماعت نہیں ہے",
    "فریقین کے وکلاء کے دلائل سنے گئے اور ریکارڈ کا جائزہ لیا گیا",
    "عدالت نے قرار دیا کہ فطری انصاف کے اصولوں کی خلاف ورزی ہوئی ہے",
    "لہذا درخواست منظور کی جاتی ہے اور متنازعہ حکم کالعدم قرار دیا جاتا ہے",
    "ملزم کو ضمانت پر رہا کیا جائے بشرطیکہ وہ ایک لاکھ روپے کے مچلکے جمع کرائے",
    "معاملہ متعلقہ اتھارٹی کو واپس بھیجا جاتا ہے تاکہ وہ ساٹھ دن میں فیصلہ کرے",
]
URDU_PAGES = ["\n".join(URDU_LINES), "\n".join(reversed(URDU_LINES))]
ENGLISH_LINES = ["The petitioner seeks bail in the case registered at Lahore on 12.3.2024.",
                 "Learned counsel submits that the impugned order was passed without notice."]  # fmt: skip
URDU_FONT_SIZE = 0.16  # inches, about 11.5 pt: a typed Urdu order (the English corpus is at 8 pt)
ENGLISH_PAGES = 6
MODES = ("eng", "reread", "eng+urd", "osd")
SCRIPT = re.compile(r"^Script: (\w+)", re.MULTILINE)


def urdu_pages(font: Path) -> list[Image.Image]:
    return [scanned_page(text, seed=30 + number, font_path=font, rtl=True, font_size=URDU_FONT_SIZE)
            for number, text in enumerate(URDU_PAGES)]  # fmt: skip


def mixed_page() -> Image.Image:
    """English lines above, Urdu lines below, on one page."""
    english = scanned_page("\n".join(ENGLISH_LINES) + "\n" * 8, seed=41, font_path=LATIN_FONT, font_size=0.11)
    urdu = scanned_page("\n" * 4 + "\n".join(URDU_LINES[:3]), seed=42, font_path=NASKH, rtl=True, font_size=0.11)
    return ImageChops.darker(english, urdu)


def _osd_script(image: Image.Image) -> str:
    with tempfile.TemporaryDirectory(prefix="casefile-osd-") as directory:
        path = Path(directory, "page.pnm")
        image.save(path, format="PPM")
        try:
            output = run_tesseract([str(path), "stdout", "--psm", "0"], 120)
        except Exception:  # OSD gives up on pages with too little text: treat as Latin
            return "Latin"
    found = SCRIPT.search(output)
    return found.group(1) if found else "Latin"


def read(mode: str, images: Sequence[Image.Image]) -> list[str]:
    """The pages' text as Casefile's engine reads them in this mode, in runs of up to four pages."""
    texts: list[str] = []
    for start in range(0, len(images), 4):
        run = list(images[start : start + 4])
        if mode == "reread":
            texts += [result.text for result in TesseractOcr().recognise(run, "eng")]
        elif mode == "osd":
            for image in run:
                languages = "urd+eng" if _osd_script(image) == "Arabic" else "eng"
                texts += [result.text for result in TesseractOcr(detect_urdu=False).recognise([image], languages)]
        else:
            texts += [result.text for result in TesseractOcr(detect_urdu=False).recognise(run, mode)]
    return texts


def measured(mode: str, images: Sequence[Image.Image], truths: Sequence[str]) -> dict[str, Any]:
    with clock() as timing:
        texts = read(mode, images)
    return {
        "cpu_s_per_page": rounded((timing.own_cpu + timing.children_cpu) / len(images)),
        "cer_pct": rounded(
            mean(cer(normalise_urdu(text), normalise_urdu(truth)) for text, truth in zip(texts, truths, strict=True))
        ),
        "raw_cer_pct": rounded(mean(cer(text, truth) for text, truth in zip(texts, truths, strict=True))),
    }


def mean(values: Any) -> float:
    items = list(values)
    return sum(items) / max(1, len(items))


def r1_english(images: list[Image.Image], work: Path) -> dict[str, Any]:
    """r1 for English scans in-process: pages per CPU-second of the engine (the chosen way, and without the Urdu
    check) over the raw `tesseract -l eng` CLI's, on the same pages, CORES at a time. CPU, not wall time: on a shared
    machine wall time follows the other work (both are reported); with the cores to itself, throughput is 1/CPU."""
    work.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, image in enumerate(images):
        path = work / f"english-{number:02d}.pgm"
        image.save(path)
        paths.append(path)

    def engine(mode: str) -> tuple[float, float]:
        shares = [images[index::CORES] for index in range(CORES)]
        with clock() as timing, ThreadPoolExecutor(max_workers=CORES) as pool:
            list(pool.map(lambda share: read(mode, share), shares))
        return (timing.own_cpu + timing.children_cpu) / len(images), len(images) / timing.wall

    raw = raw_tesseract(paths)
    raw_cpu, raw_pages_per_s = raw.timing.children_cpu / len(images), len(images) / raw.timing.wall
    chosen_cpu, chosen_pages_per_s = engine("reread")
    without_cpu, without_pages_per_s = engine("eng")
    return {
        "value": raw_cpu / chosen_cpu,
        "cpu_s_per_page": rounded(chosen_cpu),
        "cpu_s_per_page_without_urdu_check": rounded(without_cpu),
        "tesseract_cpu_s_per_page": rounded(raw_cpu),
        "ratio_without_urdu_check": rounded(raw_cpu / without_cpu),
        "wall_pages_per_s": rounded(chosen_pages_per_s),
        "wall_pages_per_s_without_urdu_check": rounded(without_pages_per_s),
        "wall_tesseract_pages_per_s": rounded(raw_pages_per_s),
        "method": "pages per CPU-second, engine (orientation checks on) over `tesseract PAGE stdout -l eng`",
    }


def run_urdu(work: Path, english_pages: int = ENGLISH_PAGES) -> dict[str, Any]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    assert TESSERACT_ENV["OMP_THREAD_LIMIT"] == "1"
    english_truths = [
        page for paper in make_corpus(1, english_pages, scanned_every=1, seed=2026) for page in paper.pages
    ]
    english = scan_images(english_truths, 300, 2026)
    fonts = {"naskh": NASKH, "nastaliq": NASTALIQ}
    urdu = {name: urdu_pages(font) for name, font in fonts.items()}
    mixed = mixed_page()
    mixed_truth = "\n".join(ENGLISH_LINES + URDU_LINES[:3])
    report: dict[str, Any] = {"english": {}, "naskh": {}, "nastaliq": {}, "mixed": {}}
    for mode in MODES:
        report["english"][mode] = measured(mode, english, english_truths)
        for name in fonts:
            report[name][mode] = measured(mode, urdu[name], URDU_PAGES)
        text = read(mode, [mixed])[0]
        report["mixed"][mode] = {
            "cer_pct": rounded(cer(normalise_urdu(text), normalise_urdu(mixed_truth))),
            "english_words_found": sum(word in text for word in ("petitioner", "impugned", "counsel")),
            "urdu_words_found": sum(word in normalise_urdu(text) for word in ("عدالت", "درخواست", "وکیل")),
        }
    report["urdu_explicit"] = {name: measured("urd", urdu[name], URDU_PAGES) for name in fonts}
    r1 = r1_english(english, work / "urdu-english")
    base = report["english"]["eng"]["cpu_s_per_page"]
    details = {
        "modes": MODES,
        "chosen": "reread",
        "english_cpu_cost_pct": {
            mode: rounded(100 * (report["english"][mode]["cpu_s_per_page"] - base) / base, 1) for mode in MODES
        },
        "pages": {"english": len(english), "naskh": len(URDU_PAGES), "nastaliq": len(URDU_PAGES), "mixed": 1},
        "note": "CER in percent after the Urdu normaliser on both sides (raw_cer_pct: before); "
        "urdu_explicit: the uploader chose urd",
    }
    return {
        "urdu_cer_naskh": entry(report["naskh"]["reread"]["cer_pct"], "<= 10", **report["naskh"]),
        "urdu_cer_nastaliq": entry(report["nastaliq"]["reread"]["cer_pct"], "<= 10", **report["nastaliq"]),
        "urdu_r1_ocr_english": entry(
            r1.pop("value"),
            ">= 0.95",
            **r1,
            english=report["english"],
            mixed=report["mixed"],
            urdu_explicit=report["urdu_explicit"],
            **details,
        ),
    }


if __name__ == "__main__":  # python -m bench.urdu: the figures without the bench runner
    import json

    with tempfile.TemporaryDirectory() as directory:
        print(json.dumps(run_urdu(Path(directory)), indent=2, ensure_ascii=False))
