"""Replacing, listing and removing a document's pages in the index, on every stack."""

from __future__ import annotations

from core.uow import unit_of_work
from ingest import repository
from ingest.service import get_document, page_entries
from search.backends.base import IndexedDocument, SearchIndex
from tests.conftest import Api
from tests.samples import born_digital_pdf


def _index(api: Api) -> SearchIndex:
    index: SearchIndex = api.client.app.state.backends.index  # type: ignore[attr-defined]
    return index


def test_a_reprocess_with_fewer_pages_removes_the_pages_beyond_them(stack_api: Api) -> None:
    case = stack_api.create_case()
    pages = ["first page on estoppel", "second page on laches", "third page on acquiescence"]
    document_id = stack_api.upload(case["id"], "p.pdf", born_digital_pdf(pages)).json()["id"]
    assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    assert stack_api.search("acquiescence")["total"] == 1
    index = _index(stack_api)
    with unit_of_work(stack_api.settings) as session:
        document = get_document(session, document_id)
        stored = repository.list_pages(session, document_id)
        # As a reprocess that now finds one page would call it; the index works out what to remove itself.
        index.replace_document(document_id, page_entries(document, stored[:1]))
    assert stack_api.search("estoppel")["total"] == 1
    assert stack_api.search("laches")["total"] == 0 and stack_api.search("acquiescence")["total"] == 0
    # Idempotent: the same call again, with pages already gone, succeeds and changes nothing.
    with unit_of_work(stack_api.settings) as session:
        document = get_document(session, document_id)
        index.replace_document(document_id, page_entries(document, stored[:1]))
    assert stack_api.search("estoppel")["total"] == 1 and stack_api.search("laches")["total"] == 0
    assert [(item.document_id, item.page_count) for item in index.indexed_documents()] == [(document_id, 1)]


def test_indexed_documents_lists_each_document_with_its_page_count_and_case_fields(stack_api: Api) -> None:
    first = stack_api.create_case(number="Crl. A. 10 of 2023", court="Lahore High Court", case_type="criminal")
    second = stack_api.create_case(number="C.R. 55 of 2021", court="Peshawar High Court")
    expected = []
    for case, pages in ((first, ["one"]), (second, ["one", "two", "three"]), (first, ["one", "two"])):
        pdf = born_digital_pdf([f"{page} {case['number']}" for page in pages])
        document_id = stack_api.upload(case["id"], "p.pdf", pdf).json()["id"]
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
        fields = (case["number"], case["court"], case["status"], case["case_type"])
        expected.append(IndexedDocument(document_id, case["id"], len(pages), *fields))
    assert list(_index(stack_api).indexed_documents()) == sorted(expected, key=lambda item: item.document_id)


def test_delete_document_removes_every_page_and_tolerates_a_missing_document(stack_api: Api) -> None:
    case = stack_api.create_case()
    kept = stack_api.upload(case["id"], "k.pdf", born_digital_pdf(["kept page on res judicata"])).json()["id"]
    orphan = stack_api.upload(case["id"], "o.pdf", born_digital_pdf(["orphan on laches", "more laches"])).json()["id"]
    for document_id in (kept, orphan):
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    index = _index(stack_api)
    index.delete_document(orphan)
    index.delete_document(orphan)  # already gone: nothing to do, no error
    index.delete_document("no-such-document")
    assert stack_api.search("laches")["total"] == 0
    assert stack_api.search("judicata")["total"] == 1
    assert [item.document_id for item in index.indexed_documents()] == [kept]
