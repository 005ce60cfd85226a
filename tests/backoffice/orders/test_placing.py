from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, create_engine, sessionmaker
from backoffice.errors import (
    CartNotOpen,
    CartOwned,
    Conflict,
    InvalidRequest,
    NotFound,
    UnknownItems,
    VersionConflict,
    WrongLocation,
)
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.rows import CLOCK, NOW, T0, insert, order

pytestmark = pytest.mark.anyio

ROUTING = {"location_id": "s02", "score": 0.82, "reasons": ["in stock", "quiet store"]}


def order_doc(id: str = "ck-1", **overrides: Any) -> dict[str, Any]:
    """Three cans at 19.99 with the third free, a 5.00 brush, shipped from store s02."""
    return {
        "id": id,
        "channel": "WEB",
        "location_id": None,
        "customer_id": "c-1",
        "cart_id": None,
        "currency": "EUR",
        "lines": [
            {
                "variant_id": "v-paint",
                "sku": "PAINT-1L",
                "quantity": 3,
                "unit_list_amount": "19.99",
                "discounts": [
                    {"promotion_id": "p-3for2", "name": {"en": "3 for 2"}, "amount": "19.99"}
                ],
                "tax": "6.94",
                "total": "39.98",
            },
            {
                "variant_id": "v-brush",
                "sku": "BRUSH",
                "quantity": 1,
                "unit_list_amount": "5.00",
                "discounts": [],
                "tax": "0.87",
                "total": "5.00",
            },
        ],
        "subtotal": "64.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "49.93",
        "payments": [{"method": "CARD", "amount": "49.93"}],
        "fulfillments": [
            {
                "id": f"{id}-f1",
                "type": "SHIP_FROM_STORE",
                "location_id": "s02",
                "status": "PENDING",
                "delivery_date": "2024-03-05",
            }
        ],
        "routing": ROUTING,
        "history": [
            {"actor": "customer:c-1", "channel": "WEB", "action": "PLACED", "detail": None}
        ],
    } | overrides


def new_service(sessions: Any) -> OrdersService:
    counter = itertools.count(1)
    return OrdersService(sessions, clock=CLOCK, new_id=lambda: f"id{next(counter)}")


@pytest.fixture
def service(sessions) -> OrdersService:
    return new_service(sessions)


async def test_a_placed_order_gets_its_number_time_status_and_keeps_every_amount(service):
    placed = await service.create_order(order_doc())

    assert placed == {
        "id": "ck-1",
        "number": "WEB-2024-000001",
        "channel": "WEB",
        "location_id": None,
        "customer_id": "c-1",
        "status": "PLACED",
        "placed_at": NOW.isoformat(),
        "currency": "EUR",
        "subtotal": "64.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "49.93",
        "version": 1,
        "cart_id": None,
        "routing": ROUTING,
        "lines": [
            {
                "id": "id1",
                "position": 1,
                "variant_id": "v-paint",
                "sku": "PAINT-1L",
                "quantity": 3,
                "unit_list_amount": "19.99",
                "discounts": [
                    {"promotion_id": "p-3for2", "name": {"en": "3 for 2"}, "amount": "19.99"}
                ],
                "tax": "6.94",
                "total": "39.98",
                "returned_quantity": 0,
            },
            {
                "id": "id2",
                "position": 2,
                "variant_id": "v-brush",
                "sku": "BRUSH",
                "quantity": 1,
                "unit_list_amount": "5.00",
                "discounts": [],
                "tax": "0.87",
                "total": "5.00",
                "returned_quantity": 0,
            },
        ],
        "payments": [{"method": "CARD", "amount": "49.93"}],
        "fulfillments": [
            {
                "id": "ck-1-f1",
                "type": "SHIP_FROM_STORE",
                "location_id": "s02",
                "status": "PENDING",
                "delivery_date": "2024-03-05",
            }
        ],
        "history": [
            {
                "at": NOW.isoformat(),
                "actor": "customer:c-1",
                "channel": "WEB",
                "action": "PLACED",
                "detail": None,
            }
        ],
    }
    assert await service.get_orders(["ck-1"]) == [placed]


async def test_placing_the_same_id_again_answers_the_first_order_unchanged(service):
    first = await service.create_order(order_doc())

    again = await service.create_order(order_doc(shipping="0.00", total="44.98", payments=[]))

    assert again == first
    assert [o["id"] for o in await service.get_customer_orders(["c-1"])] == ["ck-1"]


async def test_numbers_count_per_channel_and_year(service):
    web1 = await service.create_order(order_doc("a"))
    store1 = await service.create_order(
        order_doc("b", channel="STORE", location_id="s01", fulfillments=[])
    )
    web2 = await service.create_order(order_doc("c"))

    assert [web1["number"], store1["number"], web2["number"]] == [
        "WEB-2024-000001",
        "STORE-2024-000001",
        "WEB-2024-000002",
    ]


async def test_fulfilment_ids_the_gateway_leaves_out_are_assigned(service):
    placed = await service.create_order(
        order_doc(fulfillments=[{"type": "CLICK_AND_COLLECT", "location_id": "s01"}], history=[])
    )

    assert placed["fulfillments"] == [
        {
            "id": "id3",
            "type": "CLICK_AND_COLLECT",
            "location_id": "s01",
            "status": "PENDING",
            "delivery_date": None,
        }
    ]
    assert [(e["actor"], e["action"]) for e in placed["history"]] == [("oms", "PLACED")]


def _broken(path: str, value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(order_doc())
    target: Any = doc
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is _DROP:
        del target[last]
    else:
        target[last] = value
    return doc


_DROP = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("lines", [], "at least one line"),
        ("total", "49.94", "line totals plus shipping add up to 49.93"),
        ("total", "49.9", "is 49.90, but the line totals"),
        ("shipping", "4.96", "line totals plus shipping"),
        ("subtotal", "64.96", "list amounts"),
        ("discount_total", "20.00", "discounts add up to 19.99"),
        ("lines.0.total", "39.99", "less its discounts is 39.98"),
        ("lines.0.quantity", 0, "at least 1"),
        ("lines.0.unit_list_amount", 19.99, "decimal string"),
        ("lines.0.unit_list_amount", "19.985", "more decimals"),
        ("lines.1.total", "-5.00", "at least 0"),
        ("payments", [{"method": "CARD", "amount": "40.00"}], "the payments add up to 40.00"),
        ("payments", [{"method": "BITCOIN", "amount": "49.93"}], "method"),
        ("fulfillments.0.type", "TELEPORT", "type"),
        ("channel", "web", "channel"),
        ("currency", "eur", "currency"),
        ("id", "x" * 33, "at most 32"),
        ("number", "MINE-1", "unknown fields: number"),
        ("routing", ["s02"], "routing"),
        ("subtotal", _DROP, "lacks the fields: subtotal"),
    ],
)
async def test_an_order_that_does_not_hold_together_is_refused(service, path, value, message):
    with pytest.raises(InvalidRequest, match=message):
        await service.create_order(_broken(path, value))

    assert await service.get_orders(["ck-1"]) == []


async def test_the_cart_becomes_ordered_with_the_order(service):
    cart = await service.create_cart(
        channel="WEB", customer_id="c-1", lines=[{"variant_id": "v-paint", "quantity": 3}]
    )

    placed = await service.create_order(order_doc(cart_id=cart["id"]))
    again = await service.create_order(order_doc(cart_id=cart["id"]))

    assert placed["cart_id"] == cart["id"]
    assert again == placed
    [ordered] = await service.get_carts([cart["id"]])
    assert (ordered["status"], ordered["order_id"], ordered["version"]) == ("ORDERED", "ck-1", 2)
    assert await service.get_open_carts(["c-1"]) == []
    with pytest.raises(CartNotOpen):
        await service.create_order(order_doc("ck-2", cart_id=cart["id"]))
    with pytest.raises(CartNotOpen, match="became order 'ck-1'"):
        await service.change_cart_lines(cart["id"], add=[{"variant_id": "v-1", "quantity": 1}])


async def test_an_unknown_or_foreign_cart_places_no_order(service):
    theirs = await service.create_cart(channel="WEB", customer_id="c-2")

    with pytest.raises(UnknownItems) as unknown:
        await service.create_order(order_doc(cart_id="nope"))
    with pytest.raises(CartOwned):
        await service.create_order(order_doc(cart_id=theirs["id"]))

    assert unknown.value.ids == ("nope",)
    assert await service.get_orders(["ck-1"]) == []
    assert (await service.get_carts([theirs["id"]]))[0]["status"] == "OPEN"


async def test_fulfilment_ids_of_another_order_are_refused(service):
    await service.create_order(order_doc("ck-1"))

    with pytest.raises(InvalidRequest, match="already used by other orders: ck-1-f1"):
        await service.create_order(order_doc("ck-2", fulfillments=order_doc()["fulfillments"]))


# Confirming a fulfilment.


async def test_the_routed_store_confirms_its_fulfilment(service):
    await service.create_order(order_doc())

    confirmed = await service.confirm_fulfillment(
        "ck-1", "ck-1-f1", location_id="s02", actor="store:s02", channel="STORE"
    )
    again = await service.confirm_fulfillment(
        "ck-1", "ck-1-f1", location_id="s02", actor="store:s02", channel="STORE"
    )

    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["fulfillments"][0]["status"] == "CONFIRMED"
    assert confirmed["version"] == 2
    assert confirmed["history"][-1] == {
        "at": NOW.isoformat(),
        "actor": "store:s02",
        "channel": "STORE",
        "action": "CONFIRMED",
        "detail": "fulfilment ck-1-f1 at s02",
    }
    assert again == confirmed, "confirming again changes nothing"


async def test_an_order_is_confirmed_once_none_of_its_fulfilments_waits(service):
    doc = order_doc(
        fulfillments=[
            {"id": "f-a", "type": "SHIP_FROM_STORE", "location_id": "s02"},
            {"id": "f-b", "type": "SHIP_FROM_STORE", "location_id": "s03"},
        ]
    )
    await service.create_order(doc)

    one = await service.confirm_fulfillment("ck-1", "f-a", location_id="s02", actor="store:s02")
    both = await service.confirm_fulfillment("ck-1", "f-b", location_id="s03", actor="store:s03")

    assert (one["status"], both["status"]) == ("PLACED", "CONFIRMED")
    assert both["version"] == 3


async def test_another_store_cannot_confirm_and_unknown_ones_are_not_found(service):
    await service.create_order(order_doc())

    with pytest.raises(WrongLocation, match="routed to 's02', not 's07'") as wrong:
        await service.confirm_fulfillment("ck-1", "ck-1-f1", location_id="s07", actor="store:s07")
    with pytest.raises(NotFound, match="no order 'nope'"):
        await service.confirm_fulfillment("nope", "f", location_id="s02", actor="store:s02")
    with pytest.raises(NotFound, match="no fulfilment 'f-9'"):
        await service.confirm_fulfillment("ck-1", "f-9", location_id="s02", actor="store:s02")

    assert wrong.value.code == "WRONG_LOCATION"
    [unchanged] = await service.get_orders(["ck-1"])
    assert (unchanged["status"], unchanged["version"]) == ("PLACED", 1)


# Changing a delivery date.


async def test_an_agent_moves_the_delivery_date_at_the_version_they_read(service):
    await service.create_order(order_doc())

    moved = await service.change_delivery_date(
        "ck-1",
        "ck-1-f1",
        date="2024-03-08",
        expected_version=1,
        actor="agent:a-1",
        channel="CALL_CENTER",
    )

    assert moved["fulfillments"][0]["delivery_date"] == "2024-03-08"
    assert moved["version"] == 2
    assert moved["history"][-1] == {
        "at": NOW.isoformat(),
        "actor": "agent:a-1",
        "channel": "CALL_CENTER",
        "action": "DELIVERY_DATE_CHANGED",
        "detail": "fulfilment ck-1-f1: 2024-03-05 -> 2024-03-08",
    }


async def test_a_stale_version_overwrites_nothing(service):
    await service.create_order(order_doc())
    await service.change_delivery_date(
        "ck-1", "ck-1-f1", date=date(2024, 3, 8), expected_version=1, actor="agent:a-1"
    )

    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        await service.change_delivery_date(
            "ck-1", "ck-1-f1", date="2024-03-09", expected_version=1, actor="agent:a-2"
        )

    [order_now] = await service.get_orders(["ck-1"])
    assert order_now["fulfillments"][0]["delivery_date"] == "2024-03-08"
    assert order_now["version"] == 2
    assert [e["actor"] for e in order_now["history"]] == ["customer:c-1", "agent:a-1"]


async def test_delivery_dates_of_closed_orders_and_in_the_past_do_not_move(service, sessions):
    await insert(sessions, order("done", status="COMPLETED"))

    with pytest.raises(Conflict, match="can no longer change"):
        await service.change_delivery_date(
            "done", "done-f1", date="2024-03-09", expected_version=1, actor="agent:a-1"
        )
    await service.create_order(order_doc())
    with pytest.raises(InvalidRequest, match="in the past"):
        await service.change_delivery_date(
            "ck-1",
            "ck-1-f1",
            date=(NOW - timedelta(days=1)).date(),
            expected_version=1,
            actor="agent:a-1",
        )


async def _race(engine: AsyncEngine, agents: int) -> None:
    """`agents` agents change one delivery date at once, all having read version 1."""
    async with engine.begin() as conn:
        tables = [t for name, t in Base.metadata.tables.items() if name.startswith("oms_")]
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    service = new_service(sessionmaker(engine))
    await service.create_order(order_doc())

    outcomes = await asyncio.gather(
        *(
            service.change_delivery_date(
                "ck-1",
                "ck-1-f1",
                date=date(2024, 3, 6 + n),
                expected_version=1,
                actor=f"agent:{n}",
            )
            for n in range(agents)
        ),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if isinstance(o, dict)]
    losers = [o for o in outcomes if not isinstance(o, dict)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, VersionConflict) for o in losers), losers
    [final] = await service.get_orders(["ck-1"])
    assert final == winners[0]
    assert final["version"] == 2
    assert [e["action"] for e in final["history"]] == ["PLACED", "DELIVERY_DATE_CHANGED"]


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    # A file, not the shared in-memory connection: each session gets a connection of its own.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'oms.sqlite3'}")
    yield engine
    await engine.dispose()


async def test_of_concurrent_agents_exactly_one_wins_on_sqlite(sqlite_file):
    await _race(sqlite_file, agents=4)


async def test_of_concurrent_agents_exactly_one_wins_on_postgresql(postgres_engine):
    await _race(postgres_engine, agents=8)


# Purchases across channels.


async def test_purchases_are_net_of_returns_across_channels_and_skip_cancelled_orders(
    service, sessions
):
    week = T0 + timedelta(days=1)
    returned = order("returned", placed_at=week + timedelta(hours=1), lines=2)
    returned.lines[0].returned_quantity = 2
    returned.lines[1].returned_quantity = 1
    await insert(
        sessions,
        order("store", channel="STORE", placed_at=week, lines=1),
        order("web", channel="WEB", placed_at=week + timedelta(days=2), lines=2),
        order("cancelled", channel="WEB", placed_at=week, status="CANCELLED"),
        returned,
        order("before", placed_at=T0, lines=1),
        order("theirs", customer_id="c-2", placed_at=week, lines=1),
    )

    purchases = await service.get_customer_purchases(["c-1", "c-3"], since=week)

    assert purchases == [
        {
            "customer_id": "c-1",
            "order_id": "store",
            "channel": "STORE",
            "placed_at": week.isoformat(),
            "variant_id": "v-1",
            "quantity": 2,
        },
        {
            "customer_id": "c-1",
            "order_id": "returned",
            "channel": "web",
            "placed_at": (week + timedelta(hours=1)).isoformat(),
            "variant_id": "v-2",
            "quantity": 1,
        },
        *(
            {
                "customer_id": "c-1",
                "order_id": "web",
                "channel": "WEB",
                "placed_at": (week + timedelta(days=2)).isoformat(),
                "variant_id": f"v-{n}",
                "quantity": 2,
            }
            for n in (1, 2)
        ),
    ]
    until = await service.get_customer_purchases(
        ["c-1"], since=week, until=week + timedelta(days=1)
    )
    assert [p["order_id"] for p in until] == ["store", "returned"]


async def test_purchases_need_aware_moments(service):
    with pytest.raises(InvalidRequest, match="UTC offset"):
        await service.get_customer_purchases(["c-1"], since=NOW.replace(tzinfo=None))
