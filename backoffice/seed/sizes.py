"""How much the seed makes: the named sizes of the demo retailer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SeedSize:
    """Counts of the randomly generated part; the story's fixed items come on top of orders."""

    products: int
    customers: int
    orders: int


SIZES: dict[str, SeedSize] = {
    # Fast enough for every test that needs a seeded back office.
    "small": SeedSize(products=60, customers=40, orders=300),
    # The one-command demo.
    "demo": SeedSize(products=1_000, customers=600, orders=5_000),
    # For load tests and PostgreSQL.
    "large": SeedSize(products=10_000, customers=6_000, orders=50_000),
    # A big retailer's catalogue, for measuring how the gateway scales with it: ~1M variants
    # and ~11.7M stock rows (about 5 variants a product, stock at ~12 of 16 locations).
    # Customers and orders stay at large's: they are made whole in memory (the returns and
    # loyalty go back over them), ~300 MB and ~15 s at this count whatever the catalogue,
    # which keeps seeding within its targets (under 5 minutes, under 1 GB) on PostgreSQL.
    "xl": SeedSize(products=205_000, customers=6_000, orders=50_000),
}
