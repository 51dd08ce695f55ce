"""Citations: find law-report citations and case numbers in text and normalise them (issue 11).

Pure and fast, no network and no database. The reporter, court and case-kind tables are data, in reporters.toml."""

from citations.extract import (
    CaseNumber,
    Citation,
    extract_case_numbers,
    extract_citations,
    normalize_case_number,
    normalize_citation,
)

__all__ = [
    "CaseNumber",
    "Citation",
    "extract_case_numbers",
    "extract_citations",
    "normalize_case_number",
    "normalize_citation",
]
