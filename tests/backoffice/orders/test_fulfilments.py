"""Changes to a placed order: its fulfilments confirmed, their delivery dates moved, one agent at a time."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, sessionmaker
from backoffice.errors import Conflict, InvalidRequest, NotFound, VersionConflict, WrongLocation
from tests.backoffice.orders.order_docs import new_service, order_doc
from tests.backoffice.orders.rows import NOW, insert, order

pytestmark = pytest.mark.anyio


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


async def test_of_concurrent_agents_exactly_one_wins_on_sqlite(sqlite_file):
    await _race(sqlite_file, agents=4)


async def test_of_concurrent_agents_exactly_one_wins_on_postgresql(postgres_engine):
    await _race(postgres_engine, agents=8)
