"""Single HTTP byte ranges (RFC 9110 §14), enough for PDF viewers and resumable downloads."""

from __future__ import annotations

import re

from core.errors import RangeNotSatisfiable

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """Return (start, end) inclusive, or None to send the whole file."""
    if not header:
        return None
    match = RANGE.match(header.strip())
    if match is None:
        return None  # multiple or malformed ranges: ignoring the header is allowed
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable("an empty suffix range", headers=_unsatisfiable(size), size=size)
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(
            f"range {header} is outside the file's {size} bytes", headers=_unsatisfiable(size), size=size
        )
    return start, end


def _unsatisfiable(size: int) -> dict[str, str]:
    # RFC 9110 §15.5.17: a 416 names the current length.
    return {"Content-Range": f"bytes */{size}"}
