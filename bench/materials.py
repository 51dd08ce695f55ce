"""The benchmark's own documents, made with bench/corpus.py: scanned PDFs with their ground truth, pre-rendered
pages for the raw baselines, born-digital PDFs, and synthetic page entries for the search corpus."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from bench.common import CORES
from bench.corpus import NAMES, born_digital_pdf, make_corpus, page_text, scanned_pdf
from search.schemas import CaseFields, PageEntry

COURTS = [
    "Lahore High Court",
    "Sindh High Court",
    "Peshawar High Court",
    "Islamabad High Court",
    "Supreme Court",
    "District Court Multan",
]
CASE_TYPES = ["writ", "criminal appeal", "civil revision", "bail", "tax reference"]
STATUSES = ["intake", "assigned", "pending", "reserved", "decided"]
DOC_TYPES = ["petition", "reply", "order", "judgment", "evidence"]


@dataclass(frozen=True)
class ScannedDocument:
    path: Path  # the scanned PDF that is uploaded (and given to ocrmypdf)
    truths: list[str]  # the text printed on each page


@dataclass(frozen=True)
class BornDigitalDocument:
    path: Path
    pages: list[str]


def _write_scan(job: tuple[Path, list[str], int]) -> Path:
    path, pages, seed = job
    path.write_bytes(scanned_pdf(pages, dpi=300, seed=seed))
    return path


def scanned_documents(
    directory: Path, documents: int, pages_per_document: int, seed: int = 2026
) -> list[ScannedDocument]:
    """Scanned PDFs of full pages (about 46 lines each); made in parallel, since each page costs ~0.4 s."""
    directory.mkdir(parents=True, exist_ok=True)
    corpus = make_corpus(documents, pages_per_document, scanned_every=1, seed=seed)
    jobs = [(directory / f"{paper.name}.pdf", paper.pages, seed + 100 * index) for index, paper in enumerate(corpus)]
    with ProcessPoolExecutor(max_workers=CORES) as pool:
        paths = list(pool.map(_write_scan, jobs))
    return [ScannedDocument(path, paper.pages) for path, paper in zip(paths, corpus, strict=True)]


def render_pages(documents: list[ScannedDocument], dpi: int, directory: Path) -> list[Path]:
    """Each page rendered exactly as ingest/parsers/pdf.py renders it, saved as PGM (no decoding cost)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in documents:
        pdf = pdfium.PdfDocument(document.path)
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            path = directory / f"{document.path.stem}-p{index + 1:03d}.pgm"
            image.save(path)
            paths.append(path)
            page.close()
        pdf.close()
    return paths


def born_digital_documents(
    directory: Path, documents: int, pages_per_document: int, seed: int = 7
) -> list[BornDigitalDocument]:
    directory.mkdir(parents=True, exist_ok=True)
    result = []
    for paper in make_corpus(documents, pages_per_document, seed=seed):  # every paper as born-digital here
        path = directory / f"{paper.name}-{pages_per_document}p.pdf"
        path.write_bytes(born_digital_pdf(paper.pages))
        result.append(BornDigitalDocument(path, paper.pages))
    return result


def synthetic_pages(start: int, count: int, pages_per_document: int = 20, seed: int = 99) -> Iterator[PageEntry]:
    """Page entries for the search corpus: real-looking page text, case fields spread over courts and types.

    Page i is the same in every run (seeded by its number), so the 10k corpus is the first 10k of the 100k one.
    """
    for number in range(start, start + count):
        document, page = divmod(number, pages_per_document)
        case = document // 5  # five documents per case
        rng = random.Random(seed * 1_000_003 + number)
        fields = CaseFields(
            case_id=f"case-{case:06d}",
            case_number=f"W.P. No. {case} of {2000 + case % 25}",
            court=COURTS[case % len(COURTS)],
            status=STATUSES[case % len(STATUSES)],
            case_type=CASE_TYPES[case % len(CASE_TYPES)],
            parties=(NAMES[case % len(NAMES)], NAMES[(case + 5) % len(NAMES)]),
        )
        yield PageEntry(
            document_id=f"doc-{document:07d}",
            page_number=page + 1,
            text=page_text(rng, document, page + 1),
            case=fields,
            doc_type=DOC_TYPES[document % len(DOC_TYPES)],
            filed_on=date(2000 + case % 25, 1 + case % 12, 1 + case % 28),
            title=f"Paper {document}",
            filename=f"paper-{document:07d}.pdf",
            language="eng",
        )
