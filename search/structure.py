"""Sentences, paragraphs and word positions of a page, the same way for both engines (decision 0017).

Elasticsearch indexes a page's sentences and paragraphs (split here) as array values with a position gap, so
`/s` and `/p` are interval queries inside the engine. FTS5 has no such gap: its search checks `pre/N`, `/s` and
`/p` inside the SQL statement with `matches`, a scalar function over the page text of the rows its MATCH already
narrowed, reading positions the way FTS5's tokenizer (unicode61, remove_diacritics 2, porter) numbers them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from search.boxes import fold
from search.query import WORD, Atom, Fuzzy, Near, Phrase, Term, Within

# A blank line (or a form feed) ends a paragraph; a single line break is a wrapped line of the same paragraph.
PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*|\f\s*")
# A sentence ends at . ? ! or the Urdu and Arabic full stop and question mark, followed by space and a capital, a
# digit, an opening bracket or quote, or a letter of a script without case; not after a one-letter initial
# ("W.P.", "S. 497") or a common legal abbreviation ("No.", "Mr.", "v.", "Art."), which a capital follows too.
SENTENCE_END = re.compile(r"(?<=[.?!۔؟])[\"')\]]*\s+(?=[A-Z0-9(\[\"'\u0600-\u06ff])")
ABBREVIATIONS = frozenset(
    {
        "no", "nos", "mr", "mrs", "ms", "dr", "v", "vs", "st", "sec", "secs", "art", "arts", "ss", "crl", "misc",
        "ltd", "co", "pvt", "inc", "hon", "j", "jj", "cj", "sr", "jr", "prof", "govt", "dept", "cr", "civ", "ord",
        "para", "paras", "p", "pp", "cl", "viz", "etc", "ch", "vol", "rs",
    }
)  # fmt: skip
INITIALS = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?")  # "w.p" of "W.P.", "u.s" of "U.S.": not a date's dots
_PORTER = snowballstemmer.stemmer("porter")


@lru_cache(maxsize=100_000)
def index_word(word: str) -> str:
    """The word as FTS5's `porter unicode61 remove_diacritics 2` indexes it (and Elasticsearch's english analyzer,
    whose stemmer is Porter's too): folded, then stemmed."""
    return str(_PORTER.stemWord(fold(word)))


@lru_cache(maxsize=100_000)
def _forms(raw: str) -> tuple[str, str]:
    """A word of the page folded and stemmed, cached: pages repeat their words, and folding is most of the cost."""
    word = fold(raw)
    return word, index_word(word)


def _remember(token: str) -> tuple[str, str]:
    if len(_FORMS) >= MAX_FORMS:
        _FORMS.clear()
    _FORMS[token] = forms = _forms(token)
    return forms


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in PARAGRAPH_BREAK.finditer(text):
        if text[start : match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences never cross a paragraph boundary."""
    spans: list[tuple[int, int]] = []
    for begin, end in paragraph_spans(text):
        start = begin
        for match in SENTENCE_END.finditer(text, begin, end):
            before = text[start : match.start()].rstrip("\"')]").rstrip(".?!۔؟").rsplit(None, 1)
            last = before[-1].lower().lstrip("([\"'") if before else ""
            if text[match.start() - 1] == "." and (len(last) <= 1 or last in ABBREVIATIONS or INITIALS.fullmatch(last)):
                continue  # an initial or an abbreviation, not the end of a sentence
            spans.append((start, match.start()))
            start = match.end()
        spans.append((start, end))
    return spans


def sentences(text: str) -> list[str]:
    return [text[begin:end] for begin, end in sentence_spans(text)]


def paragraphs(text: str) -> list[str]:
    return [text[begin:end] for begin, end in paragraph_spans(text)]


@dataclass(frozen=True)
class _Page:
    words: tuple[str, ...]  # index words (stems), in position order
    folded: tuple[str, ...]
    sentence: tuple[int, ...]  # each word's sentence number
    paragraph: tuple[int, ...]


_FORMS: dict[str, tuple[str, str]] = {}  # _forms without lru_cache's call overhead: most of a page's cost
MAX_FORMS = 200_000


def _analyse(text: str, structure: bool = True) -> _Page:
    """The page's index words; their sentence and paragraph numbers only if asked (pre/N and w/N need none)."""
    tokens = WORD.findall(text)
    known = _FORMS
    forms = [known.get(token) or _remember(token) for token in tokens]
    words, folded = tuple(stem for _, stem in forms), tuple(word for word, _ in forms)
    if not structure:
        return _Page(words, folded, (), ())
    starts = [match.start() for match in WORD.finditer(text)]
    sentence_starts = [begin for begin, _ in sentence_spans(text)]
    paragraph_starts = [begin for begin, _ in paragraph_spans(text)]
    sentence = tuple(bisect_right(sentence_starts, start) for start in starts)
    paragraph = tuple(bisect_right(paragraph_starts, start) for start in starts)
    return _Page(words, folded, sentence, paragraph)


# An operand compiled for matching: ("words", stems in a row), ("prefix", folded prefix) or ("any", stems).
Pattern = tuple[str, tuple[str, ...]]


def pattern(atom: Atom, fuzzy_expansions: dict[Fuzzy, tuple[str, ...]] | None = None) -> Pattern:
    if isinstance(atom, Term) and atom.prefix:
        return ("prefix", (fold(atom.text),))
    if isinstance(atom, Term):
        return ("words", (index_word(atom.text),))
    if isinstance(atom, Phrase):
        return ("words", tuple(index_word(word) for word in atom.words))
    return ("any", (fuzzy_expansions or {}).get(atom, ()))


def _spans(page: _Page, patterns: Sequence[Pattern]) -> list[tuple[int, int]]:
    """(first, last) word positions of every occurrence of any of the patterns."""
    found: list[tuple[int, int]] = []
    words = page.words
    for kind, values in patterns:
        if kind == "words":
            length, first = len(values), values[0]
            found.extend(
                (position, position + length - 1)
                for position, word in enumerate(words)
                if word == first and (length == 1 or words[position : position + length] == values)
            )
        elif kind == "prefix":
            found.extend((position, position) for position, word in enumerate(words) if word.startswith(values[0]))
        else:
            wanted = set(values)
            found.extend((position, position) for position, word in enumerate(words) if word in wanted)
    return found


def satisfied(text: str, kind: str, left: Sequence[Pattern], right: Sequence[Pattern], distance: int = 0) -> bool:
    """Whether the page text holds the operator: kind "pre" (left, then right, at most `distance` positions from the
    end of one to the start of the other: adjacent words are 1 apart), "near" (either order), "sentence" or
    "paragraph" (both in one)."""
    page = _analyse(text, structure=kind in ("sentence", "paragraph"))
    lefts, rights = _spans(page, left), _spans(page, right)
    if not lefts or not rights:
        return False
    for first, last in lefts:
        for other_first, other_last in rights:
            if kind in ("pre", "near"):
                if 0 < other_first - last <= distance:
                    return True
                if kind == "near" and 0 < first - other_last <= distance:
                    return True
            elif kind == "sentence":
                if (
                    page.sentence[first]
                    == page.sentence[other_last]
                    == page.sentence[other_first]
                    == page.sentence[last]
                ):
                    return True
            elif (
                page.paragraph[first]
                == page.paragraph[other_last]
                == page.paragraph[other_first]
                == page.paragraph[last]
            ):
                return True
    return False


def operator_kind(clause: Near | Within) -> str:
    if isinstance(clause, Near):
        return "pre" if clause.ordered else "near"
    return clause.unit
