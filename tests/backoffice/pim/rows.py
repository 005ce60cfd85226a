"""A small PIM catalogue, its row builders, and a statement counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.pim.models import Category, Product, Variant, product_category
from kernel.gtin import make_gtin13
from tests.backoffice.support import count_statements as count_statements
from tests.backoffice.support import database, text
from tests.backoffice.support import sessions as sessions

GTIN_BLACK = make_gtin13("871234500001")
GTIN_GREEN = make_gtin13("871234500002")
GTIN_PAINT = make_gtin13("871234500003")


@pytest.fixture
async def sqlite_pim() -> AsyncIterator[AsyncEngine]:
    """The PIM's tables, with the search indexes, in a fresh in-memory SQLite database."""
    async with database("pim_") as engine:
        yield engine


@pytest.fixture
async def catalogue(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Two root categories, a paint sub-tree, three products and three variants."""
    async with sessions.begin() as session:
        session.add_all(
            [
                Category(id="home", name=text("Wonen", "Home"), parent_id=None),
                Category(id="paint", name=text("Verf", "Paint"), parent_id="home"),
                Category(id="wall-paint", name=text("Muurverf", "Wall paint"), parent_id="paint"),
                Category(id="bags", name=text("Tassen", "Bags"), parent_id=None),
            ]
        )
        await session.flush()
        session.add_all(
            [
                product(
                    "P-1",
                    "BAG-001",
                    text("Laptoptas Urban", "Urban laptop bag"),
                    brand="Vandenberg",
                    media=[{"url": "https://cdn.example/bag-001.jpg", "alt": text("Tas", "Bag")}],
                ),
                product(
                    "P-2", "PAINT-001", text("Muurverf wit", "Wall paint white"), brand="Flexa"
                ),
                product(
                    "P-3",
                    "PAINT-002",
                    text("Lakverf", "Gloss paint"),
                    brand="Flexa",
                    complete=False,
                ),
            ]
        )
        await session.flush()
        # Inserted in the opposite order of their positions, so ordering is the service's work.
        session.add_all(
            [
                variant("V-1-GRN", "BAG-001-GRN", "P-1", position=1, gtin=GTIN_GREEN),
                variant("V-1-BLK", "BAG-001-BLK", "P-1", position=0, gtin=GTIN_BLACK),
                variant("V-2-1L", "PAINT-001-1L", "P-2", position=0, gtin=GTIN_PAINT),
            ]
        )
        await session.execute(
            insert(product_category),
            [
                {"product_id": "P-1", "category_id": "bags"},
                {"product_id": "P-2", "category_id": "wall-paint"},
                {"product_id": "P-2", "category_id": "home"},
                {"product_id": "P-3", "category_id": "paint"},
            ],
        )


def product(id: str, sku: str, name: dict[str, str], **overrides: Any) -> Product:
    fields: dict[str, Any] = {
        "id": id,
        "sku": sku,
        "name": name,
        "description": text(f"Over {name['nl']}", f"About {name['en']}"),
        "brand": None,
        "media": [],
        "complete": True,
    } | overrides
    # What the PIM's writer stores: SKU, brand and every locale's name, lower-cased.
    words = [sku, fields["brand"] or "", *name.values()]
    fields["search_text"] = " ".join(words).lower()
    return Product(**fields)


def variant(id: str, sku: str, product_id: str, **overrides: Any) -> Variant:
    fields: dict[str, Any] = {
        "id": id,
        "sku": sku,
        "gtin": None,
        "product_id": product_id,
        "position": 0,
        "name": text(f"{sku} nl", f"{sku} en"),
        "attributes": [
            {"code": "colour", "name": text("Kleur", "Colour"), "value": text("zwart", "black")}
        ],
    }
    return Variant(**(fields | overrides))
