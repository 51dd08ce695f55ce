"""Page index on Elasticsearch 9: a versioned index behind an alias, the same query AST as the query DSL."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import structlog
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError, BadRequestError, Elasticsearch, helpers

from core.errors import BackendUnavailable, IndexRejected, InvalidInput
from search.backends.base import (
    MARK_END,
    MARK_START,
    SIMILAR_QUERY_TERMS,
    SIMILAR_TEXT_CHARS,
    IndexedDocument,
    SimilarDocument,
)
from search.boxes import fold
from search.highlight import to_marked_html
from search.query import (
    And,
    Atom,
    Cites,
    Clause,
    FieldMatch,
    Fuzzy,
    Near,
    Not,
    Or,
    Phrase,
    Term,
    Within,
    fuzzy_distance,
    marked,
)
from search.schemas import (
    FACET_FIELDS,
    INDEX_FIELDS,
    CaseFields,
    FieldKind,
    PageEntry,
    PageSearchResult,
    SearchFilters,
    SearchHitOut,
)
from search.structure import paragraphs, sentences

log = structlog.get_logger(__name__)
BULK_CHUNK = 500
MAX_IDS_PER_SEARCH = 10_000  # the index's max_result_window
FACET_SIZE = 50
BUCKETS_PER_REQUEST = 1000  # composite aggregation page: cases per case search, documents per indexed_documents
# The client waits this much longer than the search's own budget, so Elasticsearch's partial answer (or its
# error) arrives before the client gives up on the connection.
CLIENT_TIMEOUT_MARGIN_SECONDS = 1.0
MAX_REASON_CHARS = 300
# Bulk item errors that say the entry itself is unacceptable (mapping, parsing, value limits): retrying the
# same entry cannot help. Anything else (429, 5xx, a missing index) is treated as an outage and retried.
PERMANENT_ERROR_TYPES = frozenset(
    {
        "document_parsing_exception",
        "mapper_parsing_exception",
        "mapper_exception",
        "illegal_argument_exception",
        "strict_dynamic_mapping_exception",
        "x_content_parse_exception",
        "parse_exception",
        "number_format_exception",
        "json_parse_exception",
    }
)
_MAPPING: dict[FieldKind, dict[str, Any]] = {
    "keyword": {"type": "keyword"},
    "keywords": {"type": "keyword"},  # any field holds a list in Elasticsearch
    "integer": {"type": "integer"},
    "date": {"type": "date", "format": "strict_date"},
    "text": {"type": "text"},
    "flag": {"type": "boolean"},
}


# Decision 0017: the page's sentences and its paragraphs, each an array of values this many positions apart, so an
# interval within STRUCTURE_GAP - 1 positions lies in one value (a sentence or paragraph up to that many words).
STRUCTURE_GAP = 10_000
STRUCTURE_FIELDS = {"sentence": "sentences", "paragraph": "paragraphs"}
# Field queries (court:, party:, number:, doc_type:) match words in a row on these keyword fields' `.words`.
FIELD_QUERY_FIELDS = {"court": "court.words", "party": "parties.words", "title": "title", "number": "case_number.words",
                      "doc_type": "doc_type.words"}  # fmt: skip
MAX_FUZZY_EXPANSIONS = 50


def page_mapping(text_analyzer: str) -> dict[str, Any]:
    """One document per page; `text` is analysed (English where the cluster has it), `text.exact` keeps words."""
    body = {"type": "text", "analyzer": text_analyzer, "fields": {"exact": {"type": "text", "analyzer": "standard"}}}
    properties = {name: body if kind == "body" else dict(_MAPPING[kind]) for name, kind in INDEX_FIELDS.items()}
    for name in ("court", "parties", "case_number", "doc_type"):
        properties[name] = properties[name] | {"fields": {"words": {"type": "text", "analyzer": "standard"}}}
    exact = {"type": "text", "analyzer": "standard", "position_increment_gap": STRUCTURE_GAP}
    structure = {"type": "text", "analyzer": text_analyzer, "position_increment_gap": STRUCTURE_GAP,
                 "fields": {"exact": exact}}  # fmt: skip
    for name in STRUCTURE_FIELDS.values():
        properties[name] = structure
    return {"dynamic": "strict", "properties": properties}


def _rule(atom: Atom, field: str) -> dict[str, Any]:
    """One proximity operand as an intervals rule on `field` (words stemmed as the field is, phrases and prefixes
    on its `.exact` words, which share its positions)."""
    if isinstance(atom, Term) and atom.prefix:
        return {"prefix": {"prefix": (atom.source or atom.text).lower(), "use_field": f"{field}.exact"}}
    if isinstance(atom, Term):
        return {"match": {"query": atom.source or atom.text, "ordered": True, "max_gaps": 0}}
    if isinstance(atom, Phrase):
        return {"match": {"query": atom.source or " ".join(atom.words), "ordered": True, "max_gaps": 0,
                          "use_field": f"{field}.exact"}}  # fmt: skip
    word = fold(atom.text)
    return {"fuzzy": {"term": word, "fuzziness": fuzzy_distance(atom, word), "transpositions": False,
                      "use_field": f"{field}.exact"}}  # fmt: skip


def _side(atoms: tuple[Atom, ...], field: str) -> dict[str, Any]:
    rules = [_rule(atom, field) for atom in atoms]
    return rules[0] if len(rules) == 1 else {"any_of": {"intervals": rules}}


def _intervals(clause: Near | Within) -> dict[str, Any]:
    field = "text" if isinstance(clause, Near) else STRUCTURE_FIELDS[clause.unit]
    gaps = clause.distance - 1 if isinstance(clause, Near) else STRUCTURE_GAP - 1
    ordered = isinstance(clause, Near) and clause.ordered
    sides = [_side(clause.left, field), _side(clause.right, field)]
    return {"intervals": {field: {"all_of": {"intervals": sides, "max_gaps": gaps, "ordered": ordered}}}}


def compile_dsl(clause: Clause) -> dict[str, Any]:
    """Compile the query AST to the query DSL: words on the analysed text, phrases and prefixes on exact words."""
    # The text as typed, so Elasticsearch's tokenizer splits the query exactly as it split the page.
    if isinstance(clause, Term):
        if clause.prefix:
            return {"prefix": {"text.exact": {"value": (clause.source or clause.text).lower()}}}
        return {"match": {"text": {"query": clause.source or clause.text, "operator": "and"}}}
    if isinstance(clause, Phrase):
        return {"match_phrase": {"text.exact": {"query": clause.source or " ".join(clause.words)}}}
    if isinstance(clause, Near | Within):  # decision 0017
        return _intervals(clause)
    if isinstance(clause, Fuzzy):  # on the page's words as written (FTS5 has only its stems: decision 0017)
        word = fold(clause.text)
        return {"fuzzy": {"text.exact": {"value": word, "fuzziness": fuzzy_distance(clause, word),
                                         "transpositions": False, "max_expansions": MAX_FUZZY_EXPANSIONS,
                                         "prefix_length": 0}}}  # fmt: skip
    if isinstance(clause, FieldMatch):
        return {"match_phrase": {FIELD_QUERY_FIELDS[clause.name]: " ".join(clause.words)}}
    if isinstance(clause, Cites):  # the page cites this authority, in whatever spelling it printed (decision 0019)
        return {"term": {"citations": clause.citation}}
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
        for name in ("case_id", "document_id", "court", "status", "case_type", "doc_type")
        if (value := getattr(filters, name)) is not None
    ]
    dates = {key: value.isoformat() for key, value in (("gte", filters.filed_from), ("lte", filters.filed_to)) if value}
    if dates:
        clauses.append({"range": {"filed_on": dates}})
    if filters.readers is not None:
        clauses.append(access_filter(filters.readers))
    return clauses


def access_filter(keys: Sequence[str]) -> dict[str, Any]:
    """The walls (decision 0011), in the bool filter beside the other filters: a page matches only if one of the
    caller's keys is among its readers, or among its sealed_readers when its document is sealed. In filter context
    it is not scored, and Elasticsearch caches it per segment, so hits, totals, facets and case counts are all
    counted within it."""
    keys = list(keys)
    return {
        "bool": {
            "should": [
                {"bool": {"filter": [{"term": {"sealed": False}}, {"terms": {"readers": keys}}]}},
                {"bool": {"filter": [{"term": {"sealed": True}}, {"terms": {"sealed_readers": keys}}]}},
            ],
            "minimum_should_match": 1,
        }
    }


def _page_source(page: PageEntry) -> dict[str, Any]:
    """The entry's fields, and the engine-private sentences and paragraphs of its text (decision 0017)."""
    return page.record() | {"sentences": sentences(page.text), "paragraphs": paragraphs(page.text)}


def bulk_failure(errors: Sequence[dict[str, Any]]) -> BackendUnavailable | IndexRejected:
    """Sort a bulk request's failed items: IndexRejected only if every one is a permanent refusal of the entry."""
    items = [next(iter(error.values())) for error in errors]
    kinds = [item.get("error", {}).get("type") if isinstance(item.get("error"), dict) else None for item in items]
    first = items[0] if items else {}
    cause = first.get("error")
    reason = f"{cause.get('type')}: {cause.get('reason')}" if isinstance(cause, dict) else str(cause)
    reason = reason if len(reason) <= MAX_REASON_CHARS else reason[:MAX_REASON_CHARS] + "…"  # it quotes the value
    where = f"page {first.get('_id')}"
    if items and all(kind in PERMANENT_ERROR_TYPES for kind in kinds):
        return IndexRejected(f"Elasticsearch refused {where} for good ({len(items)} refused in all): {reason}")
    statuses = sorted({item.get("status") for item in items}, key=str)
    return BackendUnavailable(
        f"Elasticsearch did not take {len(items)} page(s) (status {statuses}); first, {where}: {reason}"
    )


class ElasticsearchIndex:
    name = "elasticsearch"

    def __init__(
        self, url: str, alias: str, shards: int = 1, replicas: int = 0, search_timeout_seconds: float = 10.0
    ) -> None:
        # Searches: the client gives up shortly after the search's own budget and never retries a timeout.
        self.client = Elasticsearch(
            url,
            request_timeout=search_timeout_seconds + CLIENT_TIMEOUT_MARGIN_SECONDS,
            retry_on_timeout=False,
            max_retries=2,
        )
        # Writes and administration (a bulk of 500 pages, a refresh, an index creation): patient, and retried.
        self.admin = self.client.options(request_timeout=60, retry_on_timeout=True)
        self.alias = alias
        self.shards, self.replicas = shards, replicas
        self.search_timeout_seconds = search_timeout_seconds

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
            self.admin.indices.analyze(analyzer="english", text="judgments")
            return "english"
        except BadRequestError:
            log.warning("elasticsearch.no_english_analyzer", fallback="standard")
            return "standard"

    def _put_template(self) -> None:
        self._call(
            "template update",
            self.admin.indices.put_index_template,
            name=self.alias,
            index_patterns=[f"{self.alias}-v*"],
            template={
                "settings": {"number_of_shards": self.shards, "number_of_replicas": self.replicas},
                "mappings": page_mapping(self._text_analyzer()),
            },
        )

    def _current_indices(self) -> list[str]:
        response = self._call("alias lookup", self.admin.options(ignore_status=404).indices.get_alias, name=self.alias)
        return (
            sorted(name for name in response.body if "error" not in response.body)
            if response.meta.status == 200
            else []
        )

    def ensure_ready(self) -> None:
        if current := self._current_indices():
            self._add_missing_fields(current)
            return
        self._put_template()
        first = f"{self.alias}-v1"
        self._call("index creation", self.admin.options(ignore_status=400).indices.create, index=first)
        self._call("alias creation", self.admin.indices.update_aliases,
                   actions=[{"add": {"index": first, "alias": self.alias}}])  # fmt: skip

    def _add_missing_fields(self, indices: list[str]) -> None:
        """An index made by an older release lacks the fields added since (the walls' readers, sealed_readers and
        sealed): add them to its mapping, which Elasticsearch allows for new fields, so new pages can be written
        and searches filter on them. Pages written before have no keys, so only admins find them until
        `casefile reindex`. A field whose type changed cannot be altered in place: that needs the reindex."""
        wanted = page_mapping("standard")["properties"]
        response = self._call("mapping lookup", self.admin.indices.get_mapping, index=self.alias)
        for name in indices:
            live = response[name]["mappings"].get("properties", {})
            missing = {field: spec for field, spec in wanted.items() if field not in live}
            # Multi-fields added since (the field queries' `.words`, decision 0017) can be added in place too; pages
            # written before are searched by them once reindexed.
            missing |= {
                field: spec
                for field, spec in wanted.items()
                if field in live
                and live[field].get("type") == spec["type"]
                and set(spec.get("fields", {})) - set(live[field].get("fields", {}))
            }
            changed = sorted(
                field for field, spec in wanted.items() if field in live and live[field].get("type") != spec["type"]
            )
            if missing:
                self._call("mapping update", self.admin.indices.put_mapping, index=name, properties=missing)
                log.warning("elasticsearch.mapping_upgraded", index=name, added=sorted(missing),
                            note="pages written before have no access keys: only admins find them until "
                                 "`casefile reindex`")  # fmt: skip
            if changed:
                log.error("elasticsearch.mapping_outdated", index=name, fields=changed,
                          note="run `casefile reindex` to build a version with the current mapping")  # fmt: skip

    def ping(self) -> None:
        self._call("health check", self.admin.cluster.health, timeout="5s")
        if not self._current_indices():
            raise BackendUnavailable(f"the index alias {self.alias} does not exist")

    def rebuild(self, batches: Iterable[Sequence[PageEntry]]) -> str:
        """Build a new index version from scratch, then swap the alias in one step: searches never see a gap.
        Returns the new version's name, `<alias>-v<N>`."""
        self._put_template()
        old = self._current_indices()
        latest = max((int(name.rsplit("-v", 1)[1]) for name in old), default=0)
        new = f"{self.alias}-v{latest + 1}"
        self._call("index creation", self.admin.indices.create, index=new)
        try:
            for batch in batches:
                self._bulk({"_index": new, "_id": page.key, "_source": _page_source(page)} for page in batch)
            self._call("refresh", self.admin.indices.refresh, index=new)
        except BaseException:
            # The live version is untouched; drop the half-built one, or the next rebuild would pick a number
            # past it and the orphan would hold disk for good.
            self.admin.options(ignore_status=404).indices.delete(index=new)
            raise
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        self._call("alias swap", self.admin.indices.update_aliases,
                   actions=[*actions, {"add": {"index": new, "alias": self.alias}}])  # fmt: skip
        for name in old:
            self._call("old index removal", self.admin.indices.delete, index=name)
        return new

    # --- writes -----------------------------------------------------------------------------------------

    def _bulk(
        self, actions: Iterable[dict[str, Any]], ignore_status: tuple[int, ...] = (), refresh: bool = False
    ) -> list[dict[str, Any]]:
        """Send the actions (429s are retried with backoff); return each item's result, in order."""
        try:
            results = helpers.streaming_bulk(
                self.admin, actions, chunk_size=BULK_CHUNK, max_retries=5, initial_backoff=1, max_backoff=30,
                ignore_status=ignore_status, refresh=refresh,
            )  # fmt: skip
            return [item for _, item in results]
        except helpers.BulkIndexError as error:
            raise bulk_failure(error.errors) from error
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch bulk indexing failed: {error}") from error

    def _ids(self, query: dict[str, Any]) -> Iterator[str]:
        try:
            for hit in helpers.scan(self.admin, index=self.alias, query={"query": query}, _source=False, size=1000):
                yield hit["_id"]
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch scan failed: {error}") from error

    def _page_ids(self, query: dict[str, Any]) -> list[str]:
        """The ids matching a query in one search; the scroll, which costs three round trips, only when there
        are more than 10,000."""
        response = self._call(
            "id lookup", self.admin.search, index=self.alias, query=query, size=MAX_IDS_PER_SEARCH, source=False,
            sort=["_doc"], track_total_hits=True,
        )  # fmt: skip
        hits = response["hits"]["hits"]
        if response["hits"]["total"]["value"] > len(hits):
            return list(self._ids(query))
        return [hit["_id"] for hit in hits]

    def _refresh(self) -> None:
        # "indexed" promises "searchable now": make the writes visible before the task reports success.
        self._call("refresh", self.admin.indices.refresh, index=self.alias)

    def _delete_ids(self, page_ids: Sequence[str]) -> None:
        # A page already gone is fine (404): deletions stay idempotent. The request refreshes before it answers.
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": page_id} for page_id in page_ids)
        self._bulk(actions, ignore_status=(404,), refresh=True)

    def replace_document(
        self, document_id: str, pages: Sequence[PageEntry], previous_page_count: int | None = None
    ) -> None:
        """One bulk request writes the pages and refreshes before it answers ("indexed" means searchable now).
        Pages left from an earlier, longer version are found without asking the index first: pages are numbered
        1..n, so if page n was `created` the document had fewer than n pages and nothing is left over. Only
        when it was `updated` (a reprocess) does a search look for pages beyond n, and delete them by id.
        previous_page_count is ignored (deprecated)."""
        actions = [{"_index": self.alias, "_id": page.key, "_source": _page_source(page)} for page in pages]
        try:
            results = self._bulk(actions, refresh=True)
        except IndexRejected:
            self._discard([page.key for page in pages])
            raise
        numbers = [page.page_number for page in pages]
        if sorted(numbers) == list(range(1, len(pages) + 1)):  # the usual case: pages 1..n
            last = results[numbers.index(len(pages))] if pages else {}
            if last.get("index", {}).get("result") == "created":
                return
        keep = set(numbers)
        stale = [
            page_id
            for page_id in self._page_ids({"term": {"document_id": document_id}})
            if int(page_id.rsplit(":", 1)[1]) not in keep
        ]
        if stale:
            self._delete_ids(stale)

    def _discard(self, page_ids: Sequence[str]) -> None:
        """Remove what a refused document's bulk request did write: a failed document is not searchable."""
        try:
            self._delete_ids(page_ids)
        except BackendUnavailable as error:
            log.warning("elasticsearch.discard_failed", pages=len(page_ids), error=error.detail)

    def delete_document(self, document_id: str) -> None:
        stale = self._page_ids({"term": {"document_id": document_id}})
        if stale:
            self._delete_ids(stale)

    def update_case_fields(self, case: CaseFields) -> None:
        # Partial updates by id: update_by_query needs the reindex module, which minimal clusters lack.
        source = case.record()
        page_ids = self._page_ids({"term": {"case_id": case.case_id}})
        self._bulk({"_op_type": "update", "_index": self.alias, "_id": page_id, "doc": source} for page_id in page_ids)
        self._refresh()

    # --- reads ------------------------------------------------------------------------------------------

    @staticmethod
    def _query(query: Clause | None, filters: SearchFilters) -> dict[str, Any]:
        return {"bool": {"must": [compile_dsl(query) if query else {"match_all": {}}], "filter": _filters(filters)}}

    def _search(self, operation: str, deadline: float, **body: Any) -> dict[str, Any]:
        """One search within what is left of the budget: Elasticsearch stops collecting at `timeout`, and the
        client gives up a little after the budget, without retrying a timeout. A timed-out answer is an error,
        never a silently partial result (the embedded engine cannot return partial results either)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timed_out()
        try:
            response: dict[str, Any] = self.client.search(
                index=self.alias, timeout=f"{max(1, int(remaining * 1000))}ms", **body
            ).body
        except ConnectionTimeout as error:
            raise self._timed_out() from error
        except BadRequestError as error:
            raise InvalidInput(f"the search engine refused the {operation}: {error.message}") from error
        except (TransportConnectionError, TransportError, ApiError) as error:
            raise BackendUnavailable(f"Elasticsearch {operation} failed: {error}") from error
        if response.get("timed_out"):
            raise self._timed_out()
        return response

    def _timed_out(self) -> BackendUnavailable:
        return BackendUnavailable(
            f"the search took longer than {self.search_timeout_seconds:g} s and was stopped; "
            "narrow it with more words or filters, or try again later",
            timeout_seconds=self.search_timeout_seconds,
        )

    def search(self, query: Clause | None, filters: SearchFilters, offset: int, limit: int) -> PageSearchResult:
        if filters.readers == ():  # keys that open nothing: no request
            return PageSearchResult(total=0, hits=[], facets={field: {} for field in FACET_FIELDS})
        highlight = {
            "pre_tags": [MARK_START], "post_tags": [MARK_END], "number_of_fragments": 3, "fragment_size": 160,
            "fields": {"text": {}, "text.exact": {}}, "no_match_size": 200,
        }  # fmt: skip
        marks = marked(query)
        if marks is not None and marks != query:
            # Operators and field queries match on other fields (sentences, paragraphs, case fields): mark their
            # words on the page text with a query of those words alone (decision 0017).
            highlight["highlight_query"] = compile_dsl(marks)
        sort: list[Any] = ["_score", {"document_id": "asc"}, {"page_number": "asc"}]
        response = self._search(
            "search", time.monotonic() + self.search_timeout_seconds, query=self._query(query, filters),
            from_=offset, size=limit, track_total_hits=True, sort=sort, highlight=highlight,
            source_excludes=["text", "parties", "readers", "sealed_readers", *STRUCTURE_FIELDS.values()],
            aggs={field: {"terms": {"field": field, "size": FACET_SIZE}} for field in FACET_FIELDS},
        )  # fmt: skip
        hits = []
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            fragments = hit.get("highlight", {})
            candidates = list(dict.fromkeys(fragments.get("text.exact", []) + fragments.get("text", [])))
            # Each field falls back to a plain fragment (no_match_size); show those only if nothing matched.
            snippets = [fragment for fragment in candidates if MARK_START in fragment][:3] or candidates[:1]
            hits.append(SearchHitOut(
                document_id=source["document_id"], case_id=source["case_id"], case_number=source["case_number"],
                page=source["page_number"], score=round(float(hit["_score"] or 0.0), 4),
                snippets=[to_marked_html(fragment) for fragment in snippets], title=source.get("title"),
                filename=source["filename"], court=source["court"], doc_type=source["doc_type"],
                citations=source.get("citations") or [],
            ))  # fmt: skip
        facets = {
            field: {bucket["key"]: bucket["doc_count"] for bucket in response["aggregations"][field]["buckets"]}
            for field in FACET_FIELDS
        }
        return PageSearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

    def _composite(
        self,
        operation: str,
        query: dict[str, Any],
        sources: list[dict[str, Any]],
        deadline: float | None = None,
        aggs: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every bucket of a composite aggregation, a page of BUCKETS_PER_REQUEST at a time (a terms aggregation
        would stop at its size without saying so)."""
        after: dict[str, Any] | None = None
        while True:
            composite: dict[str, Any] = {"size": BUCKETS_PER_REQUEST, "sources": sources}
            if after is not None:
                composite["after"] = after
            aggregation: dict[str, Any] = {"composite": composite} | ({"aggs": aggs} if aggs else {})
            if deadline is None:  # a listing for maintenance, not a user's search: no budget
                response = self._call(operation, self.admin.search, index=self.alias, query=query, size=0,
                                      aggs={"buckets": aggregation})  # fmt: skip
            else:
                response = self._search(operation, deadline, query=query, size=0, aggs={"buckets": aggregation})
            result = response["aggregations"]["buckets"]
            yield from result["buckets"]
            after = result.get("after_key")
            if not result["buckets"] or after is None:
                return

    def matching_documents_per_case(self, query: Clause, filters: SearchFilters) -> dict[str, int]:
        if filters.readers == ():
            return {}
        buckets = self._composite(
            "case search", self._query(query, filters), [{"case_id": {"terms": {"field": "case_id"}}}],
            deadline=time.monotonic() + self.search_timeout_seconds,
            aggs={"documents": {"cardinality": {"field": "document_id", "precision_threshold": 10_000}}},
        )  # fmt: skip
        return {bucket["key"]["case_id"]: bucket["documents"]["value"] for bucket in buckets}

    def indexed_documents(self) -> Iterator[IndexedDocument]:
        # Terms on the case fields too (doc values, no stored source read); a document whose pages disagree
        # on them would come as consecutive buckets, summed here.
        names = ("document_id", "case_id", "case_number", "court", "status", "case_type")
        sources = [{name: {"terms": {"field": name, "missing_bucket": True}}} for name in names]
        current: IndexedDocument | None = None
        for bucket in self._composite("index listing", {"match_all": {}}, sources):
            key = bucket["key"]
            if current is not None and current.document_id == key["document_id"]:
                current = dataclasses.replace(current, page_count=current.page_count + bucket["doc_count"])
                continue
            if current is not None:
                yield current
            current = IndexedDocument(page_count=bucket["doc_count"], **{name: key[name] for name in names})
        if current is not None:
            yield current

    def similar_documents(
        self, document_id: str, text: str, filters: SearchFilters, limit: int
    ) -> list[SimilarDocument]:
        """more_like_this on the page text, the walls and filters in the same bool query, the document itself left
        out; one hit per document (collapse on document_id), its best page's score."""
        if filters.readers == () or not text.strip():
            return []
        like = {
            "more_like_this": {
                "fields": ["text"], "like": text[:SIMILAR_TEXT_CHARS], "min_term_freq": 1, "min_doc_freq": 1,
                "max_query_terms": SIMILAR_QUERY_TERMS, "minimum_should_match": "30%",
            }
        }  # fmt: skip
        query = {
            "bool": {"must": [like], "filter": _filters(filters), "must_not": [{"term": {"document_id": document_id}}]}
        }
        response = self._search(
            "similar documents", time.monotonic() + self.search_timeout_seconds, query=query, size=limit,
            collapse={"field": "document_id"}, source_includes=["document_id", "case_id"], track_total_hits=False,
        )  # fmt: skip
        return [
            SimilarDocument(hit["_source"]["document_id"], hit["_source"]["case_id"], round(float(hit["_score"]), 4))
            for hit in response["hits"]["hits"]
        ]
