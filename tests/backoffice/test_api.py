from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import Mount, Route

from backoffice import openapi
from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from backoffice.http import create_app
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim import api as pim_api
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from backoffice.rest import MAX_KEYS, SYSTEMS
from tests.backoffice import live

pytestmark = pytest.mark.anyio


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


@pytest.fixture
async def http(backoffice: live.LiveBackoffice) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"authorization": f"Bearer {live.LOYALTY_TOKEN}"}
    async with backoffice.raw_client(headers=headers) as client:
        yield client


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
    assert_valid(response.json(), _items_schema(system, path), openapi.document(system))


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
        },
    )

    page = await services.pim.search_products(
        search="verf", category_id="c02", complete_only=True, offset=1, limit=2
    )
    assert response.json() == {"items": page["products"], "total": page["total"]}
    assert len(page["products"]) == 2
    assert page["total"] > 3
    assert_valid(
        response.json(),
        _path_schema("pim", "/pim/v1/products/search", "get"),
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


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "message"),
    [
        (
            "GET",
            "/pim/v1/products",
            {"ids": "p00001"},
            None,
            "unknown parameter 'ids'; this endpoint takes id, sku",
        ),
        (
            "GET",
            "/pim/v1/products",
            {"id": "p00001", "sku": "P100001"},
            None,
            "give one of id, sku; got id, sku",
        ),
        (
            "GET",
            "/pricing/v1/prices",
            {"variant_id": "v000001"},
            None,
            "the parameter 'channel' is required",
        ),
        (
            "GET",
            "/pricing/v1/prices",
            {"variant_id": "v000001", "channel": "WEB", "quantity": "two"},
            None,
            "'quantity' must be a whole number, got 'two'",
        ),
        (
            "GET",
            "/pricing/v1/prices",
            {"variant_id": "v000001", "channel": "WEB", "quantity": "0"},
            None,
            "quantity must be 1 or more, got 0",
        ),
        (
            "GET",
            "/pricing/v1/prices",
            {"variant_id": "v000001", "channel": "WEB", "at": "2026-11-20T12:00:00"},
            None,
            "'at' must carry a UTC offset, e.g. 2026-11-20T12:00:00+00:00",
        ),
        (
            "GET",
            "/pricing/v1/prices",
            {"variant_id": "v000001", "channel": ["WEB", "APP"]},
            None,
            "give the parameter 'channel' once, not 2 times",
        ),
        (
            "GET",
            "/pim/v1/products/search",
            {"complete_only": "maybe"},
            None,
            "'complete_only' must be true or false, got 'maybe'",
        ),
        (
            "GET",
            "/pim/v1/products/search",
            {"limit": "501"},
            None,
            "offset must be 0 or more and limit between 0 and 500; got offset=0, limit=501",
        ),
        (
            "GET",
            "/inventory/v1/locations",
            {"id": "s01", "type": "STORE"},
            None,
            "give 'id' (a batch read) or 'type' (a listing), not both",
        ),
        (
            "GET",
            "/orders/v1/orders",
            {"id": "o000001", "channel": "WEB"},
            None,
            "'channel' filters a customer's orders; give it with customer_id",
        ),
        (
            "POST",
            "/pim/v1/products",
            {},
            {"id": ["p00001"]},
            "unknown body field 'id'; this endpoint takes ids, skus",
        ),
        (
            "POST",
            "/pim/v1/products",
            {"id": "p00001"},
            {"ids": ["p00002"]},
            "give 'id' in the query or 'ids' in the body, not both",
        ),
        ("POST", "/pim/v1/products", {}, {"ids": "p00001"}, "'ids' must be a list of strings"),
        (
            "POST",
            "/pim/v1/products",
            {},
            ["p00001"],
            'the body must be a JSON object of lists, e.g. {"ids": [...]}',
        ),
        (
            "POST",
            "/pricing/v1/quotes",
            {},
            {"lines": [{"variant_id": "v000001"}], "channel": "WEB"},
            "a quote line needs variant_id and quantity, got {'variant_id': 'v000001'}",
        ),
        (
            "POST",
            "/pricing/v1/quotes",
            {},
            {"lines": [], "channel": "WEB", "coupon": "X"},
            "unknown body fields ['coupon']; a quote takes lines, channel, customer_id, tier, at, "
            "history, coupons",
        ),
        ("POST", "/pricing/v1/quotes", {}, {"lines": []}, "'channel' is required"),
        (
            "POST",
            "/pricing/v1/quotes",
            {},
            {"lines": {}, "channel": "WEB"},
            '"lines" must be a list of {"variant_id", "quantity"} objects',
        ),
    ],
)
async def test_a_request_the_system_refuses_is_an_invalid_request_with_a_reason(
    http, method, path, params, body, message
):
    response = await http.request(method, path, params=params, json=body)

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "INVALID_REQUEST", "message": message}}


async def test_a_body_that_is_not_json_is_an_invalid_request(http):
    response = await http.post(
        "/pim/v1/products", content=b"{ids: nope", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert response.json()["error"]["message"].startswith("the body is not JSON")


async def test_more_keys_than_a_request_may_carry_is_an_invalid_request(http):
    response = await http.post(
        "/pim/v1/products", json={"ids": [str(n) for n in range(MAX_KEYS + 1)]}
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        f"{MAX_KEYS + 1} values of 'id' in one request; at most {MAX_KEYS}, so split the list over several requests"
    )


@pytest.mark.parametrize("path", ["/nope", "/pim/v2/products", "/pim/v1/products/p00001"])
async def test_an_unknown_path_is_not_found(http, path):
    response = await http.get(path)

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "NOT_FOUND", "message": f"Not Found: {path}"}}


async def test_a_method_a_path_does_not_take_is_not_allowed(http):
    response = await http.delete("/pim/v1/products")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("system", SYSTEMS)
async def test_every_system_answers_its_health_check_without_a_token(backoffice, system):
    async with backoffice.raw_client() as client:
        response = await client.get(f"/{system}/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "system": system}


@pytest.mark.parametrize("system", SYSTEMS)
async def test_every_system_serves_its_openapi_document(backoffice, system):
    async with backoffice.raw_client() as client:
        response = await client.get(f"/{system}/openapi.json")

    assert response.status_code == 200
    assert response.json() == openapi.document(system)


async def test_a_protected_system_refuses_a_request_without_a_valid_token(backoffice):
    async with backoffice.raw_client() as client:
        missing = await client.get("/loyalty/v1/accounts", params={"customer_id": "cu00001"})
        wrong = await client.get(
            "/loyalty/v1/accounts",
            params={"customer_id": "cu00001"},
            headers={"authorization": "Bearer nope"},
        )
        right = await client.get(
            "/loyalty/v1/accounts",
            params={"customer_id": "cu00001"},
            headers={"authorization": f"Bearer {live.LOYALTY_TOKEN}"},
        )
        open_ = await client.get("/pim/v1/products", params={"id": "p00001"})

    assert (missing.status_code, wrong.status_code, right.status_code, open_.status_code) == (
        401,
        401,
        200,
        200,
    )
    assert missing.json() == {
        "error": {"code": "UNAUTHORIZED", "message": "loyalty requires a valid bearer token"}
    }
    assert missing.headers["www-authenticate"] == 'Bearer realm="loyalty"'


async def test_the_token_endpoint_issues_tokens_for_the_scoped_systems(backoffice):
    async with backoffice.raw_client() as client:
        issued = await client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "scope": "loyalty",
                "client_id": live.CLIENT_ID,
                "client_secret": live.CLIENT_SECRET,
            },
        )
        token = {"authorization": f"Bearer {issued.json()['access_token']}"}
        loyalty = await client.get(
            "/loyalty/v1/accounts", params={"customer_id": "cu00001"}, headers=token
        )
        crm = await client.get("/crm/v1/customers", params={"id": "cu00001"}, headers=token)

    assert issued.status_code == 200
    assert {key: value for key, value in issued.json().items() if key != "access_token"} == {
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "loyalty",
    }
    assert issued.headers["cache-control"] == "no-store"
    assert (loyalty.status_code, crm.status_code) == (200, 401)


@pytest.mark.parametrize(
    ("auth", "data", "status", "error"),
    [
        ((live.CLIENT_ID, "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (
            ("stranger", live.CLIENT_SECRET),
            {"grant_type": "client_credentials"},
            401,
            "invalid_client",
        ),
        (
            (live.CLIENT_ID, live.CLIENT_SECRET),
            {"grant_type": "password"},
            400,
            "unsupported_grant_type",
        ),
        (
            (live.CLIENT_ID, live.CLIENT_SECRET),
            {"grant_type": "client_credentials", "scope": "payroll"},
            400,
            "invalid_scope",
        ),
    ],
)
async def test_the_token_endpoint_refuses_bad_clients_and_grants(
    backoffice, auth, data, status, error
):
    async with backoffice.raw_client() as client:
        response = await client.post("/oauth/token", data=data, auth=auth)

    assert (response.status_code, response.json()) == (status, {"error": error})


async def test_a_failing_database_is_unavailable_not_a_bug(tmp_path: Path) -> None:
    # A database without the back office's tables fails every query.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    app = create_app(engine, systems=["crm"], clock=live.CLOCK)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://backoffice"
        ) as client:
            read = await client.get("/crm/v1/customers", params={"id": "cu00001"})
            health = await client.get("/crm/v1/health")
    finally:
        await engine.dispose()

    assert read.status_code == 503
    assert read.json() == {
        "error": {"code": "UNAVAILABLE", "message": "the crm database failed: OperationalError"}
    }
    assert health.status_code == 200  # the database answers; it just lacks the tables


async def test_a_database_that_does_not_answer_fails_the_health_check() -> None:
    # A ping that fails as a refused connection would; a real unreachable SQLite file
    # trips an aiosqlite race (its worker answers a loop that may have closed).
    async def ping() -> None:
        raise ConnectionRefusedError("connection refused")

    engine = create_engine("sqlite+aiosqlite://")
    app = pim_api.create_app(PimService(sessionmaker(engine)), ping=ping)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://backoffice"
    ) as client:
        health = await client.get("/v1/health")

    assert health.status_code == 503
    assert health.json() == {
        "status": "unavailable",
        "system": "pim",
        "reason": "ConnectionRefusedError",
    }


def test_serving_an_unknown_system_is_refused():
    with pytest.raises(ValueError, match="systems must be some of pim, pricing"):
        create_app(create_engine("sqlite+aiosqlite://"), systems=["payroll"], clock=live.CLOCK)


# The OpenAPI documents: committed, complete, self-consistent.


def test_the_committed_openapi_documents_are_up_to_date():
    assert openapi.stale() == [], "run: .venv/bin/python -m backoffice.openapi"


def _documented(system: str) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in openapi.document(system)["paths"].items()
        for method in item
    }


def _served(system: str) -> set[tuple[str, str]]:
    app = create_app(create_engine("sqlite+aiosqlite://"), systems=[system], clock=live.CLOCK)
    served = set()
    for mount in app.routes:
        if not isinstance(mount, Mount):
            continue
        inner: Any = mount.app
        while not hasattr(inner, "routes"):
            inner = inner._app  # the fault and auth middlewares
        for route in inner.routes:
            assert isinstance(route, Route)
            if route.path != "/openapi.json":
                served |= {
                    (method, mount.path + route.path)
                    for method in route.methods or ()
                    if method != "HEAD"
                }
    return served


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_openapi_document_describes_exactly_the_routes_served(system):
    assert _documented(system) == _served(system)


@pytest.mark.parametrize("system", SYSTEMS)
def test_the_openapi_document_is_well_formed(system):
    document = openapi.document(system)

    assert document["openapi"] == "3.1.0"
    assert {"title", "version"} <= set(document["info"])
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([A-Za-z]+)"', openapi.render(system)))
    assert refs <= set(document["components"]["schemas"]), "every $ref resolves"
    operation_ids = [
        op["operationId"] for item in document["paths"].values() for op in item.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    for path, item in document["paths"].items():
        assert path.startswith(f"/{system}/v1/")
        for operation in item.values():
            assert "200" in operation["responses"]
            for parameter in operation.get("parameters", []):
                assert parameter["in"] in ("query", "path")
                if parameter["in"] == "path":
                    assert f"{{{parameter['name']}}}" in path
                    assert parameter["required"] is True
                assert "schema" in parameter


# A small JSON Schema checker for the subset the documents use (no dependency needed).


def _items_schema(system: str, path: str) -> dict[str, Any]:
    return _path_schema(system, path, "get")


def _path_schema(system: str, path: str, method: str) -> dict[str, Any]:
    operation = openapi.document(system)["paths"][path][method]
    schema: dict[str, Any] = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def assert_valid(
    value: Any, schema: dict[str, Any], document: dict[str, Any], at: str = "$"
) -> None:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        assert_valid(value, document["components"]["schemas"][name], document, at)
        return
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                assert_valid(value, option, document, at)
            except AssertionError:
                continue
            matches += 1
        assert matches == 1, f"{at}: {value!r} matches {matches} options of oneOf"
        return
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        assert any(_is(value, kind) for kind in allowed), f"{at}: {value!r} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, str):
        if "pattern" in schema:
            assert re.search(schema["pattern"], value), f"{at}: {value!r} !~ {schema['pattern']}"
        if schema.get("format") == "date-time":
            assert datetime.fromisoformat(value).tzinfo is not None, f"{at}: {value!r} is naive"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{at}: lacks {sorted(missing)}"
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                assert_valid(item, properties[key], document, f"{at}.{key}")
            elif extra is False:
                raise AssertionError(f"{at}: unexpected field {key!r}")
            elif isinstance(extra, dict):
                assert_valid(item, extra, document, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            assert_valid(item, schema["items"], document, f"{at}[{index}]")


def _is(value: Any, kind: str) -> bool:
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "null": value is None,
    }[kind]


def test_the_schema_checker_catches_drift():
    document = openapi.document("loyalty")
    account = {"$ref": "#/components/schemas/Account"}

    assert_valid({"customer_id": "cu1", "card_number": "26", "points": 3}, account, document)
    for wrong in (
        {"customer_id": "cu1", "card_number": "26"},
        {"customer_id": "cu1", "card_number": "26", "points": "3"},
        {"customer_id": "cu1", "card_number": "26", "points": 3, "tier": "GOLD"},
    ):
        with pytest.raises(AssertionError):
            assert_valid(wrong, account, document)
