"""Turn engine highlight markers into safe HTML with <mark>."""

from __future__ import annotations

import html

from search.backends.base import MARK_END, MARK_START


def to_marked_html(fragment: str) -> str:
    escaped = html.escape(" ".join(fragment.split()), quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
