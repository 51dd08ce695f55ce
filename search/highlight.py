"""Turn engine highlight markers into safe HTML with <mark>, and cut a snippet from a highlighted page."""

from __future__ import annotations

import html
from collections import Counter

from search.backends.base import MARK_END, MARK_START

FRAGMENT_CHARS = 200  # about a sentence or two, like Elasticsearch's 160-character fragments
CONTEXT_BEFORE_CHARS = 40  # how much of the text before the first match a snippet shows
MAX_MARKS_SCANNED = 64  # bounds the work per hit, however many matches a page holds


def to_marked_html(fragment: str) -> str:
    escaped = html.escape(" ".join(fragment.split()), quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def best_fragment(marked: str, size: int = FRAGMENT_CHARS) -> str:
    """About `size` characters of a page whose matches are wrapped in MARK_START/MARK_END: the stretch with the
    most distinct matched words, cut at spaces, with "…" where text was left out. Only the first
    MAX_MARKS_SCANNED matches are considered, so the cost stays bounded on a page full of matches."""
    matches: list[tuple[int, str]] = []
    start = marked.find(MARK_START)
    while start >= 0 and len(matches) < MAX_MARKS_SCANNED:
        end = marked.find(MARK_END, start)
        if end < 0:
            break
        matches.append((start, marked[start + 1 : end].lower()))
        start = marked.find(MARK_START, end)
    if not matches:
        return _cut(marked, 0, size)
    # Slide a window along the matches: `words` counts those from the current one up to `last`, within reach.
    reach = size - CONTEXT_BEFORE_CHARS
    words: Counter[str] = Counter()
    best, best_count, last = matches[0][0], 0, 0
    for position, word in matches:
        while last < len(matches) and matches[last][0] < position + reach:
            words[matches[last][1]] += 1
            last += 1
        if len(words) > best_count:
            best, best_count = position, len(words)
        words[word] -= 1
        if not words[word]:
            del words[word]
    return _cut(marked, max(0, best - CONTEXT_BEFORE_CHARS), size)


def _cut(marked: str, begin: int, size: int) -> str:
    if begin > 0:  # start at a word: after the last space before `begin`, if there is one nearby
        space = marked.rfind(" ", max(0, begin - 20), begin)
        begin = space + 1 if space >= 0 else begin
    end = begin + size
    if end < len(marked):
        space = marked.rfind(" ", begin + size // 2, end)
        end = space if space >= 0 else end
    fragment = marked[begin:end]
    # A cut may fall inside a highlighted phrase: close or reopen its marker so the HTML stays balanced.
    if fragment.rfind(MARK_START) > fragment.rfind(MARK_END):
        fragment += MARK_END
    first_end = fragment.find(MARK_END)
    if first_end >= 0 and not 0 <= fragment.find(MARK_START) < first_end:
        fragment = MARK_START + fragment
    return ("…" if begin > 0 else "") + fragment.strip() + ("…" if end < len(marked) else "")
