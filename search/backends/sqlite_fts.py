"""Embedded page index on SQLite FTS5, in its own file beside the metadata database."""

from __future__ import annotations

import dataclasses
import json
import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import structlog

from core.errors import BackendUnavailable, DatabaseBusy
from search.backends import sqlite_plan
from search.backends.base import (
    MARK_END,
    MARK_START,
    SIMILAR_PAGES_PER_DOCUMENT,
    SIMILAR_QUERY_TERMS,
    SIMILAR_TEXT_CHARS,
    IndexedDocument,
    SimilarDocument,
)
from search.highlight import best_fragment, to_marked_html
from search.query import And, Cites, Clause, Near, Not, Or, Phrase, Term
from search.schemas import (
    FACET_FIELDS,
    INDEX_FIELDS,
    CaseFields,
    PageEntry,
    PageSearchResult,
    SearchFilters,
    SearchHitOut,
)
from search.structure import paragraphs, sentences

log = structlog.get_logger(__name__)
COLUMNS = tuple(INDEX_FIELDS)
TEXT_COLUMN = COLUMNS.index("text")
# The walls inside the FTS5 index (decision 0011): one more column, the only other one tokenised, holds the keys
# that open the page (PageEntry.access) as tokens. A search for a caller adds `access : (key OR key …)` to its
# MATCH, so FTS5 intersects the text's doclists with the caller's before it reads a single row, and trimming
# costs nothing per matching page. Engine-private: derived from readers, sealed_readers and sealed (stored too).
ACCESS_COLUMN = "access"
# The page's citations (decision 0019) likewise: stored as a JSON list for hits, and as tokens (access_token's
# encoding: one exact token per normalised citation) in one more tokenised column, so `Cites` is a MATCH term too.
CITES_COLUMN = "cites"
TABLE_COLUMNS = (*COLUMNS, ACCESS_COLUMN, CITES_COLUMN)
# The page text and the access tokens are tokenised; the rest are stored (UNINDEXED) for filters, facets and hits.
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {{table}} USING fts5(
    {", ".join(name if kind == "body" else f"{name} UNINDEXED" for name, kind in INDEX_FIELDS.items())},
    {ACCESS_COLUMN},
    {CITES_COLUMN},
    tokenize = 'porter unicode61 remove_diacritics 2'
)
"""
# Decision 0017: the sentences and paragraphs of each page, one FTS5 row each, in a table beside the pages, so
# `a /s b` is `sentence : (a AND b)` matched inside the engine. A unit's rowid is its page's rowid shifted left by
# UNIT_BITS plus its number on the page, so a page's units are one rowid range.
UNITS_TABLE = "units"
UNIT_BITS = 20
UNITS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(
    sentence, paragraph, tokenize = 'porter unicode61 remove_diacritics 2'
)
"""
INSERT = f"INSERT INTO {{table}} ({', '.join(TABLE_COLUMNS)}) VALUES ({', '.join('?' for _ in TABLE_COLUMNS)})"
# Only the text is scored: an access token is on every page the caller sees and must not move the ranking.
RANK = f"bm25(pages, {', '.join('1.0' if name == 'text' else '0.0' for name in TABLE_COLUMNS)})"
# The search budget is checked every this many SQLite VM steps (a few hundred rows): cheap, and prompt.
PROGRESS_STEPS = 1000
PLAIN_SNIPPET_CHARS = 240  # a filter-only search shows the start of each page


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def compile_fts(clause: Clause) -> str:
    """Compile the query AST to an FTS5 MATCH expression."""
    if isinstance(clause, Term):
        return _quote(clause.text) + (" *" if clause.prefix else "")
    if isinstance(clause, Phrase):
        return _quote(" ".join(clause.words))
    if isinstance(clause, Near):  # w/N (decision 0017); pre/N, /s, /p and fields are planned by sqlite_plan
        return sqlite_plan.compile_near(clause, _quote)
    if isinstance(clause, Or):
        return "(" + " OR ".join(compile_fts(item) for item in clause.clauses) + ")"
    if isinstance(clause, And):
        required = [compile_fts(item) for item in clause.clauses if not isinstance(item, Not)]
        excluded = [compile_fts(item.clause) for item in clause.clauses if isinstance(item, Not)]
        expression = "(" + " AND ".join(required) + ")"
        if not excluded:
            return expression
        # FTS5's NOT is binary and left-associative: parenthesise, so an excluded group nests correctly.
        return "(" + expression + "".join(f" NOT {item}" for item in excluded) + ")"
    raise ValueError(f"cannot compile {clause!r} on its own")


def access_token(key: str) -> str:
    """An access key as one FTS5 token: three decimal digits per UTF-8 byte. Digits only, so unicode61 keeps it one
    token and porter never stems it; fixed width, so two keys never share a token. A key matches only itself,
    never a prefix, a stem or a part of another."""
    return "".join(f"{byte:03d}" for byte in key.encode())


def access_tokens(keys: Iterable[str]) -> str:
    return " ".join(access_token(key) for key in keys)


def access_match(keys: Sequence[str]) -> str:
    """The MATCH term that keeps the pages one of these keys opens."""
    return f"{ACCESS_COLUMN} : (" + " OR ".join(_quote(access_token(key)) for key in keys) + ")"


def text_match(query: Clause) -> str:
    """The query on the page text alone (the access column is tokenised too, and must never match a query); a
    `Cites` in it matches the cites column. Column filters nest by intersection in FTS5, so the `text :` filter is
    pushed down only as far as the branches that hold a `Cites`."""
    if not _cites_in(query):
        return f"text : ({compile_fts(query)})"
    if isinstance(query, Cites):
        return f"{CITES_COLUMN} : {_quote(access_token(query.citation))}"
    if isinstance(query, Or):
        return "(" + " OR ".join(text_match(item) for item in query.clauses) + ")"
    if isinstance(query, And):
        required = [text_match(item) for item in query.clauses if not isinstance(item, Not)]
        excluded = [text_match(item.clause) for item in query.clauses if isinstance(item, Not)]
        return "((" + " AND ".join(required) + ")" + "".join(f" NOT {item}" for item in excluded) + ")"
    raise ValueError(f"cannot compile {query!r} on its own")


def _cites_in(clause: Clause) -> bool:
    if isinstance(clause, Cites):
        return True
    if isinstance(clause, Not):
        return _cites_in(clause.clause)
    if isinstance(clause, And | Or):
        return any(_cites_in(item) for item in clause.clauses)
    return False


def _unit_rows(page_rowid: int, text: str) -> list[tuple[int, str | None, str | None]]:
    """The page's sentences, then its paragraphs, as rows of the units table."""
    units = [(sentence, None) for sentence in sentences(text)] + [(None, paragraph) for paragraph in paragraphs(text)]
    first = page_rowid << UNIT_BITS
    kept = units[: 1 << UNIT_BITS]
    return [(first + number, sentence, paragraph) for number, (sentence, paragraph) in enumerate(kept)]


def _insert_pages(connection: sqlite3.Connection, table: str, units: str, pages: Iterable[PageEntry]) -> None:
    """Each page, then its sentences and paragraphs under its rowid."""
    cursor = connection.cursor()
    rows: list[tuple[int, str | None, str | None]] = []
    for page in pages:
        cursor.execute(INSERT.format(table=table), _row(page))
        assert cursor.lastrowid is not None
        rows.extend(_unit_rows(cursor.lastrowid, page.text))
    connection.executemany(f"INSERT INTO {units} (rowid, sentence, paragraph) VALUES (?, ?, ?)", rows)


def _page_rowids(connection: sqlite3.Connection, document_id: str) -> list[int]:
    return [row[0] for row in connection.execute("SELECT rowid FROM pages WHERE document_id = ?", (document_id,))]


def _delete_units(connection: sqlite3.Connection, page_rowids: Iterable[int]) -> None:
    connection.executemany(
        f"DELETE FROM {UNITS_TABLE} WHERE rowid BETWEEN ? AND ?",
        [(rowid << UNIT_BITS, ((rowid + 1) << UNIT_BITS) - 1) for rowid in page_rowids],
    )


def _fill_units(connection: sqlite3.Connection) -> int:
    """Units for the pages of an index written before them (decision 0017), from the stored text."""
    count = 0
    for rowid, text in connection.execute("SELECT rowid, text FROM pages").fetchall():
        connection.executemany(
            f"INSERT INTO {UNITS_TABLE} (rowid, sentence, paragraph) VALUES (?, ?, ?)", _unit_rows(rowid, text or "")
        )
        count += 1
    return count


def _row(page: PageEntry) -> tuple[Any, ...]:
    stored = tuple(
        json.dumps(value, ensure_ascii=False) if INDEX_FIELDS[name] == "keywords" else value
        for name, value in page.record().items()
    )
    return (*stored, access_tokens(page.access), access_tokens(page.citations))


def _stored_access(readers: str | None, sealed_readers: str | None, sealed: int | None) -> str:
    """The access tokens of a stored row (for an index file from before the access column)."""
    keys: list[str] = json.loads((sealed_readers if sealed else readers) or "[]")
    return access_tokens(keys)


def _stored_cites(citations: str | None) -> str:
    """The citation tokens of a stored row (for an index file from before the cites column)."""
    return access_tokens(json.loads(citations or "[]"))


def _nothing() -> PageSearchResult:
    return PageSearchResult(total=0, hits=[], facets={field: {} for field in FACET_FIELDS})


class SqliteFtsIndex:
    name = "sqlite-fts5"

    def __init__(self, path: Path, search_timeout_seconds: float = 10.0) -> None:
        self.path = path
        self.search_timeout_seconds = search_timeout_seconds
        self._write_lock = threading.Lock()  # one writer at a time; readers go on in WAL mode

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as error:
            raise BackendUnavailable(f"search index {self.path} cannot be opened: {error}") from error
        try:
            connection.execute("PRAGMA busy_timeout=30000")
            sqlite_plan.register(connection)  # the lawyers' operators' checks (decision 0017)
            yield connection
            connection.commit()
        except sqlite3.OperationalError as error:
            # "database is locked" past the busy timeout, a full disk, an I/O error: retrying later may help.
            kind = DatabaseBusy if "locked" in str(error) or "busy" in str(error) else BackendUnavailable
            raise kind(f"search index {self.path}: {error}") from error
        finally:
            connection.close()

    @contextmanager
    def _budget(self, connection: sqlite3.Connection) -> Iterator[None]:
        """Abort the statement running past the search budget: a search is never left to run on."""
        deadline = time.monotonic() + self.search_timeout_seconds
        expired = False

        def check() -> int:
            nonlocal expired
            expired = time.monotonic() > deadline
            return int(expired)

        connection.set_progress_handler(check, PROGRESS_STEPS)
        try:
            yield
        except sqlite3.OperationalError as error:
            if expired:
                raise BackendUnavailable(
                    f"the search took longer than {self.search_timeout_seconds:g} s and was stopped; "
                    "narrow it with more words or filters, or try again later",
                    timeout_seconds=self.search_timeout_seconds,
                ) from error
            raise
        finally:
            connection.set_progress_handler(None, PROGRESS_STEPS)

    def ensure_ready(self) -> None:
        """Create the table, or bring a table written by an older release up to the current columns."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._write_lock, self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")  # stored in the file: once is enough
            if _columns(connection) != list(TABLE_COLUMNS):
                connection.isolation_level = None
                connection.execute("BEGIN IMMEDIATE")
                columns = _columns(connection)  # another process may have done it while this one waited
                if not columns:
                    connection.execute(SCHEMA.format(table="pages"))
                elif columns != list(TABLE_COLUMNS):
                    self._upgrade(connection, columns)
                connection.execute("COMMIT")
            if not _exists(connection, UNITS_TABLE):
                connection.isolation_level = None
                connection.execute("BEGIN IMMEDIATE")
                if not _exists(connection, UNITS_TABLE):  # another process may have made it meanwhile
                    connection.execute(UNITS_SCHEMA.format(table=UNITS_TABLE))
                    filled = _fill_units(connection)
                    if filled:
                        log.warning("search_index.units_added", path=str(self.path), pages=filled)
                connection.execute("COMMIT")
            if connection.execute("PRAGMA user_version").fetchone()[0] == 0:
                connection.execute("PRAGMA user_version = 1")  # the version rebuild() counts from

    def _upgrade(self, connection: sqlite3.Connection, old: list[str]) -> None:
        """Copy an older table's pages, rowids kept, into one with the current columns, in the caller's transaction
        (readers see the old table or the new). The access tokens come from the stored readers; a table from before
        the walls has none, so its pages open to admins alone until `casefile reindex` writes their keys."""
        had_keys = {"readers", "sealed_readers", "sealed"} <= set(old)
        defaults = {"readers": "'[]'", "sealed_readers": "'[]'", "sealed": "0", "citations": "'[]'"}
        sources = [name if name in old else defaults.get(name, "NULL") for name in COLUMNS]
        access = "casefile_access(readers, sealed_readers, sealed)" if had_keys else "''"
        # Pages from before the citations were indexed have none until `casefile reindex` extracts them.
        cites = "casefile_cites(citations)" if "citations" in old else "''"
        connection.create_function("casefile_access", 3, _stored_access, deterministic=True)
        connection.create_function("casefile_cites", 1, _stored_cites, deterministic=True)
        started = time.monotonic()
        connection.execute("DROP TABLE IF EXISTS pages_upgrade")
        connection.execute(SCHEMA.format(table="pages_upgrade"))
        copied = connection.execute(
            f"INSERT INTO pages_upgrade (rowid, {', '.join(TABLE_COLUMNS)}) "
            f"SELECT rowid, {', '.join(sources)}, {access}, {cites} FROM pages"
        ).rowcount
        connection.execute("DROP TABLE pages")
        connection.execute("ALTER TABLE pages_upgrade RENAME TO pages")
        log.warning(
            "search_index.upgraded",
            path=str(self.path),
            pages=copied,
            seconds=round(time.monotonic() - started, 1),
            access_keys="kept" if had_keys else "none: only admins find these pages until `casefile reindex`",
        )

    def ping(self) -> None:
        with self._connect() as connection:
            connection.execute("SELECT count(*) FROM pages WHERE rowid = 0").fetchone()

    def replace_document(
        self, document_id: str, pages: Sequence[PageEntry], previous_page_count: int | None = None
    ) -> None:
        # previous_page_count is ignored (deprecated): every page of the document is replaced here.
        with self._write_lock, self._connect() as connection:
            old = _page_rowids(connection, document_id)
            connection.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))
            _delete_units(connection, old)
            _insert_pages(connection, "pages", UNITS_TABLE, pages)

    def rebuild(self, batches: Iterable[Sequence[PageEntry]]) -> str:
        """Fill a new table beside the live one, then swap them in one transaction; return the new version's
        name, `<file stem>-v<N>` (the file counts its versions in user_version)."""
        with self._write_lock, self._connect() as connection:
            connection.isolation_level = None  # one explicit transaction: readers see old or new, never neither
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DROP TABLE IF EXISTS pages_rebuild")
            connection.execute(SCHEMA.format(table="pages_rebuild"))
            connection.execute(f"DROP TABLE IF EXISTS {UNITS_TABLE}_rebuild")
            connection.execute(UNITS_SCHEMA.format(table=f"{UNITS_TABLE}_rebuild"))
            for batch in batches:
                _insert_pages(connection, "pages_rebuild", f"{UNITS_TABLE}_rebuild", batch)
            connection.execute("DROP TABLE IF EXISTS pages")
            connection.execute("ALTER TABLE pages_rebuild RENAME TO pages")
            connection.execute(f"DROP TABLE IF EXISTS {UNITS_TABLE}")
            connection.execute(f"ALTER TABLE {UNITS_TABLE}_rebuild RENAME TO {UNITS_TABLE}")
            version = max(1, connection.execute("PRAGMA user_version").fetchone()[0]) + 1
            connection.execute(f"PRAGMA user_version = {version}")
            connection.execute("COMMIT")
        return f"{self.path.stem}-v{version}"

    def delete_document(self, document_id: str) -> None:
        with self._write_lock, self._connect() as connection:
            old = _page_rowids(connection, document_id)
            connection.execute("DELETE FROM pages WHERE document_id = ?", (document_id,))
            _delete_units(connection, old)

    def update_case_fields(self, case: CaseFields) -> None:
        """Every page of the case gets the case's fields, and its access tokens follow its readers (PageEntry.access:
        sealed_readers on a sealed document's pages, readers on the others)."""
        record = case.record()
        changed = [name for name in record if name != "case_id"]
        values = [json.dumps(record[name], ensure_ascii=False) if INDEX_FIELDS[name] == "keywords" else record[name]
                  for name in changed]  # fmt: skip
        assignments = ", ".join(f"{name} = ?" for name in changed)
        with self._write_lock, self._connect() as connection:
            connection.execute(
                f"UPDATE pages SET {assignments}, {ACCESS_COLUMN} = CASE WHEN sealed THEN ? ELSE ? END "
                "WHERE case_id = ?",
                [*values, access_tokens(case.sealed_readers), access_tokens(case.readers), case.case_id],
            )

    def indexed_documents(self) -> Iterator[IndexedDocument]:
        with self._connect() as connection:
            # Bare columns beside count(*) come from one row of each group: pages of a document share them.
            rows = connection.execute(
                "SELECT document_id, case_id, count(*), case_number, court, status, case_type FROM pages "
                "GROUP BY document_id ORDER BY document_id"
            ).fetchall()
        for document_id, case_id, pages, case_number, court, status, case_type in rows:
            yield IndexedDocument(document_id, case_id, pages, case_number, court, status, case_type)

    @staticmethod
    def _where(query: Clause | None, filters: SearchFilters) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        parameters: list[Any] = []
        # The walls go into the MATCH (see ACCESS_COLUMN): only pages the caller may see are ever matched.
        # What MATCH cannot say of the query (pre/N, /s, /p, field queries) is a condition beside it (decision 0017).
        planned = sqlite_plan.plan(query, text_match, compile_fts) if query is not None else sqlite_plan.Plan()
        terms = [text_match(planned.match)] if planned.match is not None else []
        if filters.readers is not None:
            terms.append(access_match(filters.readers))
        if terms:
            conditions.append("pages MATCH ?")
            parameters.append(" AND ".join(f"({term})" for term in terms))
        conditions.extend(planned.conditions)
        parameters.extend(planned.parameters)
        for column in ("case_id", "document_id", "court", "status", "case_type", "doc_type"):
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
        if filters.readers == ():  # keys that open nothing
            return _nothing()
        if query is not None and sqlite_plan.has_fuzzy(query):
            with self._connect() as connection:
                query = sqlite_plan.resolve_fuzzy(connection, query)
        where, parameters = self._where(query, filters)
        planned = sqlite_plan.plan(query, text_match, compile_fts) if query is not None else sqlite_plan.Plan()
        marks = sqlite_plan.marked(query)
        highlight = f"highlight(pages, {TEXT_COLUMN}, '{MARK_START}', '{MARK_END}')"
        # SQLite computes the selected columns of every row that OFFSET skips, too: highlight in the ranked query
        # only on the first page of results; past it, a second query highlights the shown hits by rowid.
        ranked = planned.match is not None  # a query of field queries alone has no MATCH to rank by
        inline = ranked and offset == 0 and planned.marks_in_match
        if ranked:
            # Ties by rowid, which costs nothing (ordering by document_id and page_number reads those stored
            # columns for every matching row: 2.4 times the time of the whole query): a document's pages stay in
            # page order, since they are written in that order, and paging is stable.
            score, preview, order = f"-{RANK}", highlight if inline else "NULL", f"{RANK}, rowid"
        else:
            score, preview, order = "0.0", f"substr(text, 1, {PLAIN_SNIPPET_CHARS})", "document_id, page_number"
        select = (
            f"SELECT rowid, document_id, case_id, case_number, page_number, {score}, {preview}, title, filename, "
            f"court, doc_type, citations FROM pages{where} ORDER BY {order} LIMIT ? OFFSET ?"
        )
        with self._connect() as connection, self._budget(connection):
            rows = connection.execute(select, [*parameters, limit, offset]).fetchall()
            # One MATCH for the total and every facet: counts per combination of facet values (a few
            # hundred rows), summed per field below. A GROUP BY per facet would re-run the MATCH each time.
            combinations = connection.execute(
                f"SELECT {', '.join(FACET_FIELDS)}, count(*) FROM pages{where} GROUP BY {', '.join(FACET_FIELDS)}",
                parameters,
            ).fetchall()
            highlighted: dict[int, str] = {}
            if marks is not None and not inline:
                highlighted = self._highlights(connection, text_match(marks), [row[0] for row in rows])
        total, facets = _total_and_facets(combinations)
        hits = []
        for (
            rowid, document_id, case_id, case_number, page, hit_score, text, title, filename, court, doc_type, cited,
        ) in rows:  # fmt: skip
            fragment = best_fragment(highlighted.get(rowid, text) or "")
            hits.append(
                SearchHitOut(
                    document_id=document_id,
                    case_id=case_id,
                    case_number=case_number,
                    page=int(page),
                    score=round(float(hit_score), 4),
                    snippets=[to_marked_html(fragment)] if fragment.strip() else [],
                    title=title,
                    filename=filename,
                    court=court,
                    doc_type=doc_type,
                    citations=json.loads(cited or "[]"),
                )
            )
        return PageSearchResult(total=total, hits=hits, facets=facets)

    @staticmethod
    def _highlights(connection: sqlite3.Connection, match: str, rowids: list[int]) -> dict[int, str]:
        """The highlighted text of these hits only. highlight() is linear in a page's length (snippet() is
        quadratic in its matches); best_fragment then looks at a bounded number of them."""
        if not rowids:
            return {}
        rows = connection.execute(
            f"SELECT rowid, highlight(pages, {TEXT_COLUMN}, '{MARK_START}', '{MARK_END}') FROM pages "
            f"WHERE pages MATCH ? AND rowid IN ({', '.join('?' for _ in rowids)})",
            [match, *rowids],
        ).fetchall()
        return {rowid: text for rowid, text in rows}

    def matching_documents_per_case(self, query: Clause, filters: SearchFilters) -> dict[str, int]:
        if filters.readers == ():
            return {}
        with self._connect() as connection, self._budget(connection):
            where, parameters = self._where(sqlite_plan.resolve_fuzzy(connection, query), filters)
            rows = connection.execute(
                f"SELECT case_id, count(DISTINCT document_id) FROM pages{where} GROUP BY case_id", parameters
            ).fetchall()
        return {case_id: count for case_id, count in rows}

    def similar_documents(
        self, document_id: str, text: str, filters: SearchFilters, limit: int
    ) -> list[SimilarDocument]:
        """More like this on FTS5: the text's most distinctive terms (tf in the text × idf over the index, both read
        through fts5vocab, so the terms are the index's own stems) OR'd in one MATCH with the walls, ranked by bm25,
        each document scored by its best page."""
        if filters.readers == () or not text.strip():
            return []
        where, parameters = self._where(None, dataclasses.replace(filters, readers=None))
        with self._connect() as connection, self._budget(connection):
            terms = self._distinctive_terms(connection, text[:SIMILAR_TEXT_CHARS])
            if not terms:
                return []
            match = f"text : ({' OR '.join(_quote(term) for term in terms)})"
            if filters.readers is not None:
                match = f"({match}) AND ({access_match(filters.readers)})"
            conditions = ["pages MATCH ?", "document_id != ?"] + ([where.removeprefix(" WHERE ")] if where else [])
            # bm25() cannot sit inside an aggregate: the best pages in rank order, grouped here (a document's first
            # page in that order is its best).
            rows = connection.execute(
                f"SELECT document_id, case_id, -{RANK} FROM pages WHERE {' AND '.join(conditions)} "
                f"ORDER BY {RANK}, rowid LIMIT ?",
                [match, document_id, *parameters, limit * SIMILAR_PAGES_PER_DOCUMENT],
            ).fetchall()
        best: dict[str, SimilarDocument] = {}
        for found, case_id, score in rows:
            best.setdefault(found, SimilarDocument(found, case_id, round(float(score), 4)))
        return list(best.values())[:limit]

    @staticmethod
    def _distinctive_terms(connection: sqlite3.Connection, text: str) -> list[str]:
        """The text tokenised by a scratch FTS5 table with the index's own tokenizer, its terms weighted by
        tf × log(1 + N / df), N and df from the index's vocabulary; numbers and one- or two-letter terms left out."""
        tokenizer = "porter unicode61 remove_diacritics 2"
        connection.execute(f"CREATE VIRTUAL TABLE temp.similar_source USING fts5(text, tokenize = '{tokenizer}')")
        connection.execute("CREATE VIRTUAL TABLE temp.similar_source_terms USING fts5vocab(temp, similar_source, row)")
        connection.execute("CREATE VIRTUAL TABLE temp.similar_index_terms USING fts5vocab(main, pages, col)")
        connection.execute("INSERT INTO temp.similar_source (text) VALUES (?)", [text])
        frequencies = {
            term: count
            for term, count in connection.execute("SELECT term, cnt FROM temp.similar_source_terms")
            if len(term) > 2 and not term.isdigit()
        }
        pages = connection.execute("SELECT count(*) FROM pages_docsize").fetchone()[0] or 1
        candidates = sorted(frequencies, key=lambda term: -frequencies[term])[: SIMILAR_QUERY_TERMS * 8]
        weights: dict[str, float] = {}
        for term in candidates:
            row = connection.execute(
                "SELECT doc FROM temp.similar_index_terms WHERE term = ? AND col = 'text'", [term]
            ).fetchone()
            if row is not None and row[0] > 0:  # a term no other page has cannot find anything
                weights[term] = frequencies[term] * math.log(1 + pages / row[0])
        return sorted(weights, key=lambda term: (-weights[term], term))[:SIMILAR_QUERY_TERMS]


def _exists(connection: sqlite3.Connection, table: str) -> bool:
    return connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone() is not None


def _columns(connection: sqlite3.Connection) -> list[str]:
    return [row[1] for row in connection.execute("PRAGMA table_info(pages)")]


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
