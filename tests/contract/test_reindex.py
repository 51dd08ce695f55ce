"""Rebuilding the index from the database swaps in a new version with no gap, on every stack."""

from __future__ import annotations

import threading

from core.uow import unit_of_work
from ingest.service import indexed_page_entries
from tests.conftest import Api
from tests.samples import born_digital_pdf


def test_rebuild_swaps_in_a_new_version_without_a_gap(stack_api: Api) -> None:
    case = stack_api.create_case()
    for pages in (["first paper on natural justice"], ["second paper on natural justice", "more"]):
        document_id = stack_api.upload(case["id"], "p.pdf", born_digital_pdf(pages)).json()["id"]
        assert stack_api.wait_until_done(document_id)["status"] == "indexed"
    index = stack_api.client.app.state.backends.index  # type: ignore[attr-defined]
    totals: list[int] = []
    rebuilding = threading.Event()

    def search_while_rebuilding() -> None:
        while rebuilding.is_set():
            totals.append(stack_api.search('"natural justice"')["total"])

    rebuilding.set()
    searcher = threading.Thread(target=search_while_rebuilding)
    searcher.start()
    try:
        with unit_of_work(stack_api.settings) as session:
            version = index.rebuild(indexed_page_entries(session, documents_per_batch=1))
    finally:
        rebuilding.clear()
        searcher.join()
    assert totals and set(totals) == {2}, totals  # every search during the rebuild saw both pages
    assert stack_api.search('"natural justice"')["total"] == 2
    assert stack_api.search("more")["total"] == 1
    if index.name == "elasticsearch":
        assert version.endswith("-v2")
