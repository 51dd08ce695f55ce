"""Byte ranges, download names and filename checks (pure logic)."""

from __future__ import annotations

import pytest

from api.ranges import parse_range
from api.routers.documents import content_disposition
from core.errors import RangeNotSatisfiable
from ingest.service import check_filename


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 9)),
        ("bytes=5-", (5, 99)),
        ("bytes=-10", (90, 99)),
        ("bytes=90-500", (90, 99)),
        ("bytes=0-1,5-6", None),
        ("items=0-1", None),
    ],
)
def test_parse_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=50-10", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


def test_content_disposition_is_safe_and_keeps_unicode() -> None:
    header = content_disposition('حکم "final";.pdf')
    assert header.startswith("attachment; filename=\"___ _final__.pdf\"; filename*=UTF-8''")
    assert "\n" not in header and "%D8%AD" in header


def test_filenames() -> None:
    assert check_filename("Order 1.pdf") == ("Order 1.pdf", None)
    name, error = check_filename("..\\..\\boot.ini")
    assert name == "boot.ini" and error is not None
    assert check_filename("")[0] == "upload"
