"""A reproducible corpus of legal papers: born-digital PDFs, and scans made from them (grey, skewed, specks).

Every page has sentences built from a seeded generator, with names, numbers and dates that make
phrases unique, so a phrase taken from a page has exactly one right (document, page) answer.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from tests.samples import scanned_page

SUBJECTS = ["The petitioner", "The respondent", "Learned counsel for the appellant", "The learned trial court",
            "The accused", "The complainant", "The Deputy Attorney General", "The revenue authority",
            "The learned Additional Sessions Judge", "The plaintiff", "The defendant", "The tribunal"]  # fmt: skip
VERBS = ["contended that", "submitted that", "observed that", "held that", "argued that", "conceded that",
         "maintained that", "failed to show that", "rightly noted that", "recorded that"]  # fmt: skip
CLAUSES = [
    "the impugned order was passed without notice",
    "the principles of natural justice were violated",
    "an adequate alternate remedy of appeal was available",
    "the suit was barred by limitation",
    "the evidence on record does not support the conviction",
    "the mutation was sanctioned in violation of law",
    "the retirement order was issued without jurisdiction",
    "the bail petition deserves to be accepted",
    "the prosecution case suffers from material contradictions",
    "the contract was frustrated by the flood",
    "the department acted in a mala fide manner",
    "the findings of fact are based on misreading of evidence",
    "the writ petition is not maintainable",
    "the accused is entitled to the benefit of doubt",
    "the tenancy was terminated in accordance with the statute",
    "the assessment order suffers from illegality",
]
NAMES = ["Muhammad Aslam", "Rashida Bibi", "Ghulam Rasool", "Nasir Mehmood", "Farzana Kausar", "Abdul Qadir",
         "Shahid Iqbal", "Zubaida Khatoon", "Tariq Javed", "Imran Latif", "Saima Noreen", "Khalid Pervaiz"]  # fmt: skip
PLACES = ["Lahore", "Multan", "Rawalpindi", "Faisalabad", "Gujranwala", "Sialkot", "Bahawalpur", "Sargodha"]


@dataclass(frozen=True)
class Paper:
    name: str
    pages: list[str]
    scanned: bool


def page_text(rng: random.Random, document: int, page: int, lines: int = 48) -> str:
    sentences = []
    for _ in range(lines // 2):
        name, place = rng.choice(NAMES), rng.choice(PLACES)
        number = rng.randint(100, 9999)
        claim = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAUSES)}"
        day = f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.{rng.randint(1990, 2024)}"
        sentences.append(f"{claim} in case {number} of {name} at {place} on {day}.")
    words = " ".join(sentences).split()
    # Wrap at about 80 characters, as a printed page would.
    out, line = [], ""
    for word in words:
        if len(line) + len(word) + 1 > 80:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return f"Document {document} page {page}\n" + "\n".join(out)


def make_corpus(documents: int, pages_per_document: int, scanned_every: int = 2, seed: int = 7) -> list[Paper]:
    rng = random.Random(seed)
    return [
        Paper(name=f"paper-{number:04d}", scanned=number % scanned_every == 1,
              pages=[page_text(rng, number, page) for page in range(1, pages_per_document + 1)])
        for number in range(documents)
    ]  # fmt: skip


def born_digital_pdf(pages: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for text in pages:
        y = A4[1] - 60
        for line in text.split("\n"):
            pdf.setFont("Times-Roman", 11)
            pdf.drawString(60, y, line)
            y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scan_images(pages: list[str], dpi: int = 300, seed: int = 0) -> list[Image.Image]:
    return [scanned_page(text, seed=seed + index, dpi=dpi, font_size=0.11) for index, text in enumerate(pages)]


def scanned_pdf(pages: list[str], dpi: int = 300, seed: int = 0) -> bytes:
    images = scan_images(pages, dpi, seed)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


def scanned_tiff(pages: list[str], dpi: int = 300, seed: int = 0) -> bytes:
    images = scan_images(pages, dpi, seed)
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate",
                   dpi=(dpi, dpi))  # fmt: skip
    return buffer.getvalue()


def unique_phrases(
    corpus: list[Paper], per_page: int = 1, words: int = 6, seed: int = 11
) -> list[tuple[str, str, int]]:
    """(phrase, paper name, page number): spans that occur on exactly one page of the corpus."""
    rng = random.Random(seed)
    normalised = {(paper.name, number): " ".join(text.lower().split())
                  for paper in corpus for number, text in enumerate(paper.pages, start=1)}  # fmt: skip
    chosen = []
    for (name, number), text in normalised.items():
        tokens = [token.strip(".,") for token in text.split()[4:]]  # skip the "Document N page M" header
        for _ in range(20):
            start = rng.randrange(0, max(1, len(tokens) - words))
            phrase = " ".join(tokens[start : start + words])
            if sum(phrase in other for other in normalised.values()) == 1:
                chosen.append((phrase, name, number))
                if sum(1 for entry in chosen if entry[1:] == (name, number)) >= per_page:
                    break
    return chosen


def write_files(corpus: list[Paper], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, paper in enumerate(corpus):
        if not paper.scanned:
            path, content = directory / f"{paper.name}.pdf", born_digital_pdf(paper.pages)
        elif index % 4 == 1:
            path, content = directory / f"{paper.name}.tif", scanned_tiff(paper.pages, seed=index)
        else:
            path, content = directory / f"{paper.name}.pdf", scanned_pdf(paper.pages, seed=index)
        path.write_bytes(content)
        paths.append(path)
    return paths
