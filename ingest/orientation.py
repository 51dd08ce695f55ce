"""Page orientation and skew: cheap checks that let sideways, upside-down and askew scans be OCR'd upright.

Conventions (decision 0008): both angles are clockwise turns of the page image, as CSS `rotate()` and PDF
`/Rotate` count them. `skew_degrees` is the small turn that straightened the text before OCR; `rotation` is the
quarter turn that shows the page upright. Turns about the centre commute, so their order does not matter.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

# Skews searched, either way. Scanner feeders rarely go past 7°; beyond 10° a page is not skewed but misplaced.
MAX_SKEW_DEGREES = 10.0
# Tesseract reads text tilted by less than this as well as straight text (measured up to 4°, decision 0008),
# and straightening costs a resample of the whole page, so smaller skews are left alone.
MIN_DESKEW_DEGREES = 2.0
# A projection profile must beat the unturned one by this factor to count: photos and blank pages have no
# text lines, and their best angle is noise.
MIN_PROFILE_GAIN = 1.25
# Below this mean word confidence a page is read again at the quarter turn its line shapes suggest. Upright
# scans score 85-95; upside-down and sideways ones 35-45.
LOW_CONFIDENCE = 60.0
# A second reading replaces the first only when it is clearly better.
MIN_CONFIDENCE_GAIN = 10.0
# Dark pixels sampled for the profile: enough for 0.1° on an A4 page, and a bound on a dark photo's cost.
_MAX_POINTS = 60_000
_WORKING_SIDE = 1000  # pixels on the long side of the downscaled copy that skew is measured on


def _otsu_threshold(pixels: npt.NDArray[np.uint8]) -> int:
    """The grey level that best splits ink from paper (Otsu's method on the histogram)."""
    histogram = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    total, total_mean = weights[-1], means[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_mean * weights / total - means) ** 2 / (weights * (total - weights))
    return int(np.nan_to_num(between).argmax())  # 0 for a page of one grey (all NaN): no ink below it


def _profile_scores(
    ys: npt.NDArray[np.float64], xs: npt.NDArray[np.float64], angles: npt.NDArray[np.float64], size: int
) -> npt.NDArray[np.float64]:
    """For each angle, how sharply the ink falls into rows and into columns once turned by it: the sum of squared
    differences between neighbouring bins of the projection (Leptonica's measure), as (angles, 2)."""
    scores = np.empty((len(angles), 2))
    offset = size / 2
    for index, angle in enumerate(np.deg2rad(angles)):
        cosine, sine = np.cos(angle), np.sin(angle)
        rows = np.bincount((ys * cosine + xs * sine + offset).astype(np.intp), minlength=size).astype(np.float64)
        columns = np.bincount((xs * cosine - ys * sine + offset).astype(np.intp), minlength=size).astype(np.float64)
        scores[index] = (np.square(np.diff(rows)).sum(), np.square(np.diff(columns)).sum())
    return scores


def estimate_skew(image: Image.Image) -> float:
    """The clockwise turn, in degrees, that straightens the page's text lines (whether they run across or, on a
    sideways page, down it); 0.0 when it is under MIN_DESKEW_DEGREES or the page shows no clear lines.

    A projection profile on a copy reduced to ~1000 pixels: about 16 ms for an A4 page at 300 dpi."""
    grey = image if image.mode == "L" else image.convert("L")
    factor = max(1, round(max(grey.size) / _WORKING_SIDE))
    small = np.asarray(grey.reduce(factor) if factor > 1 else grey, dtype=np.uint8)
    ink_ys, ink_xs = np.nonzero(small < _otsu_threshold(small))
    if len(ink_ys) < 200:  # a blank page, or specks
        return 0.0
    step = max(1, len(ink_ys) // _MAX_POINTS)
    ys = ink_ys[::step] - small.shape[0] / 2
    xs = ink_xs[::step] - small.shape[1] / 2
    size = int(np.hypot(*small.shape)) + 2
    coarse = np.arange(-MAX_SKEW_DEGREES, MAX_SKEW_DEGREES + 0.25, 0.5)
    coarse_scores = _profile_scores(ys, xs, coarse, size)
    axis = int(coarse_scores.max(axis=0).argmax())  # 0: lines run across; 1: the page is sideways
    best = float(coarse[coarse_scores[:, axis].argmax()])
    fine = np.arange(best - 0.4, best + 0.45, 0.1)
    fine_scores = _profile_scores(ys, xs, fine, size)[:, axis]
    unturned = coarse_scores[len(coarse) // 2, axis]
    if fine_scores.max() < MIN_PROFILE_GAIN * unturned:
        return 0.0
    # Turning the ink by +a aligned it; PIL turns counter-clockwise, so the page's own tilt is +a clockwise.
    skew = round(float(fine[fine_scores.argmax()]), 1)
    return skew if abs(skew) >= MIN_DESKEW_DEGREES else 0.0


def straighten(image: Image.Image, skew_degrees: float) -> Image.Image:
    """The page turned clockwise by skew_degrees, on a canvas grown to keep its corners, filled with its paper."""
    if skew_degrees == 0:
        return image
    paper = int(np.median(np.asarray(image.reduce(8))))
    # Bilinear: as good for OCR as bicubic here (decision 0008) at 40 % of its cost.
    return image.rotate(-skew_degrees, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=paper)


_QUARTER_TURNS = {
    90: Image.Transpose.ROTATE_270,  # PIL's ROTATE_n turn counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def turn(image: Image.Image, rotation: int) -> Image.Image:
    """The page turned clockwise by a quarter-turn multiple (lossless)."""
    return image if rotation % 360 == 0 else image.transpose(_QUARTER_TURNS[rotation % 360])


def upright_rotation(confidence: float | None, sideways: bool) -> tuple[int, bool]:
    """From a first reading, the clockwise quarter turn that shows the page upright, and whether the text must be
    read again at it.

    Tesseract reads lines that run down the page (a page turned a quarter clockwise) by itself, well; it reads
    lines that run up the page, and upside-down pages, as garbage of low confidence."""
    if confidence is None:
        return 0, False  # no text found: nothing to turn for
    if confidence >= LOW_CONFIDENCE:
        return (270, False) if sideways else (0, False)
    return (90, True) if sideways else (180, True)
