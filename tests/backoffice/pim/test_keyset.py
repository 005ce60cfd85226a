"""Keyset pages of the PIM search, on SQLite and on the real PostgreSQL.

A page continues after its last product's `cursor`: walking the listing neither repeats
nor skips a product, a product added before the cursor does not shift the next page, a
cursor that is not one the search gave out is an `InvalidRequest`, and the matches are
counted only when asked.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InvalidRequest
from backoffice.keyset import Keyset, SortColumn
from backoffice.pim.models import Product, Variant
from backoffice.pim.service import PimService
from tests.backoffice.pim.rows import count_statements, product, variant
from tests.backoffice.support import insert, text

pytestmark = pytest.mark.anyio

#: SKUs in no order, with prefixes and digits that sort differently as text and as numbers.
SKUS = [f"SKU-{n}" for n in (7, 12, 1, 30, 4, 100, 9, 21, 3, 15, 2, 11, 5)]


@pytest.fixture
async def listing(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """Thirteen products, two of them incomplete, each with a variant; their ids in SKU order."""
    await insert(
        sessions,
        *(
            product(f"P-{i:02}", sku, text(f"Verf {i}", f"Paint {i}"), complete=i % 6 != 5)
            for i, sku in enumerate(SKUS)
        ),
    )
    await insert(
        sessions, *(variant(f"V-{i:02}", f"{sku}-1L", f"P-{i:02}") for i, sku in enumerate(SKUS))
    )
    whole = await PimService(sessions).search_products(limit=100)
    return [document["id"] for document in whole["products"]]


async def walk(service: PimService, size: int, **search: Any) -> list[list[str]]:
    """Every page of a search, each following the last cursor of the one before."""
    pages: list[list[str]] = []
    after = None
    while True:
        page = await service.search_products(after=after, limit=size, **search)
        pages.append([document["id"] for document in page["products"]])
        if not page["has_more"]:
            return pages
        after = page["products"][-1]["cursor"]


@pytest.mark.parametrize("size", [1, 2, 5, 13, 20])
async def test_keyset_pages_walk_the_whole_listing_without_repeats_or_gaps(sessions, listing, size):
    pages = await walk(PimService(sessions), size)

    walked = [id_ for page in pages for id_ in page]
    assert walked == listing
    assert len(listing) == len(SKUS)
    assert all(len(page) == size for page in pages[:-1])
    assert 0 < len(pages[-1]) <= size


async def test_the_order_is_by_sku_on_either_database(sessions, listing):
    page = await PimService(sessions).search_products(limit=100)

    skus = [document["sku"] for document in page["products"]]
    assert skus == sorted(SKUS)  # C collation on PostgreSQL, binary on SQLite: code points


async def test_a_filtered_walk_keeps_its_filter(sessions, listing):
    pages = await walk(PimService(sessions), 3, complete_only=True, search="paint")

    walked = [id_ for page in pages for id_ in page]
    incomplete = {f"P-{i:02}" for i in range(len(SKUS)) if i % 6 == 5}
    assert walked == [id_ for id_ in listing if id_ not in incomplete]
    assert len(incomplete) == 2


async def test_a_product_added_before_the_cursor_neither_repeats_nor_shifts_the_next_page(
    sessions, listing
):
    # given: the first page, and the page that follows it as it stood
    service = PimService(sessions)
    first = await service.search_products(limit=4)
    after = first["products"][-1]["cursor"]
    expected = await service.search_products(after=after, limit=4)
    # when: one product sorts before the cursor, another among the next page's
    await insert(
        sessions,
        product("P-NEW-1", "SKU-0", text("Nieuw", "New")),
        product("P-NEW-2", expected["products"][1]["sku"] + "0", text("Nieuw", "New")),
    )
    following = await service.search_products(after=after, limit=4)
    # then: the next page starts right after the cursor's product, as before
    before = [document["id"] for document in expected["products"]]
    assert [document["id"] for document in following["products"]] == [
        before[0],
        before[1],
        "P-NEW-2",
        before[2],
    ]
    assert "P-NEW-1" not in [d["id"] for d in first["products"] + following["products"]]
    # an offset page would have shifted: the new first product pushed every page back
    shifted = await service.search_products(offset=4, limit=4)
    assert shifted["products"][0]["id"] == first["products"][-1]["id"]


async def test_a_cursor_encodes_the_sort_key_of_its_product_not_its_position(sessions, listing):
    service = PimService(sessions)
    page = await service.search_products(limit=5)
    third = page["products"][2]
    later = await service.search_products(after=page["products"][1]["cursor"], limit=1)

    # the same product has the same cursor wherever its page started
    assert later["products"][0]["cursor"] == third["cursor"]
    decoded = base64.urlsafe_b64decode(third["cursor"] + "=" * (-len(third["cursor"]) % 4))
    assert decoded.decode() == f'["{third["sku"]}","{third["id"]}"]'


async def test_the_matches_are_counted_only_when_asked(sessions, engine, listing):
    service = PimService(sessions)
    with count_statements(engine) as uncounted:
        plain = await service.search_products(limit=4)
    with count_statements(engine) as counted:
        asked = await service.search_products(limit=4, with_total=True)
    after = asked["products"][-1]["cursor"]
    deeper = await service.search_products(after=after, limit=4, with_total=True)

    assert plain["total"] is None
    assert not [s for s in uncounted if s.lstrip().lower().startswith("select count(")]
    assert len([s for s in counted if s.lstrip().lower().startswith("select count(")]) == 1
    assert asked["total"] == deeper["total"] == len(SKUS)
    assert [d["id"] for d in plain["products"]] == [d["id"] for d in asked["products"]]


async def test_a_first_page_holding_every_match_counts_them_without_a_count(
    sessions, engine, listing
):
    with count_statements(engine) as statements:
        page = await PimService(sessions).search_products(search="paint 1", with_total=True)

    # Which products "paint 1" finds is the search's business (test_search.py); here a
    # first page holds them all, so their number is the total.
    assert page["total"] == len(page["products"]) > 1
    assert page["has_more"] is False
    assert not [s for s in statements if s.lstrip().lower().startswith("select count(")]


async def test_an_empty_page_says_whether_products_follow(sessions, listing):
    service = PimService(sessions)

    assert (await service.search_products(limit=0))["has_more"] is True
    last = (await service.search_products(limit=100))["products"][-1]["cursor"]
    assert await service.search_products(after=last) == {
        "products": [],
        "total": None,
        "has_more": False,
    }


def token_of(values: Any) -> str:
    import orjson

    return base64.urlsafe_b64encode(orjson.dumps(values)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "after",
    [
        "",
        "not a token",
        "%%%",
        "WyJTS1UtMSIs",  # cut short
        base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="),  # not UTF-8
        token_of({"sku": "SKU-1"}),
        token_of(["SKU-1"]),  # too few values
        token_of(["SKU-1", "P-01", "x"]),
        token_of([1, "P-01"]),  # a number where the SKU goes
        token_of(["SKU-1", True]),
        token_of(["SKU-1", None]),
        token_of(["SKU-\x001", "P-01"]),  # PostgreSQL's text holds no NUL
        token_of(["x" * 2000, "P-01"]),
        "W1siU0tVLTEiXSwiUC0wMSJd" + "A" * 1100,
    ],
)
async def test_a_malformed_or_altered_cursor_is_an_invalid_request(sessions, listing, after):
    with pytest.raises(InvalidRequest, match="is not a cursor this listing gave out"):
        await PimService(sessions).search_products(after=after)


async def test_after_and_offset_together_are_an_invalid_request(sessions, listing):
    page = await PimService(sessions).search_products(limit=1)

    with pytest.raises(InvalidRequest, match="after or offset"):
        await PimService(sessions).search_products(after=page["products"][0]["cursor"], offset=2)


# The keyset itself, with the orders a search will bring: a float rank descending first.


async def test_mixed_directions_page_like_one_ordered_read(sessions, listing):
    # given: a rank-like float, descending with ties, before the SKU and the id, ascending
    rank = cast(func.length(Product.sku) % 3, Float) / 4
    order = Keyset([SortColumn(rank, float, descending=True), *_by_sku()])
    statement = select(Product.id, *order.expressions).order_by(*order.order_by())
    async with sessions() as session:
        whole = (await session.execute(statement)).all()
        # when: pages of three, each after the last row's token
        walked: list[str] = []
        after = None
        while True:
            page = statement.limit(3)
            if after is not None:
                page = page.where(order.after(after))
            rows = (await session.execute(page)).all()
            walked += [row[0] for row in rows]
            if len(rows) < 3:
                break
            after = order.token(rows[-1][1:])
    # then
    assert walked == [row[0] for row in whole]
    assert len({row[1] for row in whole}) == 3  # the rank has ties: the SKU breaks them
    assert [row[1] for row in whole] == sorted((row[1] for row in whole), reverse=True)


async def test_mixed_directions_over_an_integer_column(sessions, listing):
    await insert(
        sessions,
        *(variant(f"V-{i:02}-B", f"B-{i}", f"P-{i:02}", position=i % 4) for i in range(10)),
    )
    order = Keyset(
        [SortColumn(Variant.position, int, descending=True), SortColumn(Variant.id, str)]
    )
    statement = select(Variant.id, *order.expressions).order_by(*order.order_by())
    async with sessions() as session:
        whole = [row[0] for row in await session.execute(statement)]
        walked: list[str] = []
        after = None
        for _ in range(len(whole)):
            page = (
                statement.limit(4)
                if after is None
                else statement.limit(4).where(order.after(after))
            )
            rows = (await session.execute(page)).all()
            walked += [row[0] for row in rows]
            if len(rows) < 4:
                break
            after = order.token(rows[-1][1:])

    assert walked == whole
    assert len(whole) == len(SKUS) + 10


def test_an_integer_token_outside_a_bigint_is_invalid():
    order = Keyset([SortColumn(Variant.position, int)])

    assert order.values(token_of([2**63 - 1])) == (2**63 - 1,)
    with pytest.raises(InvalidRequest):
        order.values(token_of([2**63]))
    with pytest.raises(InvalidRequest):
        order.values(token_of([1.5]))


def test_an_integer_token_outside_its_columns_domain_is_invalid():
    # A search's relevance tier: 0 to 3, nothing else.
    order = Keyset([SortColumn(Variant.position, int, descending=True, domain=range(4))])

    assert [order.values(token_of([tier])) for tier in (0, 3)] == [(0,), (3,)]
    for value in (4, -1, 2.0, 0.5, "2"):
        with pytest.raises(InvalidRequest):
            order.values(token_of([value]))


def _by_sku() -> list[SortColumn]:
    return [SortColumn(Product.sku, str), SortColumn(Product.id, str)]
