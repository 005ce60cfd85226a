"""Reservations through the inventory connector, embedded and over real HTTP: one behaviour suite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.inventory.service import InventoryService
from connectors.errors import InsufficientStock, ReservationConflict, SourceRejected
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.http import HttpInventoryConnector
from connectors.inventory.protocol import InventoryConnector
from connectors.inventory.records import Reservation, ReservationLine, Shortage
from kernel.clock import FixedClock
from tests.backoffice import live
from tests.backoffice.inventory.rows import T0, add_stock, served_inventory

pytestmark = pytest.mark.anyio

TWO_AT_UTRECHT = (ReservationLine("V-1", "LOC-UTR", 2),)


@dataclass
class Mode:
    """A connector in one mode, and the moment its inventory stands still at."""

    inventory: InventoryConnector
    now: datetime


@pytest.fixture(params=["embedded", "http"])
async def mode(
    request: pytest.FixtureRequest, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> AsyncIterator[Mode]:
    if request.param == "embedded":
        await add_stock(sessions)
        service = InventoryService(sessions, clock=FixedClock(T0))
        yield Mode(EmbeddedInventoryConnector(service), T0)
        return
    async with served_inventory(tmp_path) as server, server.client("inventory") as client:
        yield Mode(HttpInventoryConnector(client), live.CLOCK.now())


async def at_utrecht(inventory: InventoryConnector) -> int:
    (level,) = (await inventory.get_stock(["V-1"], ["LOC-UTR"]))["V-1"]
    return level.quantity


async def test_a_reservation_comes_back_as_a_record_and_takes_the_units(mode):
    inventory = mode.inventory

    reservation = await inventory.reserve(
        "chk-1",
        [ReservationLine("V-1", "LOC-UTR", 2), ReservationLine("V-1", "LOC-DC", 1)],
        reference="checkout-1",
    )

    assert reservation == Reservation(
        id="chk-1",
        status="RESERVED",
        reference="checkout-1",
        order_id=None,
        created_at=mode.now,
        updated_at=mode.now,
        lines=(ReservationLine("V-1", "LOC-DC", 1), ReservationLine("V-1", "LOC-UTR", 2)),
    )
    assert await inventory.get_reservations(["nope", "chk-1"]) == {"chk-1": reservation}
    assert await at_utrecht(inventory) == 1


async def test_a_short_reservation_raises_every_shortage_and_takes_nothing(mode):
    with pytest.raises(InsufficientStock) as raised:
        await mode.inventory.reserve(
            "chk-1",
            [
                ReservationLine("V-1", "LOC-UTR", 4),
                ReservationLine("V-1", "LOC-DC", 1),
                ReservationLine("V-2", "LOC-DC", 1),
            ],
        )

    assert raised.value.source == "inventory"
    assert raised.value.shortages == (
        Shortage("V-1", "LOC-UTR", requested=4, available=3),
        Shortage("V-2", "LOC-DC", requested=1, available=0),
    )
    assert await mode.inventory.get_reservations(["chk-1"]) == {}
    assert await at_utrecht(mode.inventory) == 3


async def test_a_resent_reserve_answers_the_first_and_other_lines_conflict(mode):
    first = await mode.inventory.reserve("chk-1", TWO_AT_UTRECHT)
    again = await mode.inventory.reserve("chk-1", TWO_AT_UTRECHT)

    with pytest.raises(ReservationConflict, match="other lines"):
        await mode.inventory.reserve("chk-1", [ReservationLine("V-1", "LOC-UTR", 1)])

    assert again == first
    assert await at_utrecht(mode.inventory) == 1


async def test_release_and_commit_move_a_reservation_once(mode):
    inventory = mode.inventory
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)
    await inventory.reserve("chk-2", [ReservationLine("V-1", "LOC-DC", 5)])

    released = await inventory.release("chk-1")
    committed = await inventory.commit("chk-2", order_id="o-1")

    assert await inventory.release("chk-1") == released
    assert await inventory.commit("chk-2", order_id="o-1") == committed
    assert (released.status, committed.status, committed.order_id) == (
        "RELEASED",
        "COMMITTED",
        "o-1",
    )
    with pytest.raises(ReservationConflict):
        await inventory.commit("chk-1", order_id="o-2")
    with pytest.raises(ReservationConflict):
        await inventory.release("chk-2")
    with pytest.raises(SourceRejected):
        await inventory.commit("chk-unknown", order_id="o-3")
    stock = await inventory.get_stock(["V-1"], ["LOC-UTR", "LOC-DC"])
    assert [(level.location_id, level.quantity) for level in stock["V-1"]] == [
        ("LOC-DC", 115),
        ("LOC-UTR", 3),
    ]


async def test_a_release_that_overtakes_its_reserve_makes_the_reserve_fail(mode):
    # given a checkout that crashed after sending its reserve, and is compensated on restart
    tombstone = await mode.inventory.release("chk-lost")

    # when the reserve reaches the inventory after all
    with pytest.raises(ReservationConflict, match="released"):
        await mode.inventory.reserve("chk-lost", TWO_AT_UTRECHT)

    # then it took nothing, and the tombstone says why
    assert (tombstone.status, tombstone.lines, tombstone.reference) == ("RELEASED", (), None)
    assert await at_utrecht(mode.inventory) == 3


async def test_an_id_with_a_slash_is_refused_in_both_modes(mode):
    # It could not be one segment of the REST path; the embedded service refuses it too.
    with pytest.raises(SourceRejected):
        await mode.inventory.release("chk/1")

    assert await mode.inventory.get_reservations(["chk/1"]) == {}


async def test_over_http_each_write_is_one_request_to_its_escaped_path(tmp_path):
    async with served_inventory(tmp_path) as server, server.client("inventory") as client:
        inventory = HttpInventoryConnector(client)
        await inventory.reserve("chk 1:ü", TWO_AT_UTRECHT)
        await inventory.commit("chk 1:ü", order_id="o-1")
        found = await inventory.get_reservations(["chk 1:ü"])

        assert found["chk 1:ü"].order_id == "o-1"
        assert server.requests() == {
            "PUT /inventory/v1/reservations/chk 1:ü": 1,
            "POST /inventory/v1/reservations/chk 1:ü/commit": 1,
            "GET /inventory/v1/reservations": 1,
        }
