"""Replacing a document's pages in the index leaves exactly the new pages, on every stack."""

from __future__ import annotations

from core.uow import unit_of_work
from ingest import repository
from ingest.service import get_document, page_entries
from tests.conftest import Api
from tests.samples import born_digital_pdf


def test_a_reprocess_with_fewer_pages_removes_the_pages_beyond_them(stack_api: Api) -> None:
    case = stack_api.create_case()
    pages = ["first page on estoppel", "second page on laches", "third page on acquiescence"]
    document_id = stack_api.upload(case["id"], "p.pdf", born_digital_pdf(pages)).json()["id"]
    assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    assert stack_api.search("acquiescence")["total"] == 1
    index = stack_api.client.app.state.backends.index  # type: ignore[attr-defined]
    with unit_of_work(stack_api.settings) as session:
        document = get_document(session, document_id)
        stored = repository.list_pages(session, document_id)
        # As a reprocess that now finds one page would call it: three pages were indexed before.
        index.replace_document(document_id, page_entries(document, stored[:1]), len(stored))
    assert stack_api.search("estoppel")["total"] == 1
    assert stack_api.search("laches")["total"] == 0 and stack_api.search("acquiescence")["total"] == 0
    # Idempotent: the same call again, with pages already gone, succeeds and changes nothing.
    with unit_of_work(stack_api.settings) as session:
        document = get_document(session, document_id)
        index.replace_document(document_id, page_entries(document, stored[:1]), len(stored))
    assert stack_api.search("estoppel")["total"] == 1 and stack_api.search("laches")["total"] == 0
