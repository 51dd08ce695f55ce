"""Cutting a snippet from a highlighted page (pure logic)."""

from __future__ import annotations

from search.backends.base import MARK_END, MARK_START
from search.highlight import FRAGMENT_CHARS, best_fragment, to_marked_html


def _mark(word: str) -> str:
    return f"{MARK_START}{word}{MARK_END}"


def test_a_short_page_is_shown_whole() -> None:
    assert to_marked_html(best_fragment(f"The {_mark('bail')} is granted.")) == "The <mark>bail</mark> is granted."


def test_the_window_with_the_most_distinct_matches_wins_and_is_cut_at_spaces() -> None:
    text = f"{_mark('bail')} " + "filler words here " * 40 + f"{_mark('bail')} and {_mark('surety')} " + "tail " * 60
    fragment = to_marked_html(best_fragment(text))
    assert "<mark>bail</mark> and <mark>surety</mark>" in fragment
    assert fragment.startswith("…") and fragment.endswith("…")
    assert len(fragment) < FRAGMENT_CHARS + 40
    assert not fragment.startswith("…ords")  # never begins mid-word


def test_a_cut_inside_a_highlighted_phrase_keeps_the_markers_balanced() -> None:
    text = "x " * 200 + MARK_START + "interim " * 150 + "relief" + MARK_END
    fragment = to_marked_html(best_fragment(text))
    assert fragment.count("<mark>") == fragment.count("</mark>") == 1


def test_a_page_without_matches_shows_its_start() -> None:
    fragment = best_fragment("word " * 100)
    assert fragment.startswith("word word") and fragment.endswith("…")
