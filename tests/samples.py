"""Small real sample files, made by the tests themselves: born-digital PDFs and noisy, skewed scans."""

from __future__ import annotations

import io
import random
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")
LATIN_FONT = FONT_DIR / "dejavu" / "DejaVuSerif.ttf"
URDU_FONT = FONT_DIR / "noto" / "NotoNaskhArabic-Regular.ttf"

LEGAL_PAGES = [
    (
        "IN THE HIGH COURT OF JUDICATURE\n"
        "Writ Petition No. 1234 of 2024\n"
        "The petitioner seeks a writ of mandamus directing the respondents to decide\n"
        "the pending representation within a reasonable time. Learned counsel\n"
        "submits that the impugned order was passed without notice and in violation\n"
        "of the principles of natural justice."
    ),
    (
        "The respondents contend that the petition is not maintainable because an\n"
        "adequate alternate remedy of appeal is available under the statute.\n"
        "We have heard learned counsel for the parties and perused the record with\n"
        "their able assistance. The question of limitation does not arise here."
    ),
    (
        "For the foregoing reasons this petition is allowed and the impugned order\n"
        "is set aside. The matter is remanded to the competent authority for a fresh\n"
        "decision after affording an opportunity of hearing to the petitioner,\n"
        "preferably within sixty days. There shall be no order as to costs."
    ),
]

URDU_TEXT = "عدالت عالیہ\nدرخواست ضمانت منظور کی جاتی ہے\nملزم کو رہا کیا جائے"


def born_digital_pdf(pages: list[str] | None = None) -> bytes:
    """A text-layer PDF made with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for text in pages or LEGAL_PAGES:
        y = A4[1] - 72
        for line in text.split("\n"):
            pdf.drawString(72, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_page(
    text: str, seed: int = 0, dpi: int = 300, font_path: Path = LATIN_FONT, rtl: bool = False, font_size: float = 0.16
) -> Image.Image:
    """Render text as a grey, slightly skewed A4 scan with specks, like a photocopier would."""
    rng = random.Random(seed)
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), 235)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(str(font_path), size=int(dpi * font_size))
    y = int(dpi * 0.9)
    for line in text.split("\n"):
        if rtl:
            line_width = draw.textlength(line, font=font, direction="rtl")
            draw.text((width - int(dpi * 0.8) - line_width, y), line, font=font, fill=30, direction="rtl")
        else:
            draw.text((int(dpi * 0.8), y), line, font=font, fill=30)
        y += int(dpi * font_size * 1.8)
    for _ in range(400):  # specks
        x, yy = rng.randrange(width), rng.randrange(height)
        draw.ellipse((x, yy, x + rng.randint(1, 4), yy + rng.randint(1, 4)), fill=rng.randint(60, 160))
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    return page.rotate(rng.uniform(-1.2, 1.2), resample=Image.Resampling.BICUBIC, fillcolor=235, expand=False)


def scanned_pdf(pages: list[str] | None = None, dpi: int = 300) -> bytes:
    images = [scanned_page(text, seed=index, dpi=dpi) for index, text in enumerate(pages or LEGAL_PAGES)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


def scanned_tiff(pages: list[str] | None = None, dpi: int = 300) -> bytes:
    images = [scanned_page(text, seed=10 + index, dpi=dpi) for index, text in enumerate(pages or LEGAL_PAGES)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate", dpi=(dpi, dpi)
    )
    return buffer.getvalue()


def urdu_scan_png() -> bytes:
    buffer = io.BytesIO()
    scanned_page(URDU_TEXT, seed=3, font_path=URDU_FONT, rtl=True).save(buffer, format="PNG")
    return buffer.getvalue()


def png_bomb(side: int = 30000) -> bytes:
    """A tiny PNG that claims side×side pixels: decompressing it would need ~900 MB."""
    raw_row = b"\x00" + b"\x00" * ((side + 7) // 8)  # filter byte + 1-bit pixels
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(raw_row) for _ in range(side)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(born_digital_pdf())).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    data = born_digital_pdf()
    return data[: len(data) // 3]


def elf_executable() -> bytes:
    """The first bytes of a real x86-64 ELF binary."""
    return Path("/bin/true").read_bytes()[:4096]


def many_pages_pdf(count: int) -> bytes:
    return born_digital_pdf([f"page {number}" for number in range(1, count + 1)])
