"""The user's query language, parsed once into a small AST that each index backend compiles.

Syntax: words (all required), "exact phrases", OR between two items, -exclusion, prefix*,
and (parentheses) for grouping; -(group) excludes the whole group. OR binds tighter than the implicit
AND, as in web search: `bail "interim relief" OR stay -revision` means
bail AND ("interim relief" OR stay) AND NOT revision.

The lawyers' operators (issue 11, decision 0017), binding tighter than the implicit AND and looser than OR:
`a w/N b` (both within N positions, either order; adjacent words are 1 apart), `a pre/N b` (a first),
`a /s b` (same sentence), `a /p b` (same paragraph). Operands are words, phrases, fuzzy words or (groups of
alternatives joined by OR). A chain `a w/5 b /s c` means (a w/5 b) AND (b /s c). `word~1`, `word~2` match words
within that edit distance; `word~` uses Elasticsearch's AUTO. `court:`, `party:`, `title:`, `number:`,
`doc_type:` and `citation:` match the page's case and document fields, with a word or a "quoted value".

A query that cannot be understood raises MalformedQuery (400) saying where and why. Stray punctuation,
symbols or emoji between words are separators, as the engines' tokenisers treat them; but a query with no
word at all, an empty "phrase" or an empty (group) is malformed, since it would otherwise match every page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

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


@dataclass(frozen=True)
class Fuzzy:
    """A word matched within an edit distance of its stem; distance None is Elasticsearch's AUTO (fuzzy_distance)."""

    text: str
    distance: int | None = None
    source: str = field(default="", compare=False)


# What a proximity operator takes on either side: one word, a phrase, a fuzzy word, or alternatives of those.
Atom = Term | Phrase | Fuzzy


@dataclass(frozen=True)
class Near:
    """`left w/N right` (ordered=False) or `left pre/N right` (ordered=True): N positions at most between them."""

    left: tuple[Atom, ...]  # alternatives
    right: tuple[Atom, ...]
    distance: int
    ordered: bool = False


@dataclass(frozen=True)
class Within:
    """`left /s right` or `left /p right`: both in one sentence or one paragraph of the page (search/structure.py)."""

    left: tuple[Atom, ...]
    right: tuple[Atom, ...]
    unit: Literal["sentence", "paragraph"]


FIELD_NAMES = ("court", "party", "title", "number", "doc_type")


@dataclass(frozen=True)
class FieldMatch:
    """`court:lahore`, `party:"Muhammad Aslam"`, `number:1234`: the value's words stand in a row, in any case, in the
    page's field (`party` any one of the case's parties, `number` the case number). `citation:` is a Cites."""

    name: str
    words: tuple[str, ...]


Clause = Term | Phrase | Not | And | Or | Cites | Fuzzy | Near | Within | FieldMatch

# Words are runs of letters, digits and marks in any script (Urdu included); other characters separate them.
WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+[^\W_]*)*", re.UNICODE)
TOKEN = re.compile(
    r'\s*(?:(?P<field>-?(?i:court|party|title|number|doc_type|citation):)|(?P<phrase>-?"[^"]*"?)|(?P<open>-?\()'
    r'|(?P<close>\))|(?P<word>[^\s()"]+))'
)
# w/5, pre/5 (any case), /s, /p; "w/" or "w/x" followed by nothing numeric is an operator missing its distance,
# but "w/o" (without) stays a word.
OPERATOR = re.compile(r"(?i)(?:(?P<kind>w|pre)/(?P<distance>\d*|-\d+)|/(?P<unit>s|p))")
FUZZY = re.compile(r"^(?P<word>.+)~(?P<distance>\d*)$")
MAX_DISTANCE = 1000


@dataclass(frozen=True)
class _Token:
    kind: str  # field, phrase, open, close, word or operator
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
            _Token("operator" if kind == "word" and OPERATOR.fullmatch(value) else kind, value, match.start(kind) + 1)
            for match in TOKEN.finditer(query)
            if (kind := match.lastgroup) is not None and (value := match.group(kind)) is not None
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
            if token.kind == "operator":
                raise MalformedQuery(
                    f"the operator '{token.value}' at character {token.position} has nothing before it to join",
                    position=token.position,
                )
            item = self._proximity()
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

    def _proximity(self) -> Clause | None:
        """Items joined by w/N, pre/N, /s or /p: each operator joins the items beside it (a chain is their AND)."""
        first = self._disjunction()
        links: list[Clause] = []
        left = first
        while (token := self._peek()) is not None and token.kind == "operator":
            self.position += 1
            operator = OPERATOR.fullmatch(token.value)
            assert operator is not None
            where = f"the operator '{token.value}' at character {token.position}"
            if left is None:
                raise MalformedQuery(f"{where} has nothing before it to join", position=token.position)
            distance = 0
            if operator.group("kind"):
                digits = operator.group("distance")
                if not digits:
                    raise MalformedQuery(f"{where} needs a distance, as in w/5", position=token.position)
                distance = int(digits)
                if not 1 <= distance <= MAX_DISTANCE:
                    raise MalformedQuery(
                        f"{where} needs a distance from 1 (adjacent words) to {MAX_DISTANCE}", position=token.position
                    )
            following = self._peek()
            right = self._disjunction() if following is not None and following.kind != "operator" else None
            if right is None:
                raise MalformedQuery(f"{where} has nothing after it to join", position=token.position)
            sides = _operand(left, where, "before", token.position), _operand(right, where, "after", token.position)
            if operator.group("kind"):
                links.append(Near(*sides, distance=distance, ordered=operator.group("kind").lower() == "pre"))
            else:
                unit: Literal["sentence", "paragraph"] = (
                    "sentence" if operator.group("unit").lower() == "s" else "paragraph"
                )
                links.append(Within(*sides, unit=unit))
            left = right
        if not links:
            return first
        return links[0] if len(links) == 1 else And(tuple(links))

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
        if token.kind == "field":
            clause = self._field(token, value[:-1].lower())
        elif token.kind == "open":
            clause = self._conjunction(opened_by=token)
        elif token.kind == "phrase":
            clause = _phrase(value.strip('"'))
            if clause is None:
                raise MalformedQuery(
                    f"the phrase at character {token.position} has no words to search for", position=token.position
                )
        else:
            clause = _word(value, token.position)  # None for stray punctuation, symbols or emoji: a separator
        if clause is None:
            return None
        return (Not(clause) if negated else clause), token.position

    def _field(self, token: _Token, name: str) -> Clause:
        """The value right after `name:` (a word or a "quoted value"), with no space between."""
        following = self._peek()
        where = f"the field query '{name}:' at character {token.position}"
        end = token.position + len(token.value)  # where the value must start, 1-based
        if following is None or following.kind not in ("word", "phrase") or following.position != end:
            raise MalformedQuery(f"{where} has no value: write {name}:word or {name}:\"several words\"",
                                 position=token.position)  # fmt: skip
        self.position += 1
        text = following.value.strip('"')
        words = tuple(words_of(text))
        if not words:
            raise MalformedQuery(f"{where} has no words in its value", position=token.position)
        if name == "citation":
            from citations import normalize_citation  # the pure citations package (decision 0016)

            normalized = normalize_citation(text)
            if normalized is None:
                raise MalformedQuery(
                    f"{where}: '{text}' is not a citation this service recognises (for example PLD 2019 SC 1)",
                    position=token.position,
                )
            return Cites(normalized)
        return FieldMatch(name, words)


def _operand(clause: Clause, where: str, side: str, position: int) -> tuple[Atom, ...]:
    """A proximity operand as its alternatives: a word, phrase or fuzzy word, or a group of them joined by OR."""
    if isinstance(clause, Term | Phrase | Fuzzy):
        return (clause,)
    if isinstance(clause, Or) and all(isinstance(item, Term | Phrase | Fuzzy | Or) for item in clause.clauses):
        return tuple(atom for item in clause.clauses for atom in _operand(item, where, side, position))
    raise MalformedQuery(
        f"{where} joins a word, a phrase or (alternatives OR'ed) {side} it, not an exclusion, a field query, "
        "another operator or words joined by AND",
        position=position,
    )


def _phrase(text: str) -> Clause | None:
    words = words_of(text)
    if not words:
        return None
    source = _searchable(text)
    return Term(words[0], source=source) if len(words) == 1 else Phrase(tuple(words), source=source)


def _word(text: str, position: int = 0) -> Clause | None:
    if (fuzzy := FUZZY.match(text)) is not None:
        return _fuzzy(fuzzy.group("word"), fuzzy.group("distance"), text, position)
    prefix = text.endswith("*")
    source = _searchable(text.rstrip("*"))
    words = words_of(text)
    if not words:
        return None
    if len(words) == 1:
        return Term(words[0], prefix=prefix and len(words[0]) >= 2, source=source)
    # "W.P." or "1234/2024" are several index words: they must stand together, as a phrase.
    return Phrase(tuple(words), source=source)


def _fuzzy(word: str, digits: str, typed: str, position: int) -> Clause | None:
    words = words_of(word)
    if not words:
        return None
    if len(words) > 1 or (digits and digits not in ("1", "2")):
        raise MalformedQuery(
            f"'{typed}' at character {position}: a fuzzy word is one word followed by ~, ~1 or ~2 (the edit "
            "distance, at most 2)",
            position=position,
        )
    return Fuzzy(words[0], int(digits) if digits else None, source=_searchable(word))


def fuzzy_distance(fuzzy: Fuzzy, word: str) -> int:
    """The edit distance a fuzzy word allows; AUTO as Elasticsearch defines it on the word as typed (folded):
    0 up to 2 characters, 1 up to 5, 2 beyond."""
    if fuzzy.distance is not None:
        return fuzzy.distance
    return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2


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
    if isinstance(clause, Near | Within):
        return [word for side in (clause.left, clause.right) if len(side) == 1 for word in required_words(side[0])]
    if isinstance(clause, And):
        return [word for item in clause.clauses for word in required_words(item)]
    return []  # an OR is satisfied by any side, a fuzzy word by several: no single word is required


def marked(clause: Clause | None) -> Clause | None:
    """The words a hit's highlight marks, as one OR: every positive word, phrase, fuzzy word and operand of the
    query (nothing under NOT, no field query or citation, which are not page words). Engines highlight with it
    where their own highlighting cannot see a word (Elasticsearch's sentence fields, FTS5's SQL conditions)."""
    atoms: list[Clause] = []

    def walk(item: Clause) -> None:
        if isinstance(item, Term | Phrase | Fuzzy):
            atoms.append(item)
        elif isinstance(item, Near | Within):
            atoms.extend(atom for atom in (*item.left, *item.right))
        elif isinstance(item, And | Or):
            for sub in item.clauses:
                walk(sub)

    if clause is not None:
        walk(clause)
    unique = tuple(dict.fromkeys(atoms))
    if not unique:
        return None
    return unique[0] if len(unique) == 1 else Or(unique)
