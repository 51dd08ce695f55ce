"""Small page entries for engine-level tests."""

from __future__ import annotations

from datetime import date

from search.schemas import CaseFields, PageEntry

CASE = CaseFields("case-1", "W.P. 1 of 2024", "Lahore High Court", "open", None, ("Zahid Iqbal",))


def page(document_id: str, number: int, text: str, case: CaseFields = CASE, **fields: object) -> PageEntry:
    values: dict[str, object] = {
        "doc_type": "order",
        "filed_on": date(2024, 1, 2),
        "title": "Order sheet",
        "filename": "order.txt",
        "language": "eng",
    } | fields
    return PageEntry(document_id=document_id, page_number=number, text=text, case=case, **values)  # type: ignore[arg-type]
