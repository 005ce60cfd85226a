"""A page of a product search, best relevance tier first, each tier in SKU order.

The order of a search is (tier descending, SKU, id), `backoffice.pim.search`'s tiers. One
statement ordered by a computed relevance must compute it for every match before the
first row comes out: 90-160 ms on PostgreSQL for a word in an eighth of 205,000 products.
There each tier is read on its own instead, from the cursor's tier down, until the page
is full, in steps an index serves:

* a window: the next `WINDOW` products by SKU, each checked. A word in a tenth of the
  products fills the page here, from a few hundred rows;
* on the first tier read, if the window held few matches of any tier (at its rate the
  search matches fewer than `PROBE` products), one probe of every tier at once: all the
  matches, through the GIN indexes, sorted by tier and SKU. A rare word ends here, in
  two statements;
* if the window held few of the tier, a probe: at most `PROBE` products of the tier,
  found through its GIN index, in no order; when fewer come back, they are the whole
  (rest of the) tier, sorted. A tier the words are missing from costs a few index
  pages;
* else a walk: the SKU index read on in order, each product checked, until the page is
  full. The tier is dense, or holds `PROBE` products or more: the walk is short.

The planner could choose between an index walk and a GIN bitmap by itself only if it
knew how many products a tier holds; it does not (a word missing from its statistics is
estimated at 0.4 % of the table, two words as if unrelated) and a wrong guess read all
205,000 rows in SKU order (200-400 ms). So each statement is planned the one way
(`_plans`), and the window and probe bound what a wrong way costs.

SQLite reads an FTS5 match whole whatever the plan, so there the top tier is read on its
own, by SKU, and what it leaves in one statement ordered by `TextSearch.tier`: the same
order, the same cursors.

A cursor is a keyset token of `[tier, sku, id]`: the next page starts in that tier, after
that SKU and id, and goes on to the tiers below. A token of any other shape, among them a
float rank of before the tiers, is an `InvalidRequest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backoffice.keyset import Keyset, SortColumn
from backoffice.pim.models import Product
from backoffice.pim.search import TOP_TIER, TextSearch

__all__ = ["BY_SKU", "PROBE", "read_page"]

#: The listing's order, unique because the id ends it; a search's tier goes before it.
BY_SKU = (SortColumn(Product.sku, str), SortColumn(Product.id, str))
#: How many products by SKU a tier's read checks first, whatever the tier holds.
WINDOW = 400
#: The most products a probe reads before it leaves the tier to a walk of the SKU index.
PROBE = 1000
#: A window holding a page's 1/_DENSE or more is dense enough to walk on from.
_DENSE = 10

# PostgreSQL's plan settings of each way (local to the transaction); "reset" restores them.
_SETTINGS = (
    "enable_seqscan",
    "enable_indexscan",
    "enable_indexonlyscan",
    "enable_bitmapscan",
    "plan_cache_mode",
)
_PROBE_PLANS = {"enable_seqscan": "off", "enable_indexscan": "off", "enable_indexonlyscan": "off"}
_WALK_PLANS = {"enable_seqscan": "off", "enable_bitmapscan": "off"}
#: PostgreSQL's estimate of the products there are (ANALYZE's), -1 before the first.
_TABLE_ROWS = literal_column(
    f"(SELECT reltuples FROM pg_class WHERE oid = '{Product.__tablename__}'::regclass)", Float
)
#: Where a session notes the plans it allows now, so as not to set them again.
_MODE = "backoffice.pim.tiered.plans"


async def read_page(
    session: AsyncSession,
    search: TextSearch,
    filters: Sequence[ColumnElement[bool]],
    *,
    after: str | None,
    offset: int,
    limit: int,
) -> list[tuple[Product, str]]:
    """Up to `limit` + 1 matches of `search` and `filters`, best first, each with its cursor.

    They start after the product whose cursor is `after`, or past the first `offset`
    matches (read and dropped). The extra row says whether more follow.
    """
    tiered = Keyset(
        [SortColumn(search.tier, int, descending=True, domain=range(TOP_TIER + 1)), *BY_SKU]
    )
    if session.get_bind().dialect.name != "postgresql":
        return await _read_ordered(session, search, tiered, filters, after, offset, limit)
    session.info.pop(_MODE, None)  # a new statement sets the plans, whatever came before
    start, within = _start(tiered, after)
    wanted = offset + limit + 1
    found: list[tuple[Product, str]] = []
    for tier in range(start, -1, -1):
        place = within if tier == start and within is not None else true()
        condition = and_(*filters, search.tiers[tier])
        needed = wanted - len(found)
        first = tier == start
        matching = and_(*filters, search.condition) if first else None
        window = await _window(session, condition, place, needed, matching)
        if first and not window.enough(needed) and window.few_matches():
            # Few matches of any tier in the window: maybe a rare word, whose every match
            # one probe finds and sorts, for every tier at once.
            every = await _probe_all(session, search, tiered, filters, after, wanted)
            if every is not None:
                found = every
                break
        products = await _read_tier(session, condition, needed, window)
        found += [(p, tiered.token([tier, p.sku, p.id])) for p in products]
        if len(found) >= wanted:
            break
    # The settings are the transaction's (an error ends them with it): the statements
    # that follow, the documents' reads, plan freely again.
    await _plans(session, None)
    return found[offset:]


def _start(tiered: Keyset, after: str | None) -> tuple[int, ColumnElement[bool] | None]:
    """The tier a page starts in, and where in it by SKU and id (None: at its first product)."""
    if after is None:
        return TOP_TIER, None
    tier, *key = tiered.values(after)
    return tier, Keyset(BY_SKU).following(key)


async def _read_ordered(
    session: AsyncSession,
    search: TextSearch,
    tiered: Keyset,
    filters: Sequence[ColumnElement[bool]],
    after: str | None,
    offset: int,
    limit: int,
) -> list[tuple[Product, str]]:
    """SQLite: the top tier on its own by SKU, then what is left in one statement ordered by tier.

    FTS5 reads each match whole into a list, whichever the plan, and each statement costs
    the driver a millisecond, so reading every tier on its own would save SQLite little.
    But one statement ordered by the tier works out the tier of every match before its
    first row: 210 ms for a word in 25,000 of 205,000 products. The name's matches, read
    first in SKU order, fill such a page by themselves.
    """
    wanted = offset + limit + 1
    found: list[tuple[Product, str]] = []
    start, within = _start(tiered, after)
    if start == TOP_TIER:
        top = select(Product).where(*filters, search.tiers[TOP_TIER])
        if within is not None:
            top = top.where(within)
        top = top.order_by(Product.sku, Product.id).limit(wanted)
        found = [(p, tiered.token([TOP_TIER, p.sku, p.id])) for p in await session.scalars(top)]
        if len(found) >= wanted:
            return found[offset:]
    rest = select(Product, search.tier).where(*filters, search.condition)
    if start == TOP_TIER:
        rest = rest.where(~search.tiers[TOP_TIER])
    elif after is not None:  # a cursor in a lower tier
        rest = rest.where(tiered.after(after))
    rest = rest.order_by(*tiered.order_by()).limit(wanted - len(found))
    rows = (await session.execute(rest)).all()
    found += [(product, tiered.token([tier, product.sku, product.id])) for product, tier in rows]
    return found[offset:]


@dataclass(frozen=True, slots=True)
class _Window:
    """What a window of a tier found.

    The tier's products in it, how many products it spanned, the last SKU, how many of
    them match the search in any tier (0 when not asked), and how many products the table
    holds (PostgreSQL's estimate, negative when unknown).
    """

    found: list[Product]
    size: int
    last: str | None
    matches: int
    rows: float

    def enough(self, needed: int) -> bool:
        """Whether the window filled the page, or held the rest of the catalogue."""
        return len(self.found) >= needed or self.size < WINDOW

    def few_matches(self) -> bool:
        """Whether, at the window's rate, the search matches fewer products than a probe reads."""
        return self.rows < 0 or self.matches * self.rows < PROBE * max(self.size, 1)


async def _window(
    session: AsyncSession,
    condition: ColumnElement[bool],
    within: ColumnElement[bool],
    needed: int,
    matching: ColumnElement[bool] | None = None,
) -> _Window:
    """The tier's products among the next WINDOW products by SKU after the place `within` keeps."""
    await _plans(session, _WALK_PLANS)
    hit = literal(0) if matching is None else case((matching, 1), else_=0)
    keys = (
        select(Product.sku, hit.label("hit"))
        .where(within)
        .order_by(Product.sku)
        .limit(WINDOW)
        .subquery("keys")
    )
    bounds = select(
        func.count().label("size"),
        func.max(keys.c.sku).label("last"),
        func.coalesce(func.sum(keys.c.hit), 0).label("matches"),
        _TABLE_ROWS.label("rows"),
    ).subquery("window")
    statement = (
        select(bounds.c.size, bounds.c.last, bounds.c.matches, bounds.c.rows, Product)
        .select_from(bounds)
        .outerjoin(Product, and_(Product.sku <= bounds.c.last, within, condition))
        .order_by(Product.sku)
        .limit(needed)
    )
    rows = (await session.execute(statement)).all()
    size, last, matches, table_rows = rows[0][:4]
    found = [row[4] for row in rows if row[4] is not None]
    return _Window(found, size, last, matches, table_rows)


async def _probe_all(
    session: AsyncSession,
    search: TextSearch,
    tiered: Keyset,
    filters: Sequence[ColumnElement[bool]],
    after: str | None,
    wanted: int,
) -> list[tuple[Product, str]] | None:
    """Every match after `after`, best first, when they are fewer than PROBE; else None."""
    await _plans(session, _PROBE_PLANS)
    matches = select(Product, search.tier.label("tier")).where(*filters, search.condition)
    if after is not None:
        matches = matches.where(tiered.after(after))
    probe = matches.limit(PROBE).subquery("matches")
    probed = aliased(Product, probe)
    statement = (
        select(probed, probe.c.tier, func.count().over())
        .order_by(probe.c.tier.desc(), probe.c.sku, probe.c.id)
        .limit(wanted)
    )
    rows = (await session.execute(statement)).all()
    if rows and rows[0][2] >= PROBE:
        return None
    return [(product, tiered.token([tier, product.sku, product.id])) for product, tier, _ in rows]


async def _read_tier(
    session: AsyncSession, condition: ColumnElement[bool], needed: int, window: _Window
) -> list[Product]:
    """The first `needed` products of a tier (`condition`), its `window` read."""
    found, last = window.found, window.last
    if window.enough(needed):
        return found
    rest = and_(condition, Product.sku > last)
    wanted = needed - len(found)
    if len(found) * _DENSE < needed:
        # Few in the window: the tier may be small. A probe through its index, by SKU.
        await _plans(session, _PROBE_PLANS)
        probe = select(Product).where(rest).limit(PROBE).subquery("probe")
        probed = aliased(Product, probe)
        ordered = select(probed, func.count().over()).order_by(probe.c.sku).limit(wanted)
        probed_rows = (await session.execute(ordered)).all()
        if not probed_rows or probed_rows[0][1] < PROBE:
            return found + [row[0] for row in probed_rows]
        await _plans(session, _WALK_PLANS)
    walk = select(Product).where(rest).order_by(Product.sku).limit(wanted)
    return found + list(await session.scalars(walk))


async def _plans(session: AsyncSession, settings: dict[str, str] | None) -> None:
    """On PostgreSQL, allow the next statements only the plans of one way; None: any plan."""
    if session.get_bind().dialect.name != "postgresql" or session.info.get(_MODE) is settings:
        return
    session.info[_MODE] = settings
    if settings is None:
        names = ", ".join(f"'{name}'" for name in _SETTINGS)
        await session.execute(
            text(
                f"SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name IN ({names})"
            )
        )
        return
    # The driver prepares each statement; from the sixth run PostgreSQL may plan it once for
    # any values (a bound SKU, a LIMIT), and such a plan of a probe took 11 ms, not 0.03.
    values = {name: "on" for name in _SETTINGS} | {"plan_cache_mode": "force_custom_plan"}
    values |= settings
    calls = ", ".join(f"set_config('{name}', '{value}', true)" for name, value in values.items())
    await session.execute(text(f"SELECT {calls}"))
