"""A search's relevance tiers, on SQLite and on the real PostgreSQL alike: the order, its pages, its cursors, its plans.

Tier 3: every word in the name; 2: in the name, SKU or brand; 1: anywhere, the
description included; 0: some word only inside a longer one. Within a tier, by SKU.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backoffice.db import sessionmaker
from backoffice.errors import InvalidRequest
from backoffice.pim import tiered
from backoffice.pim.models import Product
from backoffice.pim.search import product_search
from backoffice.pim.service import PimService
from tests.backoffice.pim.rows import product
from tests.backoffice.support import insert, text

pytestmark = pytest.mark.anyio

#: Tier 3 twice (the SKUs out of their ids' order), 2, 1, 0, and a product without the word.
VELVET = {
    "R-1": ("V-400", "Kussen Fluweel", "Cushion Velvet", None, "Soft."),
    "R-2": ("V-100", "Kussen Fluweel Deluxe", "Cushion Velvet Deluxe", None, "Soft."),
    "R-3": ("V-050", "Kussen Lotte", "Cushion Lotte", "Velvet Home", "Soft."),
    "R-4": ("V-020", "Plaid Lotte", "Throw Lotte", None, "A velvet cushion cover."),
    "R-5": ("V-010", "Taart Redvelvet", "Cake Redvelvet", None, "Sweet."),
    "R-6": ("V-001", "Lamp Oslo", "Lamp Oslo", None, "Bright."),
}
RANKED = ["R-2", "R-1", "R-3", "R-4", "R-5"]


def velvet(id: str, sku: str, nl: str, en: str, brand: str | None, about: str) -> Product:
    return product(id, sku, text(nl, en), brand=brand, description=text(about, about))


@pytest.fixture
async def catalogue(sessions: async_sessionmaker[AsyncSession]) -> None:
    await insert(sessions, *(velvet(id, *fields) for id, fields in VELVET.items()))


async def walk(sessions, search: str, limit: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Every product of a search, page after page by cursor; and the pages."""
    service = PimService(sessions)
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(len(VELVET) + 2):
        page = await service.search_products(search=search, after=after, limit=limit)
        pages.append(page)
        if not page["has_more"]:
            break
        after = page["products"][-1]["cursor"]
    return [p["id"] for page in pages for p in page["products"]], pages


def decoded(cursor: str) -> list[Any]:
    return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def token_of(values: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(values)).rstrip(b"=").decode()


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("velvet", RANKED),
        ("Velvet cushion", ["R-2", "R-1", "R-3", "R-4"]),  # "velvet" in its brand only
        ("cushion deluxe", ["R-2"]),
        ("lotte", ["R-4", "R-3"]),  # one tier: by SKU
        ("redvelvet", ["R-5"]),
    ],
)
async def test_name_then_keys_then_description_then_inside_a_word_each_by_sku(
    sessions, words, expected
):
    page = await PimService(sessions).search_products(search=words, with_total=True)

    assert [p["id"] for p in page["products"]] == expected
    assert page["total"] == len(expected)


@pytest.mark.usefixtures("catalogue")
async def test_the_pages_are_one_ordered_statement_by_tier_then_sku(sessions):
    async with sessions() as session:
        found = await product_search("velvet", session)
        assert found is not None
        statement = select(Product.id, found.tier).where(found.condition)
        rows = (await session.execute(statement.order_by(found.tier.desc(), Product.sku))).all()

    assert [id_ for id_, _ in rows] == RANKED
    assert [tier for _, tier in rows] == [3, 3, 2, 1, 0]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("limit", [1, 2, 3, 10])
@pytest.mark.parametrize(("window", "probe"), [(400, 1000), (1, 1), (1, 2), (2, 100)])
async def test_pages_by_cursor_walk_the_ranked_list_whichever_way_a_tier_is_read(
    sessions, monkeypatch, limit, window, probe
):
    # Small windows and probes send every tier through the probe and the walk.
    monkeypatch.setattr(tiered, "WINDOW", window)
    monkeypatch.setattr(tiered, "PROBE", probe)

    walked, pages = await walk(sessions, "velvet", limit)

    assert walked == RANKED
    assert [page["has_more"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert all(len(page["products"]) == limit for page in pages[:-1])


@pytest.mark.usefixtures("catalogue")
async def test_a_page_ending_on_a_tier_boundary_says_more_follow_and_the_next_starts_below(
    sessions,
):
    service = PimService(sessions)

    first = await service.search_products(search="velvet", limit=2)
    second = await service.search_products(
        search="velvet", limit=3, after=first["products"][-1]["cursor"]
    )

    assert [p["id"] for p in first["products"]] == ["R-2", "R-1"]  # the whole of tier 3
    assert first["has_more"] is True
    assert [p["id"] for p in second["products"]] == ["R-3", "R-4", "R-5"]
    assert second["has_more"] is False
    assert [decoded(p["cursor"]) for p in first["products"] + second["products"]] == [
        [3, "V-100", "R-2"],
        [3, "V-400", "R-1"],
        [2, "V-050", "R-3"],
        [1, "V-020", "R-4"],
        [0, "V-010", "R-5"],
    ]


@pytest.mark.usefixtures("catalogue")
async def test_a_search_is_stable_under_inserts_before_and_after_its_cursor(sessions):
    service = PimService(sessions)
    first = await service.search_products(search="velvet", limit=2)

    await insert(
        sessions,
        velvet("R-7", "V-000", "Poef Fluweel", "Pouf Velvet", None, "Round."),  # tier 3, first
        velvet("R-8", "V-060", "Kussen Mila", "Cushion Mila", "Velvet Home", "Soft."),  # tier 2
    )
    following = await service.search_products(
        search="velvet", limit=3, after=first["products"][-1]["cursor"]
    )

    assert [p["id"] for p in following["products"]] == ["R-3", "R-8", "R-4"]
    assert following["has_more"] is True


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "after",
    [
        token_of([0.25, "V-100", "R-2"]),  # a ts_rank or bm25 of before the tiers
        token_of([3.0, "V-100", "R-2"]),
        token_of([4, "V-100", "R-2"]),
        token_of([-1, "V-100", "R-2"]),
        token_of(["3", "V-100", "R-2"]),
        token_of([True, "V-100", "R-2"]),
        token_of(["V-100", "R-2"]),  # a listing's cursor
        token_of([3, "V-100"]),
    ],
)
async def test_a_cursor_of_another_shape_is_an_invalid_request(sessions, after):
    with pytest.raises(InvalidRequest, match="is not a cursor this listing gave out"):
        await PimService(sessions).search_products(search="velvet", after=after)


async def explain(engine: AsyncEngine, words: str, tier: int) -> str:
    """The plan of a probe of `tier`, planned as `tiered` plans it."""
    async with sessionmaker(engine)() as session:
        found = await product_search(words, session)
        assert found is not None
        statement = select(Product.id).where(found.tiers[tier]).limit(tiered.PROBE)
        conn = await session.connection()
        sql = statement.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN"
        if conn.dialect.name == "postgresql":
            await tiered._plans(session, tiered._PROBE_PLANS)
        else:
            prefix = "EXPLAIN QUERY PLAN"
        rows = await conn.exec_driver_sql(f"{prefix} {sql}")
        return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    ("tier", "indexes"),
    [
        (3, ["name_vector"]),
        (2, ["keys_vector"]),
        # Which of the two leads depends on the statistics (on real data, often both).
        (1, ["text_vector", "search_vector"]),
        (0, ["search_vector", "search_text_trgm"]),
    ],
)
async def test_postgresql_probes_each_tier_through_gin_indexes(postgres_pim, tier, indexes):
    plan = await explain(postgres_pim, "verf roller", tier)

    used = [index for index in indexes if f"Bitmap Index Scan on ix_pim_product_{index}" in plan]
    assert used if tier == 1 else used == indexes
    assert "Seq Scan" not in plan


@pytest.mark.parametrize("tier", [3, 2, 1, 0])
async def test_sqlite_reads_each_tier_through_its_fts5_tables(sqlite_pim, tier):
    plan = await explain(sqlite_pim, "verf roller", tier)

    assert "pim_product_search VIRTUAL TABLE INDEX" in plan
    if tier == 0:
        assert "pim_product_substring VIRTUAL TABLE INDEX" in plan
