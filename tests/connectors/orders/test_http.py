from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest

from connectors.orders.http import HttpOrdersConnector

pytestmark = pytest.mark.anyio

ORDERS = [f"o{n:06d}" for n in range(1, 51)]
#: Order n is numbered W-, A- or S-<n> after its channel: one of each three numbers exists.
NUMBERS = [f"{prefix}-{n:06d}" for n in range(1, 4) for prefix in "WAS"]
CUSTOMERS = [f"cu{n:05d}" for n in range(1, 21)]

CALLS: dict[str, tuple[Callable[[HttpOrdersConnector], Awaitable[Mapping[str, Any]]], str]] = {
    "get_orders": (lambda oms: oms.get_orders(ORDERS), "GET /orders/v1/orders"),
    "get_orders_by_number": (
        lambda oms: oms.get_orders_by_number(NUMBERS),
        "GET /orders/v1/orders",
    ),
    "get_customer_orders": (
        lambda oms: oms.get_customer_orders(CUSTOMERS, channel="WEB"),
        "GET /orders/v1/orders",
    ),
    "get_returns": (
        lambda oms: oms.get_returns([f"r{n:06d}" for n in range(1, 10)]),
        "GET /orders/v1/returns",
    ),
    "get_order_returns": (lambda oms: oms.get_order_returns(ORDERS), "GET /orders/v1/returns"),
}


@pytest.mark.parametrize("method", CALLS)
async def test_a_batch_of_keys_is_one_request_to_the_oms(backoffice, method):
    call, request = CALLS[method]

    async with backoffice.client("orders") as client:
        found = await call(HttpOrdersConnector(client))

    assert found
    assert backoffice.requests() == {request: 1}


async def test_customer_orders_split_over_chunks_stay_newest_first_per_customer(backoffice):
    async with backoffice.client("orders") as client:
        oms = HttpOrdersConnector(client)
        whole = await oms.get_customer_orders(CUSTOMERS, channel=None)
        chunked = await HttpOrdersConnector(client, max_batch=3).get_customer_orders(
            CUSTOMERS, channel=None
        )

    assert list(chunked.items()) == list(whole.items())
    demo = whole["cu00001"]
    assert {o.channel for o in demo} == {"WEB", "APP", "STORE"}
    assert [o.placed_at for o in demo] == sorted((o.placed_at for o in demo), reverse=True)


async def test_an_oms_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    async with backoffice.client("orders") as client:
        reference = HttpOrdersConnector(client)
        orders = await reference.get_orders(ORDERS)
        returns = await reference.get_order_returns(ORDERS)

    renames = {"number": "order_number", "placed_at": "created", "status": "state"}
    async with backoffice.renaming("orders", renames) as client:
        theirs = HttpOrdersConnector(
            client, mapping={theirs: ours for ours, theirs in renames.items()}
        )
        assert await theirs.get_orders(ORDERS) == orders
        assert await theirs.get_order_returns(ORDERS) == returns
