"""Embedded page index on SQLite FTS5, in its own file beside the metadata database."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.errors import BackendUnavailable
from search.backends.base import MARK_END, MARK_START
from search.highlight import to_marked_html
from search.query import And, Clause, Not, Or, Phrase, Term
from search.schemas import FACET_FIELDS, CaseFields, PageEntry, PageHit, PageSearchResult, SearchFilters

COLUMNS = (
    "text",
    "document_id",
    "page_number",
    "case_id",
    "case_number",
    "court",
    "status",
    "case_type",
    "doc_type",
    "filed_on",
    "title",
    "filename",
    "language",
    "parties",
)
# Only the page text is tokenised; the rest are stored (UNINDEXED) for filters, facets and hits.
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {{table}} USING fts5(
    text, {", ".join(f"{column} UNINDEXED" for column in COLUMNS[1:])},
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""
INSERT = f"INSERT INTO {{table}} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
SNIPPET_TOKENS = 24


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def compile_fts(clause: Clause) -> str:
    """Compile the query AST to an FTS5 MATCH expression."""
    if isinstance(clause, Term):
        return _quote(clause.text) + (" *" if clause.prefix else "")
    if isinstance(clause, Phrase):
        return _quote(" ".join(clause.words))
    if isinstance(clause, Or):
        return "(" + " OR ".join(compile_fts(item) for item in clause.clauses) + ")"
    if isinstance(clause, And):
        required = [compile_fts(item) for item in clause.clauses if not isinstance(item, Not)]
        excluded = [compile_fts(item.clause) for item in clause.clauses if isinstance(item, Not)]
        expression = "(" + " AND ".join(required) + ")"
        return expression + "".join(f" NOT {item}" for item in excluded)
    raise ValueError(f"cannot compile {clause!r} on its own")


class SqliteFtsIndex:
    name = "sqlite-fts5"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._write_lock = threading.Lock()  # one writer at a time; readers go on in WAL mode

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as error:
            raise BackendUnavailable(f"search index {self.path} cannot be opened: {error}") from error
        try:
            connection.execute("PRAGMA busy_timeout=30000")
            yield connection
            connection.commit()
        finally:
            connection.close()

    def ensure_ready(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock, self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")  # stored in the file: once is enough
            connection.execute(SCHEMA.format(table="pages"))

    def ping(self) -> None:
        with self._connect() as connection:
            connection.execute("SELECT count(*) FROM pages WHERE rowid = 0").fetchone()

    @staticmethod
    def _rows(pages: Sequence[PageEntry]) -> list[tuple[Any, ...]]:
        return [
            (
                page.text,
                page.document_id,
                page.page_number,
                page.case.case_id,
                page.case.case_number,
                page.case.court,
                page.case.status,
                page.case.case_type,
                page.doc_type,
                page.filed_on.isoformat() if page.filed_on else None,
                page.title,
                page.filename,
                page.language,
                json.dumps(list(page.case.parties), ensure_ascii=False),
            )
            for page in pages
        ]

    def replace_document(self, document_id: str, pages: Sequence[PageEntry], previous_page_count: int) -> None:
        with self._write_lock, self._connect() as connection:
            connection.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))
            connection.executemany(INSERT.format(table="pages"), self._rows(pages))

    def rebuild(self, batches: Iterable[Sequence[PageEntry]]) -> str:
        """Fill a new table beside the live one, then swap them in one transaction."""
        with self._write_lock, self._connect() as connection:
            connection.isolation_level = None  # one explicit transaction: readers see old or new, never neither
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DROP TABLE IF EXISTS pages_rebuild")
            connection.execute(SCHEMA.format(table="pages_rebuild"))
            for batch in batches:
                connection.executemany(INSERT.format(table="pages_rebuild"), self._rows(batch))
            connection.execute("DROP TABLE IF EXISTS pages")
            connection.execute("ALTER TABLE pages_rebuild RENAME TO pages")
            connection.execute("COMMIT")
        return str(self.path)

    def delete_document(self, document_id: str) -> None:
        with self._write_lock, self._connect() as connection:
            connection.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))

    def update_case_fields(self, case: CaseFields) -> None:
        with self._write_lock, self._connect() as connection:
            connection.execute(
                "UPDATE pages SET case_number = ?, court = ?, status = ?, case_type = ?, parties = ? WHERE case_id = ?",
                (
                    case.case_number,
                    case.court,
                    case.status,
                    case.case_type,
                    json.dumps(list(case.parties), ensure_ascii=False),
                    case.case_id,
                ),
            )

    @staticmethod
    def _where(query: Clause | None, filters: SearchFilters) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        parameters: list[Any] = []
        if query is not None:
            conditions.append("pages MATCH ?")
            parameters.append(compile_fts(query))
        for column in ("case_id", "court", "status", "case_type", "doc_type"):
            value = getattr(filters, column)
            if value is not None:
                conditions.append(f"{column} = ?")
                parameters.append(value)
        if filters.filed_from is not None:
            conditions.append("filed_on >= ?")
            parameters.append(filters.filed_from.isoformat())
        if filters.filed_to is not None:
            conditions.append("filed_on <= ?")
            parameters.append(filters.filed_to.isoformat())
        return (" WHERE " + " AND ".join(conditions)) if conditions else "", parameters

    def search(self, query: Clause | None, filters: SearchFilters, offset: int, limit: int) -> PageSearchResult:
        where, parameters = self._where(query, filters)
        if query is not None:
            score = "-bm25(pages)"
            snippet = f"snippet(pages, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})"
            order = "bm25(pages)"
        else:
            score, snippet, order = "0.0", "substr(text, 1, 200)", "document_id, page_number"
        select = (
            f"SELECT document_id, case_id, case_number, page_number, {score}, {snippet}, title, filename, "
            f"court, doc_type FROM pages{where} ORDER BY {order} LIMIT ? OFFSET ?"
        )
        with self._connect() as connection:
            try:
                rows = connection.execute(select, [*parameters, limit, offset]).fetchall()
                # One MATCH for the total and every facet: counts per combination of facet values (a few
                # hundred rows), summed per field below. A GROUP BY per facet would re-run the MATCH each time.
                combinations = connection.execute(
                    f"SELECT {', '.join(FACET_FIELDS)}, count(*) FROM pages{where} GROUP BY {', '.join(FACET_FIELDS)}",
                    parameters,
                ).fetchall()
            except sqlite3.OperationalError as error:
                raise BackendUnavailable(f"search index error: {error}") from error
        total, facets = _total_and_facets(combinations)
        hits = [
            PageHit(
                document_id=row[0],
                case_id=row[1],
                case_number=row[2],
                page=int(row[3]),
                score=round(float(row[4]), 4),
                snippets=[to_marked_html(row[5])] if row[5] else [],
                title=row[6],
                filename=row[7],
                court=row[8],
                doc_type=row[9],
            )
            for row in rows
        ]
        return PageSearchResult(total=total, hits=hits, facets=facets)

    def matching_documents_per_case(self, query: Clause, filters: SearchFilters) -> dict[str, int]:
        where, parameters = self._where(query, filters)
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT case_id, count(DISTINCT document_id) FROM pages{where} GROUP BY case_id", parameters
            ).fetchall()
        return {case_id: count for case_id, count in rows}


def _total_and_facets(combinations: Sequence[tuple[Any, ...]]) -> tuple[int, dict[str, dict[str, int]]]:
    """Sum (court, case_type, doc_type, status, count) rows into a total and one count per value of each field,
    most frequent first, as Elasticsearch's terms aggregations order them."""
    counters: dict[str, Counter[str]] = {field: Counter() for field in FACET_FIELDS}
    total = 0
    for *values, count in combinations:
        total += count
        for field, value in zip(FACET_FIELDS, values, strict=True):
            if value is not None:
                counters[field][value] += count
    return total, {field: dict(sorted(counter.items(), key=_most_first)) for field, counter in counters.items()}


def _most_first(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
