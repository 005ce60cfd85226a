"""The back office's REST API answers what its services answer: batch reads, search, quotes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice import openapi
from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from tests.backoffice import live
from tests.backoffice.schema_checker import assert_valid, items_schema, path_schema

pytestmark = pytest.mark.anyio


@pytest.fixture
async def crm_http(backoffice: live.LiveBackoffice) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"authorization": f"Bearer {live.CRM_TOKEN}"}
    async with backoffice.raw_client(headers=headers) as client:
        yield client


class Services:
    """The services the API serves, called directly for the expected answers."""

    def __init__(self, engine: AsyncEngine) -> None:
        sessions = sessionmaker(engine)
        self.pim = PimService(sessions)
        self.pricing = PricingService(sessions, clock=live.CLOCK)
        self.inventory = InventoryService(sessions, clock=live.CLOCK)
        self.crm = CrmService(sessions, clock=live.CLOCK)
        self.orders = OrdersService(sessions, clock=live.CLOCK)
        self.loyalty = LoyaltyService(sessions, clock=live.CLOCK)


@pytest.fixture
async def services(seeded_url: str) -> AsyncIterator[Services]:
    engine = create_engine(seeded_url)
    yield Services(engine)
    await engine.dispose()


Call = Callable[[Services], Awaitable[Any]]

#: The store sales of the last 90 days: the bikini of journey 4 sells at its store.
SALES_SINCE = live.NOW - timedelta(days=90)

# (path, query, the service call whose documents the answer's items must equal)
BATCH_READS: list[tuple[str, dict[str, Any], Call]] = [
    (
        "/pim/v1/products",
        {"id": ["p00002", "nope", "p00001"]},
        lambda s: s.pim.get_products(["p00002", "nope", "p00001"]),
    ),
    ("/pim/v1/products", {"sku": ["P100003"]}, lambda s: s.pim.get_products_by_sku(["P100003"])),
    (
        "/pim/v1/variants",
        {"id": ["v000001", "v000011"]},
        lambda s: s.pim.get_variants(["v000001", "v000011"]),
    ),
    (
        "/pim/v1/variants",
        {"sku": ["P100001-WHITE"]},
        lambda s: s.pim.get_variants_by_sku(["P100001-WHITE"]),
    ),
    (
        "/pim/v1/variants",
        {"gtin": ["8712115000012", "0"]},
        lambda s: s.pim.get_variants_by_gtin(["8712115000012", "0"]),
    ),
    (
        "/pim/v1/categories",
        {"id": ["c02", "c0201"]},
        lambda s: s.pim.get_categories(["c02", "c0201"]),
    ),
    (
        "/pricing/v1/prices",
        {
            "variant_id": ["v000001", "v000011", "nope"],
            "channel": "WEB",
            "quantity": "3",
            "tier": "GOLD",
            "at": live.NOW.isoformat(),
        },
        lambda s: s.pricing.get_prices(
            ["v000001", "v000011", "nope"], channel="WEB", quantity=3, tier="GOLD", at=live.NOW
        ),
    ),
    (
        "/pricing/v1/prices",
        {"variant_id": ["v000001"], "channel": "STORE"},
        lambda s: s.pricing.get_prices(["v000001"], channel="STORE"),
    ),
    ("/pricing/v1/promotions", {}, lambda s: s.pricing.get_promotions()),
    (
        "/pricing/v1/promotions",
        {"cross_channel": "true", "active_at": live.NOW.isoformat()},
        lambda s: s.pricing.get_promotions(cross_channel=True, active_at=live.NOW),
    ),
    (
        "/inventory/v1/locations",
        {"id": ["s01", "dc1", "nope"]},
        lambda s: s.inventory.get_locations(["s01", "dc1", "nope"]),
    ),
    ("/inventory/v1/locations", {}, lambda s: s.inventory.list_locations(None)),
    (
        "/inventory/v1/locations",
        {"type": ["DISTRIBUTION_CENTER", "PARTNER"]},
        lambda s: s.inventory.list_locations(["DISTRIBUTION_CENTER", "PARTNER"]),
    ),
    (
        "/inventory/v1/stock",
        {"variant_id": ["v000007", "v000011"], "location_id": ["s01", "s03", "dc1"]},
        lambda s: s.inventory.get_stock(["v000007", "v000011"], ["s01", "s03", "dc1"]),
    ),
    (
        "/crm/v1/customers",
        {"id": ["cu00002", "cu00001", "nope"]},
        lambda s: s.crm.get_customers(["cu00002", "cu00001", "nope"]),
    ),
    (
        "/crm/v1/customer-matches",
        {
            "identifier": [
                "EMAIL:Jeroen.Bakker@Example.com",
                "PHONE:+31 6 87654321",
                "LOYALTY_CARD:2600000000031",
                "EMAIL:nobody@example.com",
            ]
        },
        lambda s: s.crm.find_customers(
            [
                {"type": "EMAIL", "value": "Jeroen.Bakker@Example.com"},
                {"type": "PHONE", "value": "+31 6 87654321"},
                {"type": "LOYALTY_CARD", "value": "2600000000031"},
                {"type": "EMAIL", "value": "nobody@example.com"},
            ]
        ),
    ),
    (
        "/crm/v1/interactions",
        {"customer_id": ["cu00001", "cu00002"]},
        lambda s: s.crm.get_interactions(["cu00001", "cu00002"]),
    ),
    ("/crm/v1/vouchers", {"customer_id": ["cu00001"]}, lambda s: s.crm.get_vouchers(["cu00001"])),
    (
        "/orders/v1/orders",
        {"id": ["o000019", "o000312"]},
        lambda s: s.orders.get_orders(["o000019", "o000312"]),
    ),
    (
        "/orders/v1/orders",
        # Order n is numbered W-, A- or S-<n> after its channel: one of each three exists.
        {"number": ["W-000001", "A-000001", "S-000001"]},
        lambda s: s.orders.get_orders_by_number(["W-000001", "A-000001", "S-000001"]),
    ),
    (
        "/orders/v1/orders",
        {"customer_id": ["cu00001", "cu00002"]},
        lambda s: s.orders.get_customer_orders(["cu00001", "cu00002"]),
    ),
    (
        "/orders/v1/orders",
        {"customer_id": ["cu00001"], "channel": "WEB"},
        lambda s: s.orders.get_customer_orders(["cu00001"], channel="WEB"),
    ),
    (
        "/orders/v1/returns",
        {"id": ["r000001", "r000009"]},
        lambda s: s.orders.get_returns(["r000001", "r000009"]),
    ),
    (
        "/orders/v1/returns",
        {"order_id": ["o000019", "o000118"]},
        lambda s: s.orders.get_order_returns(["o000019", "o000118"]),
    ),
    (
        "/orders/v1/sales",
        {"variant_id": ["v000011", "v000217", "nope"], "since": SALES_SINCE.isoformat()},
        lambda s: s.orders.get_sales(["v000011", "v000217", "nope"], since=SALES_SINCE),
    ),
    (
        "/loyalty/v1/accounts",
        {"customer_id": ["cu00001", "nope"]},
        lambda s: s.loyalty.get_accounts(["cu00001", "nope"]),
    ),
    (
        "/loyalty/v1/accounts",
        {"card_number": ["2600000000024"]},
        lambda s: s.loyalty.find_by_card(["2600000000024"]),
    ),
]


def _ids(case: tuple[str, dict[str, Any], Call]) -> str:
    path, query, _ = case
    return f"{path}?{','.join(query)}"


@pytest.mark.parametrize("case", BATCH_READS, ids=[_ids(case) for case in BATCH_READS])
async def test_a_batch_read_answers_the_services_documents_as_items(case, http, crm_http, services):
    path, query, call = case
    client = crm_http if path.startswith("/crm") else http

    response = await client.get(path, params=query)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    expected = await call(services)
    assert expected, "every case reads something"
    assert response.json() == {"items": expected}
    system = path.split("/")[1]
    assert_valid(response.json(), items_schema(system, path), openapi.document(system))


@pytest.mark.parametrize("case", BATCH_READS[:6:2], ids=[_ids(case) for case in BATCH_READS[:6:2]])
async def test_a_post_with_the_lists_in_its_body_answers_as_the_get_does(case, http):
    path, query, _ = case
    body = {f"{name}s": values for name, values in query.items()}

    posted = await http.post(path, json=body)
    got = await http.get(path, params=query)

    assert posted.status_code == 200
    assert posted.json() == got.json()


async def test_a_post_keeps_single_values_in_the_query_string(http, services):
    ids = [f"v{n:06d}" for n in range(1, 281)]

    response = await http.post(
        "/pricing/v1/prices", params={"channel": "WEB"}, json={"variant_ids": ids}
    )

    assert response.json() == {"items": await services.pricing.get_prices(ids, channel="WEB")}
    assert len(response.json()["items"]) == 280


async def test_no_keys_is_an_empty_answer_not_a_listing(http):
    response = await http.get("/pim/v1/products")

    assert response.json() == {"items": []}


async def test_search_answers_whole_products_and_the_total(http, services):
    response = await http.get(
        "/pim/v1/products/search",
        params={
            "q": "verf",
            "category_id": "c02",
            "complete_only": "true",
            "offset": "1",
            "limit": "2",
            "with_total": "true",
        },
    )

    page = await services.pim.search_products(
        search="verf", category_id="c02", complete_only=True, offset=1, limit=2, with_total=True
    )
    assert response.json() == {
        "items": page["products"],
        "total": page["total"],
        "has_more": True,
    }
    assert len(page["products"]) == 2
    assert page["total"] > 3
    assert_valid(
        response.json(),
        path_schema("pim", "/pim/v1/products/search", "get"),
        openapi.document("pim"),
    )


@pytest.mark.parametrize("q", ["&", '"', ":*", "*", "'"])
async def test_a_search_of_punctuation_alone_finds_nothing(http, q):
    response = await http.get("/pim/v1/products/search", params={"q": q, "with_total": "true"})

    assert (response.status_code, response.json()) == (
        200,
        {"items": [], "total": 0, "has_more": False},
    )


async def test_search_continues_after_a_cursor_and_counts_only_when_asked(http, services):
    first = (await http.get("/pim/v1/products/search", params={"q": "verf", "limit": "3"})).json()
    after = first["items"][-1]["cursor"]

    response = await http.get(
        "/pim/v1/products/search", params={"q": "verf", "limit": "3", "after": after}
    )

    both = await services.pim.search_products(search="verf", limit=6)
    assert first["total"] is None
    assert [item["id"] for item in first["items"] + response.json()["items"]] == [
        product["id"] for product in both["products"]
    ]
    assert response.json()["items"] == both["products"][3:]
    assert_valid(
        response.json(),
        path_schema("pim", "/pim/v1/products/search", "get"),
        openapi.document("pim"),
    )


async def test_a_quote_answers_the_priced_basket(http, services):
    body = {
        "lines": [{"variant_id": "v000001", "quantity": 3}],
        "channel": "WEB",
        "at": live.NOW.isoformat(),
    }

    response = await http.post("/pricing/v1/quotes", json=body)

    assert response.status_code == 200
    assert response.json() == await services.pricing.quote(
        body["lines"], channel="WEB", at=live.NOW
    )
    # The paint's 3-for-2: one can of three is free.
    assert (response.json()["subtotal"], response.json()["total"]) == ("119.85", "79.90")
    assert_valid(
        response.json(), {"$ref": "#/components/schemas/Quote"}, openapi.document("pricing")
    )


async def test_a_quote_takes_history_and_coupons(http, services):
    body = {
        "lines": [{"variant_id": "v000001", "quantity": 2}],
        "channel": "WEB",
        "at": live.NOW.isoformat(),
        "history": [
            {
                "order_id": "o-store",
                "channel": "STORE",
                "placed_at": live.NOW.isoformat(),
                "variant_id": "v000001",
                "quantity": 1,
            }
        ],
        "coupons": ["EXTRA10", "NOPE"],
    }

    response = await http.post("/pricing/v1/quotes", json=body)

    assert response.status_code == 200
    # Journey 1: the can bought in store makes one of these two free.
    assert (response.json()["subtotal"], response.json()["total"]) == ("79.90", "39.95")
    assert response.json()["coupons"] == [
        {"code": "EXTRA10", "status": "NOT_APPLICABLE"},
        {"code": "NOPE", "status": "UNKNOWN"},
    ]
    assert_valid(
        response.json(), {"$ref": "#/components/schemas/Quote"}, openapi.document("pricing")
    )


async def test_a_quote_naming_unpriced_variants_is_unknown_items_with_their_ids(http):
    body = {
        "lines": [
            {"variant_id": "zz", "quantity": 1},
            {"variant_id": "v000001", "quantity": 1},
            {"variant_id": "aa", "quantity": 2},
        ],
        "channel": "WEB",
    }

    response = await http.post("/pricing/v1/quotes", json=body)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "UNKNOWN_ITEMS", "message": "unknown items: aa, zz", "ids": ["aa", "zz"]}
    }
