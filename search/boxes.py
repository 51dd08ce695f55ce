"""Word boxes (decision 0014): where each word of a page is, stored compactly, and which of them a query matches.

Pure functions, no I/O. A box is normalised to the page image the viewer is shown (0..1, top-left origin): the page
rendered upright, as OCR read it (decision 0008), so a box needs no conversion whatever width the image is drawn at.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from search.query import And, Clause, Not, Or, Phrase, Term, words_of

FORMAT_VERSION = 1
# Coordinates are quantised to 16 bits: 1/65535 of an A4 page at 300 dpi is 0.04 pixels, far below anything a
# viewer can show, and four of them are 8 bytes a word.
SCALE = 65535
_HEADER = struct.Struct("<BI")  # version, number of words


@dataclass(frozen=True)
class WordBox:
    """One word and its box: x, y the top-left corner, w, h the size, all fractions of the page image."""

    text: str
    x: float
    y: float
    w: float
    h: float


def _quantise(value: float) -> int:
    return min(SCALE, max(0, round(value * SCALE)))


def encode_boxes(boxes: Sequence[WordBox]) -> bytes:
    """zlib of: version, count, then 4 × uint16 per word (x, y, w, h), then the words joined by newlines (a word
    never holds one: words are split at white space)."""
    values = [_quantise(value) for box in boxes for value in (box.x, box.y, box.w, box.h)]
    coordinates = struct.pack(f"<{len(values)}H", *values)
    words = "\n".join(box.text.replace("\n", " ") for box in boxes).encode()
    return zlib.compress(_HEADER.pack(FORMAT_VERSION, len(boxes)) + coordinates + words, 6)


def decode_boxes(data: bytes | None) -> list[WordBox]:
    """The boxes encode_boxes stored; [] for a page without any (None: a text document, or a page from before)."""
    if not data:
        return []
    raw = zlib.decompress(data)
    version, count = _HEADER.unpack_from(raw)
    if version != FORMAT_VERSION:
        raise ValueError(f"word boxes of format {version} are not readable by this release")
    start = _HEADER.size
    coordinates = struct.unpack_from(f"<{4 * count}H", raw, start)
    words = raw[start + 8 * count :].decode().split("\n") if count else []
    return [
        WordBox(word, *(coordinates[4 * index + part] / SCALE for part in range(4))) for index, word in enumerate(words)
    ]


# --- matching ----------------------------------------------------------------------------------------------------


def fold(word: str) -> str:
    """Case and diacritics folded, as both engines index (FTS5 `remove_diacritics 2`, Elasticsearch's lowercase):
    "Qāḍī" and "qadi" are one word."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn").casefold()


# Suffixes a light English stemmer strips, longest first: enough for the inflections both engines' stemmers
# (porter, Elasticsearch's english) conflate in court papers ("bail", "bails", "bailed", "bailing").
_SUFFIXES = ("ings", "ing", "edly", "ed", "ies", "es", "s", "ly")


def stem(word: str) -> str:
    """A light stem of a folded word: English suffixes off Latin words of 4+ letters, other scripts unchanged."""
    if not word.isascii() or len(word) < 4:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                return base + "e"  # "notices" -> "notice", but "taxes" -> "tax"
            if suffix == "s" and base.endswith("s"):
                return word  # "class", "address": not a plural
            return base
    return word


@dataclass(frozen=True)
class _Wanted:
    terms: frozenset[str]  # stems of plain terms
    prefixes: tuple[str, ...]  # folded prefixes
    phrases: tuple[tuple[str, ...], ...]  # stems of each phrase's words


def _collect(clause: Clause | None, terms: set[str], prefixes: list[str], phrases: list[tuple[str, ...]]) -> None:
    """The terms and phrases a page can show for this query: every side of an OR, nothing under a NOT."""
    if clause is None or isinstance(clause, Not):
        return
    if isinstance(clause, Term):
        if clause.prefix:
            prefixes.append(fold(clause.text))
        else:
            terms.add(stem(fold(clause.text)))
    elif isinstance(clause, Phrase):
        phrases.append(tuple(stem(fold(word)) for word in clause.words))
    elif isinstance(clause, And | Or):
        for item in clause.clauses:
            _collect(item, terms, prefixes, phrases)


def wanted(query: Clause | None) -> _Wanted:
    terms: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    _collect(query, terms, prefixes, phrases)
    return _Wanted(frozenset(terms), tuple(prefixes), tuple(phrases))


def matching_boxes(boxes: Sequence[WordBox], query: Clause | None) -> list[WordBox]:
    """The boxes of the words on the page that the query matches, in page order: its terms (stemmed as above), its
    prefixes and its phrases (the words in a row, across line ends), never an excluded word. A box holding several
    index words ("W.P.") is shown whole when one of them matches."""
    want = wanted(query)
    if not (want.terms or want.prefixes or want.phrases) or not boxes:
        return []
    tokens: list[tuple[str, str, int]] = []  # (folded, stem, box index), in reading order
    for index, box in enumerate(boxes):
        for word in words_of(box.text):
            folded = fold(word)
            tokens.append((folded, stem(folded), index))
    chosen: set[int] = set()
    for folded, stemmed, index in tokens:
        if stemmed in want.terms or any(folded.startswith(prefix) for prefix in want.prefixes):
            chosen.add(index)
    for phrase in want.phrases:
        size = len(phrase)
        for start in range(len(tokens) - size + 1):
            if all(tokens[start + offset][1] == phrase[offset] for offset in range(size)):
                chosen.update(tokens[start + offset][2] for offset in range(size))
    return [boxes[index] for index in sorted(chosen)]


def boxes_for_pages(
    encoded: Iterable[tuple[str, int, bytes | None]], query: Clause | None
) -> dict[tuple[str, int], list[WordBox]]:
    """Matching boxes per (document id, page number), from the stored encodings of several pages."""
    return {(document_id, number): matching_boxes(decode_boxes(data), query) for document_id, number, data in encoded}


def turn_box(box: WordBox, rotation: int) -> WordBox:
    """The box on the page image turned clockwise by a quarter-turn multiple (orientation.turn's geometry)."""
    turns = rotation % 360
    if turns == 90:  # (u, v) -> (1 - v, u)
        return WordBox(box.text, 1 - box.y - box.h, box.x, box.h, box.w)
    if turns == 180:
        return WordBox(box.text, 1 - box.x - box.w, 1 - box.y - box.h, box.w, box.h)
    if turns == 270:  # (u, v) -> (v, 1 - u)
        return WordBox(box.text, box.y, 1 - box.x - box.w, box.h, box.w)
    return box
