"""The user's query language, parsed once into a small AST that each index backend compiles.

Syntax: words (all required), "exact phrases", OR between two items, -exclusion, prefix*,
and (parentheses) for grouping; -(group) excludes the whole group. OR binds tighter than the implicit
AND, as in web search: `bail "interim relief" OR stay -revision` means
bail AND ("interim relief" OR stay) AND NOT revision.

A query that cannot be understood raises MalformedQuery (400) saying where and why. Stray punctuation,
symbols or emoji between words are separators, as the engines' tokenisers treat them; but a query with no
word at all, an empty "phrase" or an empty (group) is malformed, since it would otherwise match every page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from core.errors import MalformedQuery
from search.urdu import normalise_urdu

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 64


@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False
    # As typed (without quotes, "-" or "*"): an engine with its own tokenizer analyses this, so that
    # "17.6.2000" is split the same way in the query as in the indexed page.
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Not:
    clause: Clause


@dataclass(frozen=True)
class And:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Or:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Cites:
    """Pages that cite this authority: `citation` is a normalised citation (citations.normalize_citation), matched
    exactly against the page's `citations` index field, whatever spelling the page printed (decision 0019)."""

    citation: str


Clause = Term | Phrase | Not | And | Or | Cites

# Words are runs of letters, digits and marks in any script (Urdu included); other characters separate them.
WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+[^\W_]*)*", re.UNICODE)
TOKEN = re.compile(r'\s*(?:(?P<phrase>-?"[^"]*"?)|(?P<open>-?\()|(?P<close>\))|(?P<word>[^\s()"]+))')


@dataclass(frozen=True)
class _Token:
    kind: str  # phrase, open, close or word
    value: str
    position: int  # 1-based character position in the query, for error messages


def words_of(text: str) -> list[str]:
    return [match.group(0).lower() for match in WORD.finditer(text)]


def _searchable(text: str) -> str:
    """The typed text without symbols (emoji included) and control characters, which FTS5 never indexes: an
    engine that tokenises the source itself must not require them (Elasticsearch keeps emoji as tokens)."""
    return " ".join("".join(" " if unicodedata.category(char)[0] in "SC" else char for char in text).split())


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = [
            _Token(kind, match.group(kind), match.start(kind) + 1)
            for match in TOKEN.finditer(query)
            if (kind := match.lastgroup) is not None
        ]
        self.position = 0
        self.clauses = 0

    def _peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def parse(self) -> Clause | None:
        clause = self._conjunction(opened_by=None)
        if (token := self._peek()) is not None:
            raise MalformedQuery(f"the ')' at character {token.position} closes no '('", position=token.position)
        return clause

    def _conjunction(self, opened_by: _Token | None) -> Clause | None:
        items: list[Clause] = []
        while (token := self._peek()) is not None and token.kind != "close":
            item = self._disjunction()
            if item is not None:
                items.append(item)
        if opened_by is not None:
            if self._peek() is None:
                raise MalformedQuery(
                    f"the '(' at character {opened_by.position} is never closed", position=opened_by.position
                )
            self.position += 1
            if not items:
                raise MalformedQuery(
                    f"the group at character {opened_by.position} has no words to search for",
                    position=opened_by.position,
                )
        if not items:
            return None
        if all(isinstance(item, Not) for item in items):
            advice = "only excludes (-word); add a word or phrase to search for"
            if opened_by is None:
                raise MalformedQuery(f"the query {advice}")
            raise MalformedQuery(f"the group at character {opened_by.position} {advice}", position=opened_by.position)
        return items[0] if len(items) == 1 else And(tuple(items))

    def _disjunction(self) -> Clause | None:
        first = self._unary()
        options: list[tuple[Clause, int]] = [first] if first is not None else []
        while (token := self._peek()) is not None and (token.kind, token.value) == ("word", "OR"):
            self.position += 1
            option = self._unary()
            if option is not None:
                options.append(option)
        if len(options) > 1:
            for clause, position in options:
                if isinstance(clause, Not):
                    raise MalformedQuery(
                        f"the excluded item at character {position} cannot be one side of OR; "
                        "put the exclusion outside: (a OR b) -c",
                        position=position,
                    )
        if not options:
            return None
        clauses = tuple(clause for clause, _ in options)
        return clauses[0] if len(clauses) == 1 else Or(clauses)

    def _unary(self) -> tuple[Clause, int] | None:
        token = self._peek()
        if token is None or token.kind == "close":
            return None
        self.position += 1
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise MalformedQuery(
                f"the query has more than {MAX_CLAUSES} terms (the next one starts at character {token.position})",
                position=token.position,
            )
        value = token.value
        negated = value.startswith("-") and len(value) > 1
        if negated:
            value = value[1:]
        clause: Clause | None
        if token.kind == "open":
            clause = self._conjunction(opened_by=token)
        elif token.kind == "phrase":
            clause = _phrase(value.strip('"'))
            if clause is None:
                raise MalformedQuery(
                    f"the phrase at character {token.position} has no words to search for", position=token.position
                )
        else:
            clause = _word(value)  # None for stray punctuation, symbols or emoji: a separator
        if clause is None:
            return None
        return (Not(clause) if negated else clause), token.position


def _phrase(text: str) -> Clause | None:
    words = words_of(text)
    if not words:
        return None
    source = _searchable(text)
    return Term(words[0], source=source) if len(words) == 1 else Phrase(tuple(words), source=source)


def _word(text: str) -> Clause | None:
    prefix = text.endswith("*")
    source = _searchable(text.rstrip("*"))
    words = words_of(text)
    if not words:
        return None
    if len(words) == 1:
        return Term(words[0], prefix=prefix and len(words[0]) >= 2, source=source)
    # "W.P." or "1234/2024" are several index words: they must stand together, as a phrase.
    return Phrase(tuple(words), source=source)


def parse_query(query: str | None) -> Clause | None:
    """Parse a user's query; None means "match everything" (no query, or only spaces: filters alone).
    Raises MalformedQuery when the query cannot be understood, including one with no word to search for."""
    if query is None or not query.strip():
        return None
    if len(query) > MAX_QUERY_LENGTH:
        raise MalformedQuery(f"the query has {len(query)} characters; the limit is {MAX_QUERY_LENGTH}")
    query = normalise_urdu(query)  # the letters both engines index (decision 0018)
    clause = _Parser(query).parse()
    if clause is None:
        raise MalformedQuery(
            "the query has no words to search for: punctuation, symbols and emoji alone are not searchable"
        )
    return clause


def required_words(clause: Clause | None) -> list[str]:
    """The words any match must contain, for matching case metadata (which is not tokenised)."""
    if clause is None or isinstance(clause, Not):
        return []
    if isinstance(clause, Term):
        return [clause.text]
    if isinstance(clause, Phrase):
        return list(clause.words)
    if isinstance(clause, And):
        return [word for item in clause.clauses for word in required_words(item)]
    return []  # an OR is satisfied by any side: no single word is required
