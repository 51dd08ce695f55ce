"""The lawyers' operators on FTS5 (decision 0017): what FTS5's MATCH cannot say, said inside the same SQL statement.

- `w/N` is FTS5's own NEAR(a b, N-1), one per pair of alternatives.
- `/s` and `/p` MATCH the units table (one row per sentence and per paragraph of each page, sqlite_fts.UNITS_TABLE):
  `rowid IN (SELECT rowid >> UNIT_BITS FROM units WHERE units MATCH 'sentence : (a AND b)')`.
- `pre/N` narrows by NEAR (as w/N), then the scalar function `casefile_operator(text, spec)` checks the order on the
  rows NEAR kept (search/structure.py).
Both are conditions of the one statement, so totals, facets and paging count only what passes, as the walls do
(decision 0011), never a filter after the engine.
- `word~N` is expanded against the index's own vocabulary (fts5vocab), stems within the edit distance
  (rapidfuzz's Levenshtein), at most MAX_FUZZY_EXPANSIONS of them, the closest first, as Elasticsearch's fuzzy
  query does.
- `court:`, `party:`, `title:`, `number:` and `doc_type:` are stored columns, checked by `casefile_field`.
A clause FTS5's MATCH can say alone stays in the MATCH (and is ranked by bm25); one it cannot is a SQL condition,
and where such a clause sits under OR or NOT, its MATCH-able parts become `rowid IN (SELECT rowid … MATCH …)`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search.boxes import fold
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
    words_of,
)
from search.structure import index_word, operator_kind, pattern, satisfied

MAX_FUZZY_EXPANSIONS = 50  # Elasticsearch's fuzzy max_expansions default
NO_MATCH = "qqxqqnomatchqqxqq"  # a fuzzy word with no neighbour in the vocabulary matches nothing
FIELD_COLUMNS = {
    "court": "court",
    "party": "parties",
    "title": "title",
    "number": "case_number",
    "doc_type": "doc_type",
}


# --- SQL functions ---------------------------------------------------------------------------------------------


# The operator's answers by (spec, digest of the page text). A search runs it twice per candidate page (the hits
# and the facet counts) and again for each further page of results; a digest costs ~1 % of the check.
_OPERATOR_RESULTS: dict[tuple[str, bytes], int] = {}
MAX_OPERATOR_RESULTS = 200_000  # ~30 MB at most; cleared whole when full (no lock needed between threads)


def _operator(text: str | None, spec: str) -> int:
    body = text or ""
    key = (spec, hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest())
    known = _OPERATOR_RESULTS.get(key)
    if known is not None:
        return known
    kind, left, right, distance = json.loads(spec)
    result = int(satisfied(body, kind, _patterns(left), _patterns(right), distance))
    if len(_OPERATOR_RESULTS) >= MAX_OPERATOR_RESULTS:
        _OPERATOR_RESULTS.clear()
    _OPERATOR_RESULTS[key] = result
    return result


def _patterns(decoded: list[list[Any]]) -> list[tuple[str, tuple[str, ...]]]:
    return [(kind, tuple(values)) for kind, values in decoded]


def field_words_match(value: str | None, words: tuple[str, ...], many: bool) -> bool:
    """The words in a row, in any case, in the value (or in any one of a list's values)."""
    if not value:
        return False
    values: list[str] = json.loads(value) if many else [value]
    size = len(words)
    for item in values:
        found = tuple(words_of(item or ""))
        if any(found[start : start + size] == words for start in range(len(found) - size + 1)):
            return True
    return False


def _field(value: str | None, words: str, many: int) -> int:
    return int(field_words_match(value, tuple(json.loads(words)), bool(many)))


def register(connection: sqlite3.Connection) -> None:
    connection.create_function("casefile_operator", 2, _operator, deterministic=True)
    connection.create_function("casefile_field", 3, _field, deterministic=True)


# --- fuzzy words -----------------------------------------------------------------------------------------------


def expand_fuzzy(connection: sqlite3.Connection, fuzzy: Fuzzy) -> tuple[str, ...]:
    """The page-text stems within the fuzzy word's edit distance of its stem, closest (then most frequent) first."""
    stem = index_word(fuzzy.text)
    distance = fuzzy_distance(fuzzy, fold(fuzzy.text))
    if distance == 0:
        return (stem,)
    connection.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.pages_vocab USING fts5vocab(main, pages, 'col')")
    rows = connection.execute(
        "SELECT term, doc FROM temp.pages_vocab WHERE col = 'text' AND length(term) BETWEEN ? AND ?",
        (len(stem) - distance, len(stem) + distance),
    ).fetchall()
    frequency = dict(rows)
    close = process.extract(stem, list(frequency), scorer=Levenshtein.distance, score_cutoff=distance, limit=None)
    close.sort(key=lambda item: (item[1], -frequency[item[0]], item[0]))
    return tuple(term for term, _, _ in close[:MAX_FUZZY_EXPANSIONS])


def _fuzzy_terms(expansions: tuple[str, ...]) -> tuple[Term, ...]:
    return tuple(Term(term, source=term) for term in expansions) or (Term(NO_MATCH, source=NO_MATCH),)


def resolve_fuzzy(connection: sqlite3.Connection, clause: Clause) -> Clause:
    """The query with every fuzzy word replaced by its alternatives from the vocabulary."""
    cache: dict[Fuzzy, tuple[str, ...]] = {}

    def terms(fuzzy: Fuzzy) -> tuple[Term, ...]:
        if fuzzy not in cache:
            cache[fuzzy] = expand_fuzzy(connection, fuzzy)
        return _fuzzy_terms(cache[fuzzy])

    def side(atoms: tuple[Atom, ...]) -> tuple[Atom, ...]:
        return tuple(item for atom in atoms for item in (terms(atom) if isinstance(atom, Fuzzy) else (atom,)))

    def walk(item: Clause) -> Clause:
        if isinstance(item, Fuzzy):
            alternatives = terms(item)
            return alternatives[0] if len(alternatives) == 1 else Or(alternatives)
        if isinstance(item, Near):
            return Near(side(item.left), side(item.right), item.distance, item.ordered)
        if isinstance(item, Within):
            return Within(side(item.left), side(item.right), item.unit)
        if isinstance(item, Not):
            return Not(walk(item.clause))
        if isinstance(item, And):
            return And(tuple(walk(sub) for sub in item.clauses))
        if isinstance(item, Or):
            return Or(tuple(walk(sub) for sub in item.clauses))
        return item

    return walk(clause) if _has(clause, Fuzzy) else clause


def has_fuzzy(clause: Clause) -> bool:
    return _has(clause, Fuzzy)


def _has(clause: Clause, kind: type | tuple[type, ...]) -> bool:
    if isinstance(clause, kind):
        return True
    if isinstance(clause, Near | Within):
        return any(isinstance(atom, kind) for atom in (*clause.left, *clause.right))
    if isinstance(clause, Not):
        return _has(clause.clause, kind)
    if isinstance(clause, And | Or):
        return any(_has(item, kind) for item in clause.clauses)
    return False


# --- compilation -----------------------------------------------------------------------------------------------


def _near_phrase(atom: Atom, quote: Callable[[str], str]) -> str:
    if isinstance(atom, Term):
        return quote(atom.text) + (" *" if atom.prefix else "")
    if isinstance(atom, Phrase):
        return quote(" ".join(atom.words))
    raise ValueError(f"resolve fuzzy words before compiling: {atom!r}")


def compile_near(clause: Near, quote: Callable[[str], str]) -> str:
    """w/N as NEAR(a b, N-1) for each pair of alternatives: NEAR counts the words between, and adjacent is w/1."""
    groups = [
        f"NEAR({_near_phrase(left, quote)} {_near_phrase(right, quote)}, {clause.distance - 1})"
        for left in clause.left
        for right in clause.right
    ]
    return groups[0] if len(groups) == 1 else "(" + " OR ".join(groups) + ")"


def prefilter(clause: Within) -> Clause:
    """What MATCH can narrow /s and /p to: both operands on the page."""
    left = clause.left[0] if len(clause.left) == 1 else Or(clause.left)
    right = clause.right[0] if len(clause.right) == 1 else Or(clause.right)
    return And((left, right))


def _units_condition(clause: Within, fts: Callable[[Clause], str]) -> tuple[str, list[Any]]:
    from search.backends.sqlite_fts import UNIT_BITS, UNITS_TABLE

    column = "sentence" if clause.unit == "sentence" else "paragraph"
    return (
        f"+rowid IN (SELECT rowid >> {UNIT_BITS} FROM {UNITS_TABLE} WHERE {UNITS_TABLE} MATCH ?)",
        [f"{column} : ({fts(prefilter(clause))})"],
    )


def _spec(clause: Near | Within) -> str:
    distance = clause.distance if isinstance(clause, Near) else 0
    return json.dumps(
        [
            operator_kind(clause),
            [pattern(atom) for atom in clause.left],
            [pattern(atom) for atom in clause.right],
            distance,
        ],
        ensure_ascii=False,
    )


def matchable(clause: Clause) -> bool:
    """Whether FTS5's MATCH says the clause exactly (pre/N, /s, /p and field queries it cannot)."""
    if isinstance(clause, FieldMatch | Within):
        return False
    if isinstance(clause, Near):
        return not clause.ordered
    if isinstance(clause, Not):
        return matchable(clause.clause)
    if isinstance(clause, And | Or):
        return all(matchable(item) for item in clause.clauses)
    return True


@dataclass
class Plan:
    """A query as FTS5 runs it: MATCH expressions on the text (ANDed) and SQL conditions beside them."""

    matches: list[Clause] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    parameters: list[Any] = field(default_factory=list)
    # Whether the MATCH holds every word the query marks (else highlights need a MATCH of their own: marked()).
    marks_in_match: bool = True

    @property
    def match(self) -> Clause | None:
        return None if not self.matches else self.matches[0] if len(self.matches) == 1 else And(tuple(self.matches))


def plan(query: Clause, text_match: Callable[[Clause], str], fts: Callable[[Clause], str]) -> Plan:
    """Split a (fuzzy-resolved) query into what MATCH ranks and what SQL checks. Top-level clauses MATCH can say
    go to the MATCH; pre/N, /s and /p go there as their narrowing, with their check as a condition; the rest
    (field queries, and anything holding one under OR or NOT) is a condition."""
    result = Plan()
    conjuncts = query.clauses if isinstance(query, And) else (query,)
    rest: list[Clause] = []
    for item in conjuncts:
        if matchable(item):
            result.matches.append(item)
        elif isinstance(item, Within):
            result.matches.append(prefilter(item))  # ranks, and marks the operands
            condition, parameters = _units_condition(item, fts)
            result.conditions.append(condition)
            result.parameters.extend(parameters)
        elif isinstance(item, Near):
            result.matches.append(Near(item.left, item.right, item.distance))
            result.conditions.append("casefile_operator(text, ?)")
            result.parameters.append(_spec(item))
        else:
            rest.append(item)
    if result.matches and all(isinstance(item, Not) for item in result.matches):
        rest.extend(result.matches)  # FTS5 cannot MATCH an exclusion alone
        result.matches = []
    result.marks_in_match = marked(And(tuple(rest))) is None if rest else True
    for item in rest:
        condition, parameters = _sql(item, text_match, fts)
        result.conditions.append(condition)
        result.parameters.extend(parameters)
    return result


def _in_match() -> str:
    return "+rowid IN (SELECT rowid FROM pages WHERE pages MATCH ?)"


def _sql(clause: Clause, text_match: Callable[[Clause], str], fts: Callable[[Clause], str]) -> tuple[str, list[Any]]:
    if isinstance(clause, FieldMatch):
        column = FIELD_COLUMNS[clause.name]
        return f"casefile_field({column}, ?, {int(column == 'parties')})", [json.dumps(clause.words)]
    if matchable(clause) and not isinstance(clause, Not):
        return _in_match(), [text_match(clause)]
    if isinstance(clause, Within):
        return _units_condition(clause, fts)
    if isinstance(clause, Near):
        narrowing = Near(clause.left, clause.right, clause.distance)
        return f"({_in_match()} AND casefile_operator(text, ?))", [text_match(narrowing), _spec(clause)]
    if isinstance(clause, Not):
        inner, parameters = _sql(clause.clause, text_match, fts)
        return f"NOT ({inner})", parameters
    if isinstance(clause, And | Or):
        parts = [_sql(item, text_match, fts) for item in clause.clauses]
        joiner = " AND " if isinstance(clause, And) else " OR "
        return "(" + joiner.join(part for part, _ in parts) + ")", [value for _, values in parts for value in values]
    raise ValueError(f"cannot compile {clause!r}")


__all__ = ["Cites", "Plan", "compile_near", "expand_fuzzy", "marked", "plan", "register", "resolve_fuzzy"]
