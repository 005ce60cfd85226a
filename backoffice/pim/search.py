"""Free-text product search: which products a search text matches, and in which relevance tier.

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
* Relevance is a **tier**, higher is better: 3 when every word is found (stemmed or as a
  prefix, as above) in the name; 2 when every word is found in the name, SKU or brand; 1
  when every word is found somewhere, the description included; 0 when some word is found
  only inside a longer one. Within a tier the order is the SKU's. A tier, unlike a score
  such as `ts_rank` or `bm25`, leaves term frequency out; but each tier is a condition an
  index serves, so a page of a word matching a tenth of the catalogue reads the SKU index
  until the page is full instead of scoring every match (`TextSearch.tiers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    case,
    column,
    false,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from backoffice.errors import InvalidRequest
from backoffice.pim.models import Product
from backoffice.pim.search_index import (
    FIELD_VECTORS,
    SEARCH_TABLE,
    SQLITE_FIELDS,
    SUBSTRING_TABLE,
)

__all__ = ["MAX_WORDS", "TOP_TIER", "TextSearch", "Word", "product_search", "words"]

#: The most words a search text may hold; each one is a condition of the query.
MAX_WORDS = 16
#: The best relevance tier: every word in the name. The worst is 0.
TOP_TIER = 3

_PART = re.compile(r"[^\W_]+")
#: Trigram indexes serve substrings of three characters or more.
_SUBSTRING_MIN = 3
#: A part longer than this is no word of any catalogue (PostgreSQL ignores lexemes over 2047).
_LONGEST_PART = 100
_CONFIGS = ("dutch", "english", "simple")
#: SQLite: the fields each tier from the top down finds every word in: tier 3 the name, 2
#: the name and keys (SKU, brand), 1 every field; tier 0 is whatever else matches.
_TIER_FIELDS = ("name", "head", "all")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a search text: as typed (lower-cased), its parts, and whether a prefix."""

    typed: str
    parts: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True, slots=True)
class TextSearch:
    """What a search text asks of `pim_product`: a condition, and the relevance tier of each match.

    `tiers[t]` holds exactly the matches of tier `t` (0 to `TOP_TIER`): a page is read a tier
    at a time, best first, each in SKU order, so that an index serves every statement.
    `tier` is the same as one integer expression, for a statement that wants it as a value.
    """

    condition: ColumnElement[bool]
    tiers: tuple[ColumnElement[bool], ...]
    tier: ColumnElement[int]


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


async def product_search(
    search: str | None, connection: AsyncSession | AsyncConnection
) -> TextSearch | None:
    """The condition and tiers of `search` on the database of `connection`.

    None when `search` holds no words; a condition that is false when it holds only
    punctuation. On PostgreSQL one statement asks the words' stems first (`_stems`).
    """
    found = words(search)
    if found is None:
        return None
    if not found:
        return _tiered(false(), [false(), false(), false()])
    bind = connection.get_bind() if isinstance(connection, AsyncSession) else connection
    dialect = bind.dialect.name
    if dialect == "postgresql":
        return _postgresql(found, await _stems(connection, found))
    if dialect == "sqlite":
        return _sqlite(found)
    raise ValueError(f"product search runs on PostgreSQL and SQLite, not on {dialect}")


def _tiered(
    condition: ColumnElement[bool],
    found_in: list[ColumnElement[bool]],
    leads: tuple[ColumnElement[bool], ...] = (),
) -> TextSearch:
    """The tiers of a match, from `found_in`: every word found in the name, head, all fields.

    Each field group holds the one before it, so tier t is "found in its group, not in the
    one above"; tier 0 is the rest of `condition`. `leads`, when given, are conditions an
    index serves that tiers 1 and 2 imply (some part of a word among the description's,
    the keys' own words): those tiers are then found through their own indexes, without
    reading the many products of the tiers above.
    """
    name, head, every = found_in
    lead_1, lead_2 = leads or (true(), true())
    tiers = (condition & ~every, lead_1 & every & ~head, lead_2 & head & ~name, name)
    tier = case((name, 3), (head, 2), (every, 1), else_=literal(0, Integer))
    return TextSearch(condition=condition, tiers=tiers, tier=tier)


def _substring(word: Word) -> str | None:
    """The LIKE pattern of a word as typed, or None when too short for a trigram index."""
    if len(word.typed) < _SUBSTRING_MIN:
        return None
    escaped = word.typed.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _stemmable(word: Word) -> bool:
    return all(len(part) <= _LONGEST_PART for part in word.parts)


# PostgreSQL: tsqueries in the three configurations, against the generated columns.


def _vector(fields: str) -> ColumnElement[Any]:
    return literal_column(f"{Product.__tablename__}.{FIELD_VECTORS[fields]}", TSVECTOR)


def _term(part: str, prefix: bool) -> str:
    # The part holds letters and digits only, so quoting it leaves nothing to parse.
    return f"'{part}'" + (":*" if prefix else "")


async def _stems(connection: AsyncSession | AsyncConnection, found: list[Word]) -> dict[str, str]:
    """Each term's tsquery (as text): its forms in the three configurations, each once.

    Written out as constants, rather than as `to_tsquery` calls, the query holds "paint"
    once instead of three times: the GIN index reads its entries once (a prefix three
    times took 8 ms instead of 2.5), and the planner sees what it is asked.
    """
    terms = sorted({_term(p, w.prefix) for w in found if _stemmable(w) for p in w.parts})
    if not terms:
        return {}
    rows = await connection.execute(
        text(
            "SELECT term, to_tsquery(config::regconfig, term)::text "
            "FROM unnest(CAST(:terms AS text[])) AS term, "
            "unnest(CAST(:configs AS text[])) AS config"
        ),
        {"terms": terms, "configs": list(_CONFIGS)},
    )
    forms: dict[str, set[str]] = {term: set() for term in terms}
    for term, form in rows:
        if form:  # a stop word is an empty query
            forms[term].add(form)
    return {term: " | ".join(f"( {f} )" for f in sorted(each)) for term, each in forms.items()}


def _query(sql: str) -> ColumnElement[Any]:
    """A tsquery constant; its lexemes are PostgreSQL's own output for letters and digits."""
    return literal_column("'" + sql.replace("'", "''") + "'::tsquery", TSQUERY)


def _matches(vector: ColumnElement[Any], query: str) -> ColumnElement[bool]:
    return vector.bool_op("@@")(_query(query))


def _postgresql(found: list[Word], stems: dict[str, str]) -> TextSearch:
    def word_query(word: Word) -> str:
        return " & ".join(f"( {stems[_term(part, word.prefix)]} )" for part in word.parts)

    conditions = []
    for word in found:
        arms: list[ColumnElement[bool]] = []
        if _stemmable(word):
            arms.append(_matches(_vector("all"), word_query(word)))
        pattern = _substring(word)
        if pattern is not None:
            arms.append(Product.search_text.like(pattern, escape="/"))
        conditions.append(or_(*arms) if arms else false())
    if not all(map(_stemmable, found)):
        return _tiered(_all(conditions), [false(), false(), false()])
    every_word = " & ".join(f"( {word_query(word)} )" for word in found)
    head = _vector("name").op("||", return_type=TSVECTOR)(_vector("keys"))
    found_in = [_matches(v, every_word) for v in (_vector("name"), head, _vector("all"))]
    # A product of tier 2 lacks some part of a word in its name and has it in its keys, so
    # the keys' own words hold it; the same for tier 1 and the description's own words.
    any_part = " | ".join(
        f"( {stems[_term(part, word.prefix)]} )" for word in found for part in word.parts
    )
    leads = (_matches(_vector("text"), any_part), _matches(_vector("keys"), any_part))
    return _tiered(_all(conditions), found_in, leads)


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


def _found_in(fields: str, query: str) -> ColumnElement[bool]:
    # A column filter limits every phrase of the query to those columns.
    columns = " ".join(SQLITE_FIELDS[fields])
    matching = select(_SEARCH.c.product_id).where(_match(_SEARCH, f"{{{columns}}} : ({query})"))
    return Product.id.in_(matching)


def _sqlite(found: list[Word]) -> TextSearch:
    conditions = []
    for word in found:
        arms: list[ColumnElement[bool]] = []
        if _stemmable(word):
            matching = select(_SEARCH.c.product_id).where(_match(_SEARCH, _fts_query(word)))
            arms.append(Product.id.in_(matching))
        if _substring(word) is not None:
            quoted = '"' + word.typed.replace('"', '""') + '"'
            inside = select(_SUBSTRINGS.c.product_id).where(_match(_SUBSTRINGS, quoted))
            arms.append(Product.id.in_(inside))
        conditions.append(or_(*arms) if arms else false())
    if not all(map(_stemmable, found)):
        return _tiered(_all(conditions), [false(), false(), false()])
    every_word = " ".join(_fts_query(word) for word in found)
    return _tiered(_all(conditions), [_found_in(fields, every_word) for fields in _TIER_FIELDS])


def _all(conditions: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return reduce(lambda a, b: a & b, conditions)
