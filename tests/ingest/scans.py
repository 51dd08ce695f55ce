"""Scans that the OCR tests make: pages turned a quarter, upside down or askew, in PNG, TIFF and PDF, and PDFs
with giant pages and images."""

from __future__ import annotations

import io
import random
import zlib

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tests.samples import LATIN_FONT

# Dense lines at a small type size (8 pt), as on a real court paper: long lines are what a skew
# breaks, since each spans several line heights once tilted.
PARAGRAPH = (
    "The petitioner seeks a writ of mandamus directing the respondents to decide the pending\n"
    "representation within a reasonable time. Learned counsel submits that the impugned order was\n"
    "passed without notice and in violation of the principles of natural justice, and that the\n"
    "respondents acted in a mala fide manner when they sealed the premises of the petitioner.\n"
    "The respondents contend that the petition is not maintainable because an adequate alternate\n"
    "remedy of appeal is available under the statute, and that the question of limitation arises.\n"
    "We have heard learned counsel for the parties and perused the record with their assistance.\n"
    "For the foregoing reasons this petition is allowed and the impugned order is set aside. The\n"
    "matter is remanded to the competent authority for a fresh decision after affording a hearing.\n"
)
PAGE_TEXT = "\n".join([PARAGRAPH] * 3)
# Phrases the OCR of a page must contain: each spans a line's middle, where a tilt does its damage.
PHRASES = ("principles of natural justice", "adequate alternate remedy", "competent authority for a fresh decision")

PAPER = 235


def upright_scan(text: str = PAGE_TEXT, seed: int = 5, dpi: int = 300) -> Image.Image:
    """An A4 photocopy with no tilt at all (samples.scanned_page adds up to ±1.2°), so a test knows the skew it
    adds exactly: grey paper, dark type, specks and a slight blur."""
    rng = random.Random(seed)
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    page = Image.new("L", (width, height), PAPER)
    draw = ImageDraw.Draw(page)
    size = int(dpi * 0.11)
    font = ImageFont.truetype(str(LATIN_FONT), size=size)
    for number, line in enumerate(text.split("\n")):
        draw.text((int(dpi * 0.8), int(dpi * 0.9) + number * int(size * 1.8)), line, font=font, fill=30)
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height)
        draw.ellipse((x, y, x + rng.randint(1, 4), y + rng.randint(1, 4)), fill=rng.randint(60, 160))
    return page.filter(ImageFilter.GaussianBlur(0.6))


def turned_scan(rotation: int, skew_degrees: float = 0.0, seed: int = 5) -> Image.Image:
    """A page that must be turned `rotation` degrees clockwise to read, tilted `skew_degrees` counter-clockwise
    (so straightened by that many clockwise): what ExtractedPage.rotation and .skew_degrees should then say."""
    page = upright_scan(seed=seed)
    if skew_degrees:
        page = page.rotate(skew_degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=PAPER)
    return page.rotate(rotation, expand=True) if rotation else page  # PIL turns counter-clockwise


def encode(images: list[Image.Image], image_format: str, dpi: int = 300) -> bytes:
    """The pages as one PNG (first page only), multi-page TIFF or image-only PDF, as a scanner would save them."""
    buffer = io.BytesIO()
    if image_format == "PNG":
        images[0].save(buffer, format="PNG", dpi=(dpi, dpi))
    elif image_format == "TIFF":
        images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate",
                       dpi=(dpi, dpi))  # fmt: skip
    else:
        images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the given object bodies (object n is objects[n - 1]), with its cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def giant_mono_pdf(side: int = 35000, dpi: int = 300) -> bytes:
    """One page that is a side×side 1-bit white scan at `dpi`, like OCRmyPDF's hugemono.pdf: ~150 KB of Flate
    that decodes to side² pixels (1.2 gigapixels for 35000)."""
    row = b"\xff" * ((side + 7) // 8)  # 1 is white in a 1-bit DeviceGray image
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    points = side / dpi * 72
    image = _stream(
        b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 1 "
        b"/Filter /FlateDecode" % (side, side),
        data,
    )
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 4 0 R >> >> "
            b"/Contents 5 0 R >>" % (points, points),
            image,
            _stream(b"", b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (points, points)),
        ]
    )


def poster_pdf(text: str = "NOTICE OF HEARING", inches: float = 100.0) -> bytes:
    """One page `inches` square holding a small scan of a line of large type (no text layer, so it goes to OCR):
    900 megapixels when rendered whole at 300 dpi, from a 2400×300 pixel image."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    line = Image.new("L", (2400, 300), 255)
    ImageDraw.Draw(line).text((60, 60), text, font=ImageFont.truetype(str(LATIN_FONT), 160), fill=0)
    side = inches * 72
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(side, side))
    pdf.drawImage(ImageReader(line), side * 0.05, side / 2, width=side * 0.9, height=side * 0.9 * 300 / 2400)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def slow_scan() -> Image.Image:
    """Four pages' worth of text on one A2-sized scan: a single page that keeps Tesseract busy for seconds."""
    page = upright_scan()
    sheet = Image.new("L", (page.width * 2, page.height * 2), PAPER)
    for index in range(4):
        sheet.paste(page, ((index % 2) * page.width, (index // 2) * page.height))
    return sheet
