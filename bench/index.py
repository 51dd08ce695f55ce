"""r3: Casefile's indexer (ElasticsearchIndex.replace_document, one call per document as the worker makes it)
against raw helpers.bulk of the same page documents, same mapping, into a separate index."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from elasticsearch import Elasticsearch, helpers

from bench.common import clock, entry, rounded
from bench.materials import synthetic_pages
from bench.stack import ELASTICSEARCH_URL
from search.backends import elastic
from search.backends.elastic import BULK_CHUNK, ElasticsearchIndex, page_mapping
from search.schemas import PageEntry


def _documents(count: int, pages_per_document: int) -> list[tuple[str, list[PageEntry]]]:
    pages = synthetic_pages(0, count * pages_per_document, pages_per_document=pages_per_document, seed=3)
    return [(document_id, list(group)) for document_id, group in itertools.groupby(pages, lambda p: p.document_id)]


def _actions(index: str, pages: list[PageEntry]) -> Iterator[dict[str, Any]]:
    return ({"_index": index, "_id": page.key, "_source": elastic._page_source(page)} for page in pages)


def _create_raw(client: Elasticsearch, name: str, analyzer: str) -> None:
    client.indices.create(
        index=name, mappings=page_mapping(analyzer), settings={"number_of_shards": 1, "number_of_replicas": 0}
    )


def run_r3(documents: int, pages_per_document: int) -> dict[str, Any]:
    client = Elasticsearch(ELASTICSEARCH_URL, request_timeout=120)
    prefix = f"cf-bench-r3-{uuid.uuid4().hex[:8]}"
    docs = _documents(documents, pages_per_document)
    pages = sum(len(group) for _, group in docs)
    try:
        casefile_index = ElasticsearchIndex(ELASTICSEARCH_URL, f"{prefix}-casefile")
        casefile_index.ensure_ready()
        analyzer = casefile_index._text_analyzer()
        # Warm the JVM's bulk path on a throwaway index, so neither side pays for it.
        _create_raw(client, f"{prefix}-warm", analyzer)
        warm = [page for _, group in docs[:5] for page in group]
        helpers.bulk(client, _actions(f"{prefix}-warm", warm), chunk_size=BULK_CHUNK)
        client.indices.delete(index=f"{prefix}-warm")

        raw_name = f"{prefix}-raw"
        _create_raw(client, raw_name, analyzer)
        with clock() as raw:
            helpers.bulk(
                client, (action for _, group in docs for action in _actions(raw_name, group)), chunk_size=BULK_CHUNK
            )
            client.indices.refresh(index=raw_name)  # searchable at the end, as Casefile's `indexed` promises

        per_document_name = f"{prefix}-raw-per-doc"
        _create_raw(client, per_document_name, analyzer)
        with clock() as per_document:
            for _, group in docs:  # what the worker's call pattern costs at best: bulk, refresh, per document
                helpers.bulk(client, _actions(per_document_name, group), chunk_size=BULK_CHUNK)
                client.indices.refresh(index=per_document_name)

        with clock() as casefile:
            for document_id, group in docs:
                casefile_index.replace_document(document_id, group)  # new documents, as at upload
        # `casefile reindex`'s path: the same pages in batches of 50 documents into a new index version.
        rebuild_index = ElasticsearchIndex(ELASTICSEARCH_URL, f"{prefix}-rebuild")
        rebuild_index.ensure_ready()
        starts = range(0, len(docs), 50)
        batches = [[page for _, group in docs[start : start + 50] for page in group] for start in starts]
        with clock() as rebuild:
            rebuild_index.rebuild(batches)
        count = client.count(index=f"{prefix}-casefile")["count"]
        if count != pages or client.count(index=raw_name)["count"] != pages:
            raise RuntimeError(f"indexed {count} pages, expected {pages}")
    finally:
        for name in client.indices.get(index=f"{prefix}*", expand_wildcards="all"):
            client.indices.delete(index=name)
        with suppress(Exception):
            client.indices.delete_index_template(name=f"{prefix}-casefile")
        with suppress(Exception):
            client.indices.delete_index_template(name=f"{prefix}-rebuild")
    rate = {
        name: rounded(pages / timing.wall, 1)
        for name, timing in (
            ("casefile", casefile),
            ("raw", raw),
            ("raw_per_document", per_document),
            ("rebuild", rebuild),
        )
    }
    return entry(
        rate["casefile"] / rate["raw"],
        ">= 0.8",
        pages=pages,
        documents=len(docs),
        casefile_replace_document={
            "page_docs_per_s": rate["casefile"],
            "wall_s": rounded(casefile.wall),
            "client_cpu_s": rounded(casefile.own_cpu),
        },
        raw_bulk={
            "page_docs_per_s": rate["raw"],
            "wall_s": rounded(raw.wall),
            "client_cpu_s": rounded(raw.own_cpu),
            "what": f"one helpers.bulk of every page (chunks of {BULK_CHUNK}), then one refresh",
        },
        raw_bulk_per_document={
            "page_docs_per_s": rate["raw_per_document"],
            "wall_s": rounded(per_document.wall),
            "what": "helpers.bulk and a refresh per document (the floor for per-document calls)",
        },
        casefile_over_per_document_floor=rounded(rate["casefile"] / rate["raw_per_document"]),
        casefile_rebuild={
            "page_docs_per_s": rate["rebuild"],
            "ratio_to_raw_bulk": rounded(rate["rebuild"] / rate["raw"]),
            "what": "ElasticsearchIndex.rebuild (casefile reindex), batches of 50 documents, one refresh",
        },
        analyzer=analyzer,
    )
