"""The user's query language, parsed once into a small AST that each index backend compiles.

Syntax: words (all required), "exact phrases", OR between two items, -exclusion, prefix*,
and (parentheses) for grouping. OR binds tighter than the implicit AND, as in web search:
`bail "interim relief" OR stay -revision` means bail AND ("interim relief" OR stay) AND NOT revision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.errors import InvalidInput

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


Clause = Term | Phrase | Not | And | Or

# Words are runs of letters, digits and marks in any script (Urdu included); other characters separate them.
WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+[^\W_]*)*", re.UNICODE)
TOKEN = re.compile(r'\s*(?:(?P<phrase>-?"[^"]*"?)|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+))')


def words_of(text: str) -> list[str]:
    return [match.group(0).lower() for match in WORD.finditer(text)]


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = self._tokenise(query)
        self.position = 0
        self.clauses = 0

    @staticmethod
    def _tokenise(query: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        for match in TOKEN.finditer(query):
            kind = match.lastgroup
            if kind is None:
                continue
            tokens.append((kind, match.group(kind)))
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def parse(self) -> Clause | None:
        clause = self._conjunction(top_level=True)
        if self._peek() is not None:
            raise InvalidInput("unbalanced ')' in query")
        return clause

    def _conjunction(self, top_level: bool) -> Clause | None:
        items: list[Clause] = []
        while (token := self._peek()) is not None and token[0] != "close":
            item = self._disjunction()
            if item is not None:
                items.append(item)
        if not top_level:
            if self._peek() is None:
                raise InvalidInput("missing ')' in query")
            self.position += 1
        if not items:
            return None
        if all(isinstance(item, Not) for item in items):
            raise InvalidInput("a query needs at least one word or phrase that is not excluded")
        return items[0] if len(items) == 1 else And(tuple(items))

    def _disjunction(self) -> Clause | None:
        first = self._unary()
        options = [first] if first is not None else []
        while (token := self._peek()) is not None and token == ("word", "OR"):
            self.position += 1
            option = self._unary()
            if option is not None:
                options.append(option)
        if any(isinstance(option, Not) for option in options) and len(options) > 1:
            raise InvalidInput("an excluded term (-word) cannot be one side of OR")
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def _unary(self) -> Clause | None:
        token = self._peek()
        if token is None or token[0] == "close":
            return None
        self.position += 1
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise InvalidInput(f"query has more than {MAX_CLAUSES} terms")
        kind, value = token
        if kind == "open":
            return self._conjunction(top_level=False)
        negated = value.startswith("-") and len(value) > 1
        if negated:
            value = value[1:]
        clause = _phrase(value.strip('"')) if kind == "phrase" else _word(value)
        return _negate(clause) if negated else clause


def _negate(clause: Clause | None) -> Clause | None:
    return None if clause is None else Not(clause)


def _phrase(text: str) -> Clause | None:
    words = words_of(text)
    if not words:
        return None
    return Term(words[0], source=text) if len(words) == 1 else Phrase(tuple(words), source=text)


def _word(text: str) -> Clause | None:
    prefix = text.endswith("*")
    source = text.rstrip("*")
    words = words_of(text)
    if not words:
        return None
    if len(words) == 1:
        return Term(words[0], prefix=prefix and len(words[0]) >= 2, source=source)
    # "W.P." or "1234/2024" are several index words: they must stand together, as a phrase.
    return Phrase(tuple(words), source=source)


def parse_query(query: str | None) -> Clause | None:
    """Parse a user's query; None means "match everything" (filters only)."""
    if query is None or not query.strip():
        return None
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"query is longer than {MAX_QUERY_LENGTH} characters")
    return _Parser(query).parse()


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
