"""The size run's queries: issue 11's listing, two searches and a page far into the listing.

Each asks for what issue 10's listing shows of a product (name, the variants' GTINs, the
default variant's price): the PIM search carries the variants, the price engine prices
the page. The search words come from what the seed writes (`backoffice/seed/`), so that
they match alike at every size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from bench.subjects import LISTING_SIZE
from resolvers.ids import to_keyset_cursor

#: In about one product in eight at every size: the paints' English names say "paint".
COMMON_WORD = "paint"
#: In one product at every size: the scented candle "Vijgenblad" of the seed's story.
RARE_WORD = "vijgenblad"
#: The deep page starts this far into the listing.
DEEP = 0.9

LISTING = """
query SizeListing($first: Int!, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    edges {
      node {
        sku name
        variants { gtin }
        price { amount { amount currency } }
      }
    }
  }
}
"""

TOTAL = "query SizeTotal($search: String) { products(first: 0, search: $search) { totalCount } }"


@dataclass(frozen=True, slots=True)
class SizeQuery:
    """One measured query: its name, what it is, and its search word (None: the listing)."""

    name: str
    what: str
    search: str | None = None
    deep: bool = False


QUERIES = (
    SizeQuery("listing", f"listing of {LISTING_SIZE}"),
    SizeQuery("common", f"search {COMMON_WORD!r}", search=COMMON_WORD),
    SizeQuery("rare", f"search {RARE_WORD!r} (rare)", search=RARE_WORD),
    SizeQuery("deep", f"page {DEEP:.0%} deep", deep=True),
)


def variables(query: SizeQuery, after: str | None = None) -> dict[str, Any]:
    """The variables of `query`'s request; `after` is the deep page's cursor."""
    found: dict[str, Any] = {"first": LISTING_SIZE}
    if query.search is not None:
        found["search"] = query.search
    if after is not None:
        found["after"] = after
    return found


def deep_position(total: int) -> int:
    """The position (0-based) of the row the deep page continues after: the page then starts
    `DEEP` into a listing of `total` products, and still holds a whole page."""
    start = min(int(total * DEEP), max(0, total - LISTING_SIZE))
    return max(0, start - 1)


async def cursor_at(pim: httpx.AsyncClient, position: int, *, complete_only: bool = True) -> str:
    """The gateway's cursor of the listing's row at `position` (0-based).

    The one place that knows what a cursor is. It asks the back office for the product at
    that position (the listing's order, the back office's own offset), so that a cursor
    made of the row's sort key (keyset) can be made from the answer; see `cursor_of`.
    """
    response = await pim.get(
        "/pim/v1/products/search",
        params={"offset": position, "limit": 1, "complete_only": str(complete_only).lower()},
    )
    response.raise_for_status()
    found = response.json()["items"]
    if not found:
        raise LookupError(f"the listing has no product at position {position}")
    return cursor_of(position, found[0])


def cursor_of(position: int, product: Mapping[str, Any]) -> str:
    """The cursor of `product`, the listing's row at `position`.

    The gateway's wrapping of the back office's token of that row's sort key
    (`resolvers.ids.to_keyset_cursor`).
    """
    del position  # a keyset cursor needs only the row
    return to_keyset_cursor(str(product["cursor"]))
