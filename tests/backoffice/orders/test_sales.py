"""Sales per variant and location: units in orders placed at a location since a moment, net of returns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backoffice.errors import InvalidRequest
from backoffice.orders.sales import MAX_VARIANTS
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.rows import CLOCK, NOW, T0, count_statements, insert, order

pytestmark = pytest.mark.anyio

SINCE = T0 - timedelta(days=30)


@pytest.fixture
async def service(sessions) -> OrdersService:
    # `order(..., lines=n)` sells 2 units of v-1 .. v-n.
    partly_returned = order("s01-returned", location_id="s01", lines=2)
    partly_returned.lines[0].returned_quantity = 1
    all_returned = order("s03-returned", location_id="s03", lines=1)
    all_returned.lines[0].returned_quantity = 2
    await insert(
        sessions,
        order("s01-a", location_id="s01", lines=2),  # v-1: 2, v-2: 2
        partly_returned,  # v-1: 1, v-2: 2
        order("s02-a", location_id="s02", lines=1, placed_at=SINCE),  # v-1: 2, on the boundary
        order("s02-b", location_id="s02", lines=3, channel="STORE"),  # v-1, v-2, v-3: 2 each
        all_returned,  # nothing left at s03
        order("web", location_id=None, lines=2),  # shipped: no location
        order("cancelled", location_id="s01", lines=2, status="CANCELLED"),
        order("old", location_id="s01", lines=2, placed_at=SINCE - timedelta(seconds=1)),
    )
    return OrdersService(sessions, clock=CLOCK)


async def test_sales_are_summed_per_variant_and_location_net_of_returns(service, engine):
    with count_statements(engine) as statements:
        sales = await service.get_sales(["v-2", "v-1", "v-9", "v-1"], since=SINCE)

    assert sales == [
        {"variant_id": "v-1", "location_id": "s01", "quantity": 3},
        {"variant_id": "v-1", "location_id": "s02", "quantity": 4},
        {"variant_id": "v-2", "location_id": "s01", "quantity": 4},
        {"variant_id": "v-2", "location_id": "s02", "quantity": 2},
    ]
    assert len(statements) == 1


async def test_a_later_moment_leaves_earlier_orders_out(service, sessions):
    await insert(sessions, order("late", location_id="s05", lines=1, placed_at=NOW))

    assert await service.get_sales(["v-1"], since=NOW) == [
        {"variant_id": "v-1", "location_id": "s05", "quantity": 2}
    ]


async def test_no_variants_read_nothing(service, engine):
    with count_statements(engine) as statements:
        assert await service.get_sales([], since=SINCE) == []

    assert statements == []


async def test_sales_need_an_aware_moment_and_a_bounded_list(service):
    with pytest.raises(InvalidRequest, match="UTC offset"):
        await service.get_sales(["v-1"], since=SINCE.replace(tzinfo=None))
    with pytest.raises(InvalidRequest, match=f"at most {MAX_VARIANTS}"):
        await service.get_sales([f"v-{n}" for n in range(MAX_VARIANTS + 1)], since=SINCE)
