"""Documents the search and viewer tests share: a three-page English scan with a phrase on page 2 whose drawn
position is known, an Urdu scan, and text-layer PDFs carrying markup. Each is uploaded once per test session (a
scan takes seconds of OCR), through the API, into its own case."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from tests.samples import LATIN_FONT, URDU_FONT, born_digital_pdf
from tests.web.conftest import WebStack

DPI = 200
WIDTH, HEIGHT = int(8.27 * DPI), int(11.69 * DPI)
FONT_SIZE = int(DPI * 0.16)
LINE_STEP = int(FONT_SIZE * 1.8)
LEFT, TOP = int(DPI * 0.8), int(DPI * 0.9)

# Page 2's phrase is searched for; every page has a shared word, so a search for it hits all three.
PHRASE = "tamarind orchard boundary"
SCAN_PAGES = [
    ["IN THE HIGH COURT OF JUDICATURE", "Writ Petition of the petitioner", "The clerk recorded the hearing."],
    ["The respondents dispute the", f"old {PHRASE} near the canal", "The clerk recorded the hearing."],
    ["For the foregoing reasons the", "petition is allowed with costs.", "The clerk recorded the hearing."],
]
PHRASE_PAGE, PHRASE_LINE = 2, 1
URDU_LINES = ["عدالت عالیہ لاہور", "درخواست ضمانت منظور کی جاتی ہے", "ملزم کو رہا کیا جائے"]

_numbers = itertools.count(1)


def case_number(prefix: str) -> str:
    return f"{prefix}-{next(_numbers)}/2026"


@dataclass(frozen=True)
class Rect:
    """A region of a page as fractions of its width and height (x, y the top-left corner)."""

    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: Rect, tolerance: float = 0.0) -> bool:
        return (
            self.x < other.x + other.w + tolerance
            and other.x < self.x + self.w + tolerance
            and self.y < other.y + other.h + tolerance
            and other.y < self.y + self.h + tolerance
        )


def _font(urdu: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(URDU_FONT if urdu else LATIN_FONT), size=FONT_SIZE)


def scan_image(lines: list[str], urdu: bool = False) -> Image.Image:
    """A clean, upright page: the test knows where every line is (no skew, so no straightening moves it)."""
    page = Image.new("L", (WIDTH, HEIGHT), 240)
    draw = ImageDraw.Draw(page)
    font = _font(urdu)
    for number, line in enumerate(lines):
        y = TOP + number * LINE_STEP
        if urdu:
            width = draw.textlength(line, font=font, direction="rtl")
            draw.text((WIDTH - LEFT - width, y), line, font=font, fill=20, direction="rtl")
        else:
            draw.text((LEFT, y), line, font=font, fill=20)
    return page


def phrase_rect(line: str, phrase: str, line_number: int) -> Rect:
    """Where scan_image drew `phrase` within line `line_number` (0-based), as fractions of the page."""
    draw = ImageDraw.Draw(Image.new("L", (1, 1)))
    font = _font()
    start = line.index(phrase)
    left = LEFT + draw.textlength(line[:start], font=font)
    width = draw.textlength(phrase, font=font)
    top = TOP + line_number * LINE_STEP
    return Rect(left / WIDTH, top / HEIGHT, width / WIDTH, FONT_SIZE * 1.2 / HEIGHT)


def scanned_pdf(pages: list[list[str]], urdu: bool = False) -> bytes:
    images = [scan_image(lines, urdu) for lines in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return buffer.getvalue()


@dataclass(frozen=True)
class Uploaded:
    case: dict[str, Any]
    document: dict[str, Any]

    @property
    def document_id(self) -> str:
        return str(self.document["id"])


_cache: dict[tuple[str, str], Uploaded] = {}


def _upload_once(stack: WebStack, key: str, number: str, title: str, filename: str, content: bytes,
                 **form: str) -> Uploaded:  # fmt: skip
    if (stack.base_url, key) not in _cache:
        case = stack.create_case(case_number(number), title)
        with stack.api() as client:
            response = client.post(
                f"/api/v1/cases/{case['id']}/documents", files={"file": (filename, content)}, data=form
            )
        assert response.status_code in (201, 202), response.text
        document = stack.wait_until_done(response.json()["id"])
        assert document["status"] == "indexed", document
        _cache[(stack.base_url, key)] = Uploaded(case, document)
    return _cache[(stack.base_url, key)]


def english_scan(stack: WebStack) -> Uploaded:
    """Three scanned pages (no text layer: OCR), PHRASE on page 2."""
    return _upload_once(stack, "english", "WP", "Tamarind Growers v. Canal Board", "orchard-scan.pdf",
                        scanned_pdf(SCAN_PAGES), doc_type="judgment")  # fmt: skip


def urdu_scan(stack: WebStack) -> Uploaded:
    return _upload_once(stack, "urdu", "CRL", "ضمانت کی درخواست", "urdu-bail.pdf", scanned_pdf([URDU_LINES], urdu=True),
                        language="urd", doc_type="order")  # fmt: skip


MARKUP_TEXT = "<script>alert('page')</script> quokka <b>bold</b> & more"


def markup_pdf(stack: WebStack) -> Uploaded:
    """A text-layer page whose text is markup: it must show literally, never run."""
    return _upload_once(stack, "markup", "MK", "<script>alert('title')</script> Markup v. State", "markup.pdf",
                        born_digital_pdf([MARKUP_TEXT + "\nthe quokka crossed the road"]))  # fmt: skip


def many_pages(stack: WebStack, count: int = 25) -> Uploaded:
    """A text-layer PDF with the word 'wombat' on every page: more hits than one result page holds."""
    pages = [f"Page {number} of the wombat register.\nEntry {number}." for number in range(1, count + 1)]
    return _upload_once(stack, "many", "REG", "Wombat Register", "register.pdf", born_digital_pdf(pages),
                        doc_type="evidence")  # fmt: skip
