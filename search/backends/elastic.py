"""Page index on Elasticsearch 9: a versioned index behind an alias, the same query AST as the query DSL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import structlog
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import TransportError
from elasticsearch import ApiError, BadRequestError, Elasticsearch, helpers

from core.errors import BackendUnavailable, InvalidInput
from search.backends.base import MARK_END, MARK_START
from search.highlight import to_marked_html
from search.query import And, Clause, Not, Or, Phrase, Term
from search.schemas import (
    FACET_FIELDS,
    CaseFields,
    PageEntry,
    PageHit,
    PageSearchResult,
    SearchFilters,
    page_key,
)

log = structlog.get_logger(__name__)
BULK_CHUNK = 500
MAX_IDS_PER_SEARCH = 10_000  # the index's max_result_window
FACET_SIZE = 50
KEYWORD_FIELDS = ("document_id", "case_id", "case_number", "court", "status", "case_type", "doc_type", "filename",
                  "language", "parties")  # fmt: skip


def page_mapping(text_analyzer: str) -> dict[str, Any]:
    """One document per page; `text` is analysed (English where the cluster has it), `text.exact` keeps words."""
    properties: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORD_FIELDS}
    properties |= {
        "page_number": {"type": "integer"},
        "filed_on": {"type": "date", "format": "strict_date"},
        "title": {"type": "text"},
        "text": {
            "type": "text",
            "analyzer": text_analyzer,
            "fields": {"exact": {"type": "text", "analyzer": "standard"}},
        },
    }
    return {"dynamic": "strict", "properties": properties}


def compile_dsl(clause: Clause) -> dict[str, Any]:
    """Compile the query AST to the query DSL: words on the analysed text, phrases and prefixes on exact words."""
    # The text as typed, so Elasticsearch's tokenizer splits the query exactly as it split the page.
    if isinstance(clause, Term):
        if clause.prefix:
            return {"prefix": {"text.exact": {"value": (clause.source or clause.text).lower()}}}
        return {"match": {"text": {"query": clause.source or clause.text, "operator": "and"}}}
    if isinstance(clause, Phrase):
        return {"match_phrase": {"text.exact": {"query": clause.source or " ".join(clause.words)}}}
    if isinstance(clause, Or):
        return {"bool": {"should": [compile_dsl(item) for item in clause.clauses], "minimum_should_match": 1}}
    if isinstance(clause, And):
        return {
            "bool": {
                "must": [compile_dsl(item) for item in clause.clauses if not isinstance(item, Not)],
                "must_not": [compile_dsl(item.clause) for item in clause.clauses if isinstance(item, Not)],
            }
        }
    raise ValueError(f"cannot compile {clause!r} on its own")


def _filters(filters: SearchFilters) -> list[dict[str, Any]]:
    clauses: list[dict[str, Any]] = [
        {"term": {name: value}}
        for name in ("case_id", "court", "status", "case_type", "doc_type")
        if (value := getattr(filters, name)) is not None
    ]
    dates = {key: value.isoformat() for key, value in (("gte", filters.filed_from), ("lte", filters.filed_to)) if value}
    if dates:
        clauses.append({"range": {"filed_on": dates}})
    return clauses


def _case_source(case: CaseFields) -> dict[str, Any]:
    return {"case_id": case.case_id, "case_number": case.case_number, "court": case.court, "status": case.status,
            "case_type": case.case_type, "parties": list(case.parties)}  # fmt: skip


def _page_source(page: PageEntry) -> dict[str, Any]:
    return _case_source(page.case) | {
        "document_id": page.document_id, "page_number": page.page_number, "text": page.text,
        "doc_type": page.doc_type, "filed_on": page.filed_on.isoformat() if page.filed_on else None,
        "title": page.title, "filename": page.filename, "language": page.language,
    }  # fmt: skip


class ElasticsearchIndex:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str, shards: int = 1, replicas: int = 0) -> None:
        self.client = Elasticsearch(url, request_timeout=60, retry_on_timeout=True, max_retries=2)
        self.alias = alias
        self.shards, self.replicas = shards, replicas

    # --- set-up and versions --------------------------------------------------------------------------

    def _call(self, operation: str, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BadRequestError as error:
            raise InvalidInput(f"the search engine refused the {operation}: {error.message}") from error
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch {operation} failed: {error}") from error

    def _text_analyzer(self) -> str:
        """`english` where the cluster has it; the minimal integ-test distribution has no language analysers."""
        try:
            self.client.indices.analyze(analyzer="english", text="judgments")
            return "english"
        except BadRequestError:
            log.warning("elasticsearch.no_english_analyzer", fallback="standard")
            return "standard"

    def _put_template(self) -> None:
        self._call(
            "template update",
            self.client.indices.put_index_template,
            name=self.alias,
            index_patterns=[f"{self.alias}-v*"],
            template={
                "settings": {"number_of_shards": self.shards, "number_of_replicas": self.replicas},
                "mappings": page_mapping(self._text_analyzer()),
            },
        )

    def _current_indices(self) -> list[str]:
        response = self._call("alias lookup", self.client.options(ignore_status=404).indices.get_alias, name=self.alias)
        return (
            sorted(name for name in response.body if "error" not in response.body)
            if response.meta.status == 200
            else []
        )

    def ensure_ready(self) -> None:
        if self._current_indices():
            return
        self._put_template()
        first = f"{self.alias}-v1"
        self._call("index creation", self.client.options(ignore_status=400).indices.create, index=first)
        self._call("alias creation", self.client.indices.update_aliases,
                   actions=[{"add": {"index": first, "alias": self.alias}}])  # fmt: skip

    def ping(self) -> None:
        self._call("health check", self.client.cluster.health, timeout="5s")
        if not self._current_indices():
            raise BackendUnavailable(f"the index alias {self.alias} does not exist")

    def rebuild(self, batches: Iterable[Sequence[PageEntry]]) -> str:
        """Build a new index version from scratch, then swap the alias in one step: searches never see a gap."""
        self._put_template()
        old = self._current_indices()
        latest = max((int(name.rsplit("-v", 1)[1]) for name in old), default=0)
        new = f"{self.alias}-v{latest + 1}"
        self._call("index creation", self.client.indices.create, index=new)
        for batch in batches:
            self._bulk({"_index": new, "_id": page.key, "_source": _page_source(page)} for page in batch)
        self._call("refresh", self.client.indices.refresh, index=new)
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        self._call("alias swap", self.client.indices.update_aliases,
                   actions=[*actions, {"add": {"index": new, "alias": self.alias}}])  # fmt: skip
        for name in old:
            self._call("old index removal", self.client.indices.delete, index=name)
        return new

    # --- writes -----------------------------------------------------------------------------------------

    def _bulk(
        self, actions: Iterable[dict[str, Any]], ignore_status: tuple[int, ...] = (), refresh: bool = False
    ) -> None:
        try:
            helpers.bulk(self.client, actions, chunk_size=BULK_CHUNK, max_retries=5, initial_backoff=1,
                         max_backoff=30, ignore_status=ignore_status, refresh=refresh)  # fmt: skip
        except helpers.BulkIndexError as error:
            raise BackendUnavailable(
                f"Elasticsearch refused {len(error.errors)} page(s): {error.errors[:1]}"
            ) from error
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch bulk indexing failed: {error}") from error

    def _ids(self, query: dict[str, Any]) -> Iterator[str]:
        try:
            for hit in helpers.scan(self.client, index=self.alias, query={"query": query}, _source=False, size=1000):
                yield hit["_id"]
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch scan failed: {error}") from error

    def _page_ids(self, query: dict[str, Any]) -> list[str]:
        """The ids matching a query in one search; the scroll, which costs three round trips, only when there
        are more than 10,000."""
        response = self._call(
            "id lookup", self.client.search, index=self.alias, query=query, size=MAX_IDS_PER_SEARCH, source=False,
            sort=["_doc"], track_total_hits=True,
        )  # fmt: skip
        hits = response["hits"]["hits"]
        if response["hits"]["total"]["value"] > len(hits):
            return list(self._ids(query))
        return [hit["_id"] for hit in hits]

    def _refresh(self) -> None:
        # "indexed" promises "searchable now": make the writes visible before the task reports success.
        self._call("refresh", self.client.indices.refresh, index=self.alias)

    def replace_document(self, document_id: str, pages: Sequence[PageEntry], previous_page_count: int) -> None:
        actions = [{"_index": self.alias, "_id": page.key, "_source": _page_source(page)} for page in pages]
        # Pages beyond the new count (a reprocess that found fewer pages) are removed by id, in the same request;
        # a page already gone is fine (404).
        stale = [page_key(document_id, number) for number in range(len(pages) + 1, previous_page_count + 1)]
        actions += [{"_op_type": "delete", "_index": self.alias, "_id": page_id} for page_id in stale]
        # "indexed" promises "searchable now": the request refreshes the shard before it answers, which saves
        # the round trip of a separate refresh call.
        self._bulk(actions, ignore_status=(404,) if stale else (), refresh=True)

    def delete_document(self, document_id: str) -> None:
        stale = self._page_ids({"term": {"document_id": document_id}})
        self._bulk({"_op_type": "delete", "_index": self.alias, "_id": page_id} for page_id in stale)
        self._refresh()

    def update_case_fields(self, case: CaseFields) -> None:
        # Partial updates by id: update_by_query needs the reindex module, which minimal clusters lack.
        source = _case_source(case)
        page_ids = self._page_ids({"term": {"case_id": case.case_id}})
        self._bulk({"_op_type": "update", "_index": self.alias, "_id": page_id, "doc": source} for page_id in page_ids)
        self._refresh()

    # --- reads ------------------------------------------------------------------------------------------

    @staticmethod
    def _query(query: Clause | None, filters: SearchFilters) -> dict[str, Any]:
        return {"bool": {"must": [compile_dsl(query) if query else {"match_all": {}}], "filter": _filters(filters)}}

    def search(self, query: Clause | None, filters: SearchFilters, offset: int, limit: int) -> PageSearchResult:
        highlight = {
            "pre_tags": [MARK_START], "post_tags": [MARK_END], "number_of_fragments": 3, "fragment_size": 160,
            "fields": {"text": {}, "text.exact": {}}, "no_match_size": 200,
        }  # fmt: skip
        sort: list[Any] = ["_score", {"document_id": "asc"}, {"page_number": "asc"}]
        response = self._call(
            "search", self.client.search, index=self.alias, query=self._query(query, filters), from_=offset,
            size=limit, track_total_hits=True, sort=sort, highlight=highlight,
            source_excludes=["text", "parties"],
            aggs={field: {"terms": {"field": field, "size": FACET_SIZE}} for field in FACET_FIELDS},
        )  # fmt: skip
        hits = []
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            fragments = hit.get("highlight", {})
            candidates = list(dict.fromkeys(fragments.get("text.exact", []) + fragments.get("text", [])))
            # Each field falls back to a plain fragment (no_match_size); show those only if nothing matched.
            snippets = [fragment for fragment in candidates if MARK_START in fragment][:3] or candidates[:1]
            hits.append(PageHit(
                document_id=source["document_id"], case_id=source["case_id"], case_number=source["case_number"],
                page=source["page_number"], score=round(float(hit["_score"] or 0.0), 4),
                snippets=[to_marked_html(fragment) for fragment in snippets], title=source.get("title"),
                filename=source["filename"], court=source["court"], doc_type=source["doc_type"],
            ))  # fmt: skip
        facets = {
            field: {bucket["key"]: bucket["doc_count"] for bucket in response["aggregations"][field]["buckets"]}
            for field in FACET_FIELDS
        }
        return PageSearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def matching_documents_per_case(self, query: Clause, filters: SearchFilters) -> dict[str, int]:
        response = self._call(
            "case search", self.client.search, index=self.alias, query=self._query(query, filters), size=0,
            aggs={"cases": {"terms": {"field": "case_id", "size": 10_000},
                            "aggs": {"documents": {"cardinality": {"field": "document_id",
                                                                   "precision_threshold": 10_000}}}}},
        )  # fmt: skip
        return {bucket["key"]: bucket["documents"]["value"] for bucket in response["aggregations"]["cases"]["buckets"]}
