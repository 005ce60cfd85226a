"""The deterministic seed of the reference back office: a Dutch home, DIY, fashion, bags and swimwear retailer.

`seed(engine, size=..., random_seed=..., today=...)` fills every back-office system; the same
three arguments always give byte-identical data (every random choice comes from
`random.Random` streams derived from `random_seed`, every date from `today`).

Identifiers are readable and fixed-width:

==================  ======================  =============================================
what                format                  example
==================  ======================  =============================================
category            c<dept>[<leaf>]         c02 (Klussen & verf), c0201 (Muurverf)
product             p<5 digits>             p00001, SKU P100001
variant             v<6 digits>             v000001, SKU P100001-WHITE, P100003-CORAL-38
GTIN-13             871 + brand + item      8712100000017 (GS1 Netherlands prefix 871)
store               s<2 digits>             s01 (code NL001) ... s14
distribution ctr.   dc1                     code DC01, Waalwijk
partner warehouse   pw1                     code PW01, Venlo
promotion           pr<2 digits>            pr01 is the paint's cross-channel 3-for-2
customer            cu<5 digits>            cu00001, customer number C100001
loyalty card        2600<8 digits><check>   13 digits, GS1 in-store range
voucher             vo<5 digits>            vo00001, code TB-XXXX-XXXX
interaction         in<5 digits>            numbered in time order
order               o<6 digits>             o000001 (oldest), number W-/A-/S-000001 by channel
order line          <order id>-<position>   o000001-1
fulfilment          f<6 digits>             same digits as its order
return              r<6 digits>             r000001
==================  ======================  =============================================

Conventions the other systems can rely on: a product is linked to its leaf category (the
PIM matches parents through the tree), while the price engine's items list the leaf and
its parent. Prices include 21% VAT; an order line's `tax` is round_money(total * 21 / 121).
Shipping is 4.95 for home delivery (SHIP_TO_HOME from dc1/pw1, or SHIP_FROM_STORE) when
the goods after discounts come under 50.00; click & collect and carry-out are free. Vouchers redeemed in an order are order-level
discounts (promotion id = voucher id, the 10% welcome discount is "welcome10"), allocated
over the lines (`redeemed_order_id` names the order; an order placed through the gateway's
checkout records a VOUCHER payment instead, see resolvers/voucher_rules.py); a seeded voucher may be spent for a year
after it was issued (`expires_at`), and `issued_by` is the agent who took the complaint it
follows, or crm:campaign. Loyalty ledger reasons: WELCOME, EARN (floor of the order total), RETURN
(the refund's points, never more than the balance) and REDEMPTION (a reward).
Order history actions: PLACED, CONFIRMED, SHIPPED, DELIVERED, READY_FOR_PICKUP, COLLECTED,
COMPLETED (carry-out), RETURN_REGISTERED, RETURN_RECEIVED, REFUNDED; `version` is the
number of events. The order status follows the latest event (PLACED, IN_FULFILLMENT once
confirmed, SHIPPED, READY_FOR_PICKUP, COMPLETED, then PARTIALLY_RETURNED or RETURNED);
fulfilment statuses are PENDING, SHIPPED, DELIVERED, READY_FOR_PICKUP, COLLECTED, COMPLETED.
Interaction channels are the contract's sales channels (CALL_CENTER, WEB, APP, STORE). The journeys' fixed items are described in `backoffice.seed.story`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import inspect, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from backoffice.db import Base, create_tables
from backoffice.pim import search_index
from backoffice.seed.bulk import BATCH_ROWS, load
from backoffice.seed.dataset import SYSTEM_TABLES, systems
from backoffice.seed.prices import PAINT_PROMOTION_ID
from backoffice.seed.sizes import SIZES, SeedSize
from backoffice.seed.story import (
    BIKINI_LOW_STOCK_VARIANT_ID,
    BIKINI_PRODUCT_ID,
    BIKINI_STORE_ID,
    DEMO_CUSTOMER_ID,
    HOME_STORE_ID,
    LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID,
    LAPTOP_BAG_PRODUCT_ID,
    PAINT_PRODUCT_ID,
    PAINT_VARIANT_ID,
    RETURNING_CUSTOMER_ID,
)

__all__ = [
    "BIKINI_LOW_STOCK_VARIANT_ID",
    "BIKINI_PRODUCT_ID",
    "BIKINI_STORE_ID",
    "DEMO_CUSTOMER_ID",
    "HOME_STORE_ID",
    "LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID",
    "LAPTOP_BAG_PRODUCT_ID",
    "PAINT_PRODUCT_ID",
    "PAINT_PROMOTION_ID",
    "PAINT_VARIANT_ID",
    "RETURNING_CUSTOMER_ID",
    "SIZES",
    "SeedReport",
    "SeedSize",
    "analyze",
    "is_seeded",
    "seed",
]


@dataclass(frozen=True)
class SeedReport:
    """What a seed run inserted (rows per table) and how long it took."""

    counts: dict[str, int]
    seconds: float


async def seed(
    engine: AsyncEngine,
    *,
    size: str = "demo",
    random_seed: int = 20261122,
    today: date,
    batch_rows: int = BATCH_ROWS,
) -> SeedReport:
    """Create the back office's tables and fill them with the demo retailer as of `today`.

    `today` comes from the caller's clock (`kernel.clock`), so that a process running as of
    another day seeds that day's story. Rows are made and written `batch_rows` per table at
    a time (COPY on PostgreSQL, see `backoffice.seed.bulk`), one transaction per system, so
    that memory stays bounded at any size (under 1 GB at xl); then every table is
    analysed, so that the planner knows their sizes.

    Raises ValueError for an unknown size, and when the database already holds back-office
    data: the seed never mixes with, or overwrites, what is there.
    """
    if size not in SIZES:
        raise ValueError(f"unknown seed size {size!r}; choose one of {', '.join(SIZES)}")
    started = time.perf_counter()
    await create_tables(engine)
    if await is_seeded(engine):
        raise ValueError(
            "the back-office database already holds data; seed an empty database "
            "(or drop its tables first with backoffice.db.drop_tables)"
        )
    async with engine.begin() as conn:
        # The search indexes are built once over the loaded rows, not row by row.
        await conn.run_sync(search_index.pause)
    counts: dict[str, int] = {}
    for system, rows in systems(SIZES[size], random_seed=random_seed, today=today):
        tables = [Base.metadata.tables[name] for name in SYSTEM_TABLES[system]]
        async with engine.begin() as conn:
            counts.update(await load(conn, tables, rows, batch_rows))
    async with engine.begin() as conn:
        # After the last insert, before ANALYZE (so that the statistics cover them): the
        # search indexes, built over the loaded rows (and PostgreSQL's pending GIN entries
        # merged: a rare word read through them took 46 ms instead of 0.1 ms).
        await conn.run_sync(search_index.install)
        await analyze(conn)
    return SeedReport(counts=counts, seconds=time.perf_counter() - started)


async def analyze(conn: AsyncConnection) -> None:
    """ANALYZE every back-office table (PostgreSQL and SQLite alike): fresh planner statistics.

    A bulk load leaves the planner guessing at sizes until autovacuum comes by (PostgreSQL)
    or for ever (SQLite); a deep page of a million-variant listing then sorts on disk.
    """
    preparer = conn.dialect.identifier_preparer
    for table in Base.metadata.sorted_tables:
        await conn.exec_driver_sql(f"ANALYZE {preparer.format_table(table)}")


async def is_seeded(engine: AsyncEngine) -> bool:
    """True when any back-office table exists and holds a row."""
    from backoffice import models  # noqa: F401  (registers every system's tables on Base)

    async with engine.connect() as conn:
        existing = await conn.run_sync(_table_names)
        for name, table in Base.metadata.tables.items():
            probe = select(literal(1)).select_from(table).limit(1)
            if name in existing and await conn.scalar(probe) is not None:
                return True
    return False


def _table_names(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())
