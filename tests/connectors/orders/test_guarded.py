"""The guarded OMS: carts are never cached, writes are tried once, keyed writes (orders, returns) retried."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from backoffice.orders.service import OrdersService
from connectors.errors import SourceUnavailable
from connectors.guard import CachePolicy
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.guarded import GuardedOrdersConnector
from connectors.orders.records import CartLineChange
from connectors.resilience import ResiliencePolicy
from gateway.bootstrap import build_stack
from tests.backoffice.orders.rows import CLOCK
from tests.connectors.orders.test_returns import RECEIPT, one_can
from tests.connectors.orders.test_writes import new_order

pytestmark = pytest.mark.anyio


class Flaky:
    """Forwards to the real adapter, but the first call of each method fails as a 503 would."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if self.calls[name] == 1:
                await method(*args, **kwargs)  # it happened, but the answer was lost
                raise SourceUnavailable("orders", "the answer was lost")
            return await method(*args, **kwargs)

        return call


@pytest.fixture
def flaky(sessions) -> Flaky:
    return Flaky(EmbeddedOrdersConnector(OrdersService(sessions, clock=CLOCK)))


@pytest.fixture
def guarded(flaky) -> GuardedOrdersConnector:
    guard = build_stack(
        "orders",
        cache=None,
        timeout=5.0,
        clock=CLOCK,
        resilience=ResiliencePolicy(retries=2, backoff_base=0, backoff_max=0),
    )
    return GuardedOrdersConnector(flaky, guard, CachePolicy())  # type: ignore[arg-type]


async def test_placing_an_order_is_retried_and_places_it_once(guarded, flaky):
    placed = await guarded.create_order(new_order("ck-retry"))

    assert flaky.calls["create_order"] == 2
    assert placed.id == "ck-retry"
    orders = await guarded.get_customer_orders(["c-1"], channel=None)
    assert [order.id for order in orders["c-1"]] == ["ck-retry"]


async def test_other_writes_are_tried_once(guarded, flaky):
    with pytest.raises(SourceUnavailable):
        await guarded.create_cart(channel="WEB", lines=[CartLineChange("v-1", 1)])

    assert flaky.calls["create_cart"] == 1


async def test_cart_reads_are_not_cached(guarded, flaky):
    flaky.calls["create_cart"] = 1  # no lost answer this time
    cart = await guarded.create_cart(channel="WEB")
    flaky.calls["get_carts"] = flaky.calls["change_cart_lines"] = 1
    first = await guarded.get_carts([cart.id])
    await guarded.change_cart_lines(cart.id, add=[CartLineChange("v-1", 1)])
    second = await guarded.get_carts([cart.id])

    assert (first[cart.id].version, second[cart.id].version) == (1, 2)


async def test_registering_and_receiving_a_return_are_retried_and_apply_once(guarded, flaky):
    order = await guarded.create_order(new_order("ck-return"))

    registered = await guarded.register_return(one_can(order))
    received = await guarded.receive_return(registered.id, RECEIPT)

    assert (flaky.calls["register_return"], flaky.calls["receive_return"]) == (2, 2)
    after = (await guarded.get_orders([order.id]))[order.id]
    assert (after.version, after.lines[0].returned_quantity) == (3, 1)
    assert [event.action for event in after.history] == [
        "PLACED",
        "RETURN_REGISTERED",
        "RETURN_RECEIVED",
        "REFUNDED",
    ]
    assert received.status == "REFUNDED"


async def test_sales_are_read_through_the_guard_and_retried(guarded, flaky):
    order = await guarded.create_order(
        dataclasses.replace(new_order("ck-store"), channel="STORE", location_id="s01")
    )

    sales = await guarded.get_sales(["v-paint", "v-none"], since=order.placed_at)

    assert flaky.calls["get_sales"] == 2
    assert sales == {"v-paint": {"s01": 3}, "v-none": {}}
