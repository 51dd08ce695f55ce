"""The embedded engine's one-pass facets: counts per combination of values, summed per field."""

from __future__ import annotations

from search.backends.sqlite_fts import _total_and_facets


def test_combination_counts_sum_to_a_total_and_per_field_facets() -> None:
    # (court, case_type, doc_type, status, count), as the GROUP BY returns them
    rows = [
        ("Lahore High Court", "writ", "order", "open", 3),
        ("Lahore High Court", "bail", None, "decided", 1),
        ("Sindh High Court", "writ", "order", "open", 5),
    ]
    total, facets = _total_and_facets(rows)
    assert total == 9
    assert list(facets["court"].items()) == [("Sindh High Court", 5), ("Lahore High Court", 4)]
    assert facets["case_type"] == {"writ": 8, "bail": 1}
    assert facets["doc_type"] == {"order": 8}  # no value is not a facet value
    assert list(facets["status"]) == ["open", "decided"]


def test_ties_are_ordered_by_value() -> None:
    _, facets = _total_and_facets([("B", "x", "y", "z", 2), ("A", "x", "y", "z", 2)])
    assert list(facets["court"]) == ["A", "B"]
