"""Free-text product search: which products a search text matches, and how well each one does.

The same rules on both databases, served by the indexes of `search_index`:

* The text is cut into words at whitespace and lower-cased; a product must match **every**
  word. A word matches when
    - its parts (its runs of letters and digits: "paint-00" is "paint" and "00") all occur
      as words of the product's name, SKU, brand or description, compared after stemming
      (PostgreSQL: Dutch and English, "paints" finds "paint"; SQLite: English only), the
      last word of the text also as the start of a word ("lapt" finds "laptop"; on SQLite
      only below three characters, the trigrams below find the rest); or
    - the word as typed, three characters or more, occurs inside the name, SKU or brand:
      "verf" finds "Muurverf", a Dutch compound no stemmer splits, and "paint-00" finds
      "PAINT-001" as it always did.
* A word of punctuation only ("&", "*", ":") is left out; a text of nothing else matches
  nothing. A text of no words at all is no search. More than `MAX_WORDS` words is an invalid
  request; no text raises anything else.
* The rank (higher is better, the same for the same data and text) weighs a match in the
  name above one in the SKU or brand, above one in the description only: PostgreSQL's
  `ts_rank` over the weighted vector, SQLite's `bm25` with column weights. A product whose
  words are all found only inside longer ones ranks 0, below every stemmed match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Subquery,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from backoffice.errors import InvalidRequest
from backoffice.pim.models import Product
from backoffice.pim.search_index import RANK_WEIGHTS, SEARCH_TABLE, SUBSTRING_TABLE, VECTOR_COLUMN

__all__ = ["MAX_WORDS", "TextSearch", "Word", "product_search", "words"]

#: The most words a search text may hold; each one is a condition of the query.
MAX_WORDS = 16

_PART = re.compile(r"[^\W_]+")
#: Trigram indexes serve substrings of three characters or more.
_SUBSTRING_MIN = 3
#: A part longer than this is no word of any catalogue (PostgreSQL ignores lexemes over 2047).
_LONGEST_PART = 100
_CONFIGS = ("dutch", "english", "simple")

_Statement = TypeVar("_Statement", bound=Select[Any])


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a search text: as typed (lower-cased), its parts, and whether a prefix."""

    typed: str
    parts: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True, slots=True)
class TextSearch:
    """What a search text asks of `pim_product`: a condition, and a rank to order by (descending).

    `rank` is a column expression: a keyset cursor can carry its value and compare it. It may
    read from a subquery (SQLite's FTS5 scores), so a statement that orders or filters by it
    goes through `joined` first; the condition needs no join.
    """

    condition: ColumnElement[bool]
    rank: ColumnElement[float]
    scores: Subquery | None = None

    def joined(self, statement: _Statement) -> _Statement:
        """`statement`, a select from `pim_product`, with whatever `rank` reads joined in."""
        if self.scores is None:
            return statement
        return statement.outerjoin(self.scores, self.scores.c.product_id == Product.id)


def words(search: str | None) -> list[Word] | None:
    """The words of `search`, None when it holds none (no search at all).

    Raises InvalidRequest for more than MAX_WORDS words.
    """
    typed = (search or "").lower().split()
    if not typed:
        return None
    if len(typed) > MAX_WORDS:
        raise InvalidRequest(f"a search holds at most {MAX_WORDS} words; got {len(typed)}")
    kept = [(word, tuple(_PART.findall(word))) for word in typed]
    kept = [(word, parts) for word, parts in kept if parts]
    return [
        Word(word, parts, prefix=index == len(kept) - 1) for index, (word, parts) in enumerate(kept)
    ]


def product_search(search: str | None, dialect: str) -> TextSearch | None:
    """The condition and rank of `search` on the `dialect` ("postgresql" or "sqlite").

    None when `search` holds no words; a condition that is false when it holds only
    punctuation.
    """
    found = words(search)
    if found is None:
        return None
    if not found:
        return TextSearch(condition=false(), rank=literal(0.0, Float))
    if dialect == "postgresql":
        return _postgresql(found)
    if dialect == "sqlite":
        return _sqlite(found)
    raise ValueError(f"product search runs on PostgreSQL and SQLite, not on {dialect}")


def _substring(word: Word) -> str | None:
    """The LIKE pattern of a word as typed, or None when too short for a trigram index."""
    if len(word.typed) < _SUBSTRING_MIN:
        return None
    escaped = word.typed.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _stemmable(word: Word) -> bool:
    return all(len(part) <= _LONGEST_PART for part in word.parts)


# PostgreSQL: tsqueries in the three configurations, against the generated column.

_VECTOR = literal_column(f"{Product.__tablename__}.{VECTOR_COLUMN}", TSVECTOR)
# ts_rank's weights are listed D, C, B, A; D is unused.
_WEIGHTS: ColumnElement[Any] = literal_column(
    "'{"
    + ", ".join(str(RANK_WEIGHTS[key]) for key in ("unused", "description", "keys", "name"))
    + "}'::real[]"
)


def _tsquery(word: Word) -> ColumnElement[Any]:
    def part_query(part: str) -> ColumnElement[Any]:
        # The part holds letters and digits only, so quoting it leaves nothing to parse.
        term = f"'{part}'" + (":*" if word.prefix else "")
        queries = [
            func.to_tsquery(literal_column(f"'{config}'::regconfig"), term, type_=TSQUERY)
            for config in _CONFIGS
        ]
        return reduce(lambda a, b: a.op("||", return_type=TSQUERY)(b), queries)

    return reduce(lambda a, b: a.op("&&", return_type=TSQUERY)(b), map(part_query, word.parts))


def _postgresql(found: list[Word]) -> TextSearch:
    conditions = []
    queries = []
    for word in found:
        arms: list[ColumnElement[bool]] = []
        if _stemmable(word):
            query = _tsquery(word)
            queries.append(query)
            arms.append(_VECTOR.bool_op("@@")(query))
        pattern = _substring(word)
        if pattern is not None:
            arms.append(Product.search_text.like(pattern, escape="/"))
        conditions.append(or_(*arms) if arms else false())
    rank: ColumnElement[float] = literal(0.0, Float)
    if queries:
        any_word = reduce(lambda a, b: a.op("||", return_type=TSQUERY)(b), queries)
        rank = func.ts_rank(_WEIGHTS, _VECTOR, any_word, type_=Float)
    return TextSearch(condition=_all(conditions), rank=rank)


# SQLite: FTS5 MATCH expressions against the two virtual tables.

_SEARCH = table(SEARCH_TABLE, column("product_id"))
_SUBSTRINGS = table(SUBSTRING_TABLE, column("product_id"))


def _match(fts: Any, query: str) -> ColumnElement[bool]:
    return literal_column(fts.name).bool_op("MATCH")(query)


def _fts_query(word: Word) -> str:
    # The porter stemmer reads a partial word as a whole one ("tas"* is "ta"*, and finds
    # "tablet"), so the start of a word is left to the trigrams when they can find it.
    prefix = "*" if word.prefix and _substring(word) is None else ""
    # Double-quoted, a part is a string: no FTS5 operator ("NOT", "*", ":") can hide in it.
    return " ".join(f'"{part}"{prefix}' for part in word.parts)


def _sqlite(found: list[Word]) -> TextSearch:
    conditions = []
    queries = []
    for word in found:
        arms: list[ColumnElement[bool]] = []
        if _stemmable(word):
            query = _fts_query(word)
            queries.append(f"({query})")
            matching = select(_SEARCH.c.product_id).where(_match(_SEARCH, query))
            arms.append(Product.id.in_(matching))
        if _substring(word) is not None:
            quoted = '"' + word.typed.replace('"', '""') + '"'
            inside = select(_SUBSTRINGS.c.product_id).where(_match(_SUBSTRINGS, quoted))
            arms.append(Product.id.in_(inside))
        conditions.append(or_(*arms) if arms else false())
    if not queries:
        return TextSearch(condition=_all(conditions), rank=literal(0.0, Float))
    # bm25 is lower for a better match; its weights follow the table's columns.
    weights = [RANK_WEIGHTS[key] for key in ("unused", "name", "keys", "description")]
    score = -func.bm25(literal_column(SEARCH_TABLE), *weights, type_=Float)
    scores = (
        select(_SEARCH.c.product_id, score.label("rank"))
        .where(_match(_SEARCH, " OR ".join(queries)))
        .subquery("search_scores")
    )
    rank = func.coalesce(scores.c.rank, 0.0, type_=Float)
    return TextSearch(condition=_all(conditions), rank=rank, scores=scores)


def _all(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return reduce(lambda a, b: a & b, conditions)
