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
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from search.query import And, Clause, Fuzzy, Near, Not, Or, Phrase, Term, Within, fuzzy_distance, words_of
from search.urdu import normalise_urdu

FORMAT_VERSION = 1
# Coordinates are quantised to 16 bits: 1/65535 of an A4 page at 300 dpi is 0.04 pixels, far below anything a
# viewer can show, and four of them are 8 bytes a word.
SCALE = 65535
_HEADER = struct.Struct("<BI")  # version, number of words


class WordBox(NamedTuple):
    """One word and its box: x, y the top-left corner, w, h the size, all fractions of the page image. A named tuple:
    a page has hundreds, made at every ingest, and a tuple is built ten times faster than a frozen dataclass."""

    text: str
    x: float
    y: float
    w: float
    h: float


def encode_boxes(boxes: Sequence[WordBox]) -> bytes:
    """zlib of: version, count, then 4 × uint16 per word (x, y, w, h), then the words joined by newlines (a word
    never holds one: words are split at white space)."""
    values = [int(value * SCALE + 0.5) for box in boxes for value in box[1:]]  # round half up, fast
    if values and (min(values) < 0 or max(values) > SCALE):  # a box past the page edge: clamp (rare)
        values = [min(SCALE, max(0, value)) for value in values]
    coordinates = struct.pack(f"<{len(values)}H", *values)
    words = "\n".join(box.text.replace("\n", " ") for box in boxes).encode()
    return zlib.compress(_HEADER.pack(FORMAT_VERSION, len(boxes)) + coordinates + words, 6)


_COORDINATES = struct.Struct("<4H")


@dataclass(frozen=True)
class _Stored:
    """A decompressed encoding: coordinates are read only for the boxes asked for."""

    raw: bytes
    count: int
    blob: str  # the words joined by newlines

    def box(self, index: int, text: str) -> WordBox:
        x, y, w, h = _COORDINATES.unpack_from(self.raw, _HEADER.size + 8 * index)
        return WordBox(text, x / SCALE, y / SCALE, w / SCALE, h / SCALE)


def _decode(data: bytes) -> _Stored:
    raw = zlib.decompress(data)
    version, count = _HEADER.unpack_from(raw)
    if version != FORMAT_VERSION:
        raise ValueError(f"word boxes of format {version} are not readable by this release")
    return _Stored(raw, count, raw[_HEADER.size + 8 * count :].decode() if count else "")


def decode_boxes(data: bytes | None) -> list[WordBox]:
    """The boxes encode_boxes stored; [] for a page without any (None: a text document, or a page from before)."""
    if not data:
        return []
    stored = _decode(data)
    return [stored.box(index, word) for index, word in enumerate(stored.blob.split("\n"))] if stored.count else []


class _Lines:
    """The lines of a page's word blob by index, found on demand from the offsets already known: marking a page
    reads a few of its words, and splitting all of them would cost more than the rest of the work."""

    def __init__(self, blob: str, count: int) -> None:
        self.blob, self.count = blob, count
        self.starts: dict[int, int] = {0: 0}

    def __len__(self) -> int:
        return self.count

    def start(self, index: int) -> int:
        if index not in self.starts:
            known = max(known for known in self.starts if known < index)
            position = self.starts[known]
            for line in range(known + 1, index + 1):
                position = self.blob.index("\n", position) + 1
                self.starts[line] = position
        return self.starts[index]

    def __getitem__(self, index: int) -> str:
        start = self.start(index)
        end = self.blob.find("\n", start)
        return self.blob[start : end if end >= 0 else len(self.blob)]


# --- matching ----------------------------------------------------------------------------------------------------


def fold(word: str) -> str:
    """Case and diacritics folded, as both engines index (FTS5 `remove_diacritics 2`, Elasticsearch's lowercase):
    "Qāḍī" and "qadi" are one word."""
    decomposed = unicodedata.normalize("NFKD", normalise_urdu(word))  # Urdu letter forms too (decision 0018)
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
    # Fuzzy words (decision 0017): the folded word and the edit distance it allows, on the words as written.
    fuzzy: tuple[tuple[str, int], ...] = ()


def _collect(
    clause: Clause | None,
    terms: set[str],
    prefixes: list[str],
    phrases: list[tuple[str, ...]],
    fuzzy: list[tuple[str, int]] | None = None,
) -> None:
    """The terms and phrases a page can show for this query: every side of an OR and of a proximity operator,
    nothing under a NOT, no field query (not a page word)."""
    if clause is None or isinstance(clause, Not):
        return
    if isinstance(clause, Fuzzy):
        if fuzzy is not None:
            word = fold(clause.text)
            fuzzy.append((word, fuzzy_distance(clause, word)))
        return
    if isinstance(clause, Near | Within):
        for atom in (*clause.left, *clause.right):
            _collect(atom, terms, prefixes, phrases, fuzzy)
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
            _collect(item, terms, prefixes, phrases, fuzzy)


def wanted(query: Clause | None) -> _Wanted:
    terms: set[str] = set()
    prefixes: list[str] = []
    phrases: list[tuple[str, ...]] = []
    fuzzy: list[tuple[str, int]] = []
    _collect(query, terms, prefixes, phrases, fuzzy)
    return _Wanted(frozenset(terms), tuple(prefixes), tuple(phrases), tuple(dict.fromkeys(fuzzy)))


@lru_cache(maxsize=50_000)
def _analysed(text: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """A box's index words folded, their stems, and the set of the stems. Cached: a court's pages repeat their words,
    and analysing them is most of the cost of marking a page (the first sight of a word ~2 µs, then a lookup)."""
    folded = tuple(map(fold, words_of(normalise_urdu(text))))  # a zero-width joiner does not split a word
    stems = tuple(map(stem, folded))
    return folded, stems, frozenset(stems)


def _matching_indices(texts: Sequence[str] | _Lines, want: _Wanted, blob: str | None = None) -> list[int]:
    """The indices of the boxes the query marks. `blob` is the page's words joined by newlines, when at hand: on a
    page of ASCII words (most court papers), candidates are found by substring search in it, in C, and only they are
    analysed; other pages analyse every word."""
    if not (want.terms or want.prefixes or want.phrases or want.fuzzy):
        return []
    if blob is None:
        blob = texts.blob if isinstance(texts, _Lines) else "\n".join(texts)
    if blob.isascii() and not want.fuzzy:  # a fuzzy word has no substring to look for: every word is a candidate
        starts = _candidates(blob.lower(), want)
        if isinstance(texts, _Lines):
            texts.starts.update(starts)
        candidates: Iterable[int] = sorted(starts)
    else:
        candidates = range(len(texts))
    chosen: set[int] = set()
    terms, prefixes = want.terms, want.prefixes
    for index in candidates:
        folded, stems, stem_set = _analysed(texts[index])
        if (
            (terms and not terms.isdisjoint(stem_set))
            or (prefixes and any(w.startswith(prefixes) for w in folded))
            or (
                want.fuzzy
                and any(
                    Levenshtein.distance(word, target, score_cutoff=distance) <= distance
                    for word in folded
                    for target, distance in want.fuzzy
                )
            )
        ):
            chosen.add(index)
        for phrase in want.phrases:
            for offset, word in enumerate(stems):
                if word == phrase[0]:
                    chosen.update(_phrase_at(texts, index, offset, phrase))
    return sorted(chosen)


def _candidates(lowered: str, want: _Wanted) -> dict[int, int]:
    """Boxes whose text holds a needle: a term's stem less its last letter (a prefix of every word of that stem,
    "party" of "parties" too), a prefix, a phrase's first word. For ASCII text, where folding is lowercasing."""
    needles = {term[:-1] if len(term) > 1 else term for term in want.terms}
    needles.update(want.prefixes)
    needles.update(phrase[0][:-1] if len(phrase[0]) > 1 else phrase[0] for phrase in want.phrases)
    found: dict[int, int] = {}  # box index: where its text starts
    for needle in needles:
        position = lowered.find(needle)
        while position >= 0:
            found[lowered.count("\n", 0, position)] = lowered.rfind("\n", 0, position) + 1
            position = lowered.find(needle, lowered.find("\n", position) + 1 or len(lowered))
    return found


def _phrase_at(texts: Sequence[str] | _Lines, index: int, offset: int, phrase: tuple[str, ...]) -> list[int]:
    """The boxes of the phrase if it starts at word `offset` of box `index` (running on into the next boxes)."""
    owners: list[int] = []
    box, position = index, offset
    for word in phrase:
        stems = _analysed(texts[box])[1] if box < len(texts) else ()
        while position >= len(stems):  # the next box with index words
            box, position = box + 1, 0
            if box >= len(texts):
                return []
            stems = _analysed(texts[box])[1]
        if stems[position] != word:
            return []
        owners.append(box)
        position += 1
    return owners


def matching_boxes(boxes: Sequence[WordBox], query: Clause | None) -> list[WordBox]:
    """The boxes of the words on the page that the query matches, in page order: its terms (stemmed as above), its
    prefixes and its phrases (the words in a row, across line ends), never an excluded word. A box holding several
    index words ("W.P.") is shown whole when one of them matches."""
    return [boxes[index] for index in _matching_indices([box.text for box in boxes], wanted(query))]


def matching_encoded(data: bytes | None, want: _Wanted) -> list[WordBox]:
    """matching_boxes on a stored encoding: boxes are built only for the words that match."""
    if not data:
        return []
    stored = _decode(data)
    if not stored.count:
        return []
    texts: Sequence[str] | _Lines = (
        _Lines(stored.blob, stored.count) if stored.blob.isascii() else stored.blob.split("\n")
    )
    return [stored.box(index, texts[index]) for index in _matching_indices(texts, want, stored.blob)]


def boxes_for_pages(
    encoded: Iterable[tuple[str, int, bytes | None]], query: Clause | None
) -> dict[tuple[str, int], list[WordBox]]:
    """Matching boxes per (document id, page number), from the stored encodings of several pages."""
    want = wanted(query)
    return {(document_id, number): matching_encoded(data, want) for document_id, number, data in encoded}


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
