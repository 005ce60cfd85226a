"""The back office's REST API refusing requests, and failing when its database does."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from backoffice.db import create_engine, sessionmaker
from backoffice.http import create_app
from backoffice.pim import api as pim_api
from backoffice.pim.service import PimService
from backoffice.rest import MAX_KEYS
from tests.backoffice import live

pytestmark = pytest.mark.anyio


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
            "/pim/v1/products/search",
            {"q": " ".join("abcdefghijklmnopq")},
            None,
            "a search holds at most 16 words; got 17",
        ),
        (
            "GET",
            "/pim/v1/products/search",
            {"after": "WyJQMTAwMDAxIl0"},  # one value where the order has two
            None,
            "after: 'WyJQMTAwMDAxIl0' is not a cursor this listing gave out; start again "
            "without `after`",
        ),
        (
            "GET",
            "/pim/v1/products/search",
            {"after": "WyJQMTAwMDAxIiwicDAwMDAxIl0", "offset": "3"},
            None,
            "give after or offset, not both",
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
