from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InsufficientStock, InvalidRequest, NotFound, ReservationConflict
from backoffice.inventory.service import InventoryService
from tests.backoffice.inventory.rows import T0
from tests.clocks import ManualClock

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("stock")]

TWO_AT_UTRECHT = [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2}]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0.timestamp())


@pytest.fixture
def inventory(sessions: async_sessionmaker[AsyncSession], clock: ManualClock) -> InventoryService:
    return InventoryService(sessions, clock=clock)


async def quantity(inventory: InventoryService, variant_id: str, location_id: str) -> int | None:
    docs = await inventory.get_stock([variant_id], [location_id])
    return docs[0]["quantity"] if docs else None


async def test_a_reservation_takes_the_units_and_says_what_it_holds(inventory, clock):
    reservation = await inventory.reserve(
        "chk-1",
        [
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2},
            {"variant_id": "V-1", "location_id": "LOC-DC", "quantity": 5},
        ],
        reference="checkout-1",
    )

    assert reservation == {
        "id": "chk-1",
        "status": "RESERVED",
        "reference": "checkout-1",
        "order_id": None,
        "created_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "lines": [
            {"variant_id": "V-1", "location_id": "LOC-DC", "quantity": 5},
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2},
        ],
    }
    assert await quantity(inventory, "V-1", "LOC-UTR") == 1
    assert await quantity(inventory, "V-1", "LOC-DC") == 115
    (level,) = await inventory.get_stock(["V-1"], ["LOC-UTR"])
    assert level["updated_at"] == T0.isoformat()
    assert await inventory.get_reservations(["chk-1", "nope"]) == [reservation]


async def test_lines_of_one_variant_and_location_count_together(inventory):
    reservation = await inventory.reserve(
        "chk-1",
        [
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2},
        ],
    )

    assert reservation["lines"] == [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 3}]
    assert await quantity(inventory, "V-1", "LOC-UTR") == 0


async def test_one_short_line_reserves_nothing_and_every_short_line_is_listed(inventory):
    with pytest.raises(InsufficientStock) as raised:
        await inventory.reserve(
            "chk-1",
            [
                {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 4},
                {"variant_id": "V-1", "location_id": "LOC-DC", "quantity": 100},
                {"variant_id": "V-2", "location_id": "LOC-DC", "quantity": 1},
                {"variant_id": "V-9", "location_id": "LOC-AMS", "quantity": 1},
            ],
        )

    assert raised.value.code == "INSUFFICIENT_STOCK"
    assert raised.value.shortages == [
        {"variant_id": "V-1", "location_id": "LOC-UTR", "requested": 4, "available": 3},
        {"variant_id": "V-2", "location_id": "LOC-DC", "requested": 1, "available": 0},
        {"variant_id": "V-9", "location_id": "LOC-AMS", "requested": 1, "available": 0},
    ]
    assert await quantity(inventory, "V-1", "LOC-DC") == 120  # the line that fitted is back
    assert await quantity(inventory, "V-1", "LOC-UTR") == 3
    assert await inventory.get_reservations(["chk-1"]) == []  # and the id is free again


async def test_reserving_the_same_id_and_lines_again_answers_the_first_reservation(
    inventory, clock
):
    first = await inventory.reserve("chk-1", TWO_AT_UTRECHT, reference="checkout-1")
    clock.seconds += 60
    again = await inventory.reserve(
        "chk-1",
        [
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
            {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1},
        ],
        reference="checkout-1",
    )

    assert again == first
    assert await quantity(inventory, "V-1", "LOC-UTR") == 1


async def test_reserving_an_id_again_with_other_lines_is_a_conflict(inventory):
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)

    with pytest.raises(ReservationConflict, match="exists with other lines") as raised:
        await inventory.reserve(
            "chk-1", [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 3}]
        )

    assert raised.value.code == "RESERVATION_CONFLICT"
    assert await quantity(inventory, "V-1", "LOC-UTR") == 1


async def test_a_release_puts_the_units_back_once(inventory, clock):
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)
    clock.seconds += 30

    released = await inventory.release("chk-1")
    clock.seconds += 30
    again = await inventory.release("chk-1")

    assert again == released
    assert (released["status"], released["updated_at"]) == (
        "RELEASED",
        (T0 + timedelta(seconds=30)).isoformat(),
    )
    assert released["lines"] == TWO_AT_UTRECHT
    assert await quantity(inventory, "V-1", "LOC-UTR") == 3


async def test_a_released_reservation_is_never_reserved_again(inventory):
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)
    await inventory.release("chk-1")

    with pytest.raises(ReservationConflict, match="was released"):
        await inventory.reserve("chk-1", TWO_AT_UTRECHT)

    assert await quantity(inventory, "V-1", "LOC-UTR") == 3


async def test_releasing_an_unknown_id_leaves_a_tombstone_that_refuses_a_late_reserve(inventory):
    # given a gateway that crashed mid-checkout and compensates an id it may never have sent
    tombstone = await inventory.release("chk-lost")

    # when the reserve it sent before the crash arrives after all
    with pytest.raises(ReservationConflict):
        await inventory.reserve("chk-lost", TWO_AT_UTRECHT)

    # then it took nothing
    assert tombstone == {
        "id": "chk-lost",
        "status": "RELEASED",
        "reference": None,
        "order_id": None,
        "created_at": T0.isoformat(),
        "updated_at": T0.isoformat(),
        "lines": [],
    }
    assert await inventory.get_reservations(["chk-lost"]) == [tombstone]
    assert await quantity(inventory, "V-1", "LOC-UTR") == 3


async def test_a_commit_hands_the_units_to_the_order_for_good(inventory, clock):
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)
    clock.seconds += 5

    committed = await inventory.commit("chk-1", order_id="o-1")
    again = await inventory.commit("chk-1", order_id="o-1")

    assert again == committed
    assert (committed["status"], committed["order_id"], committed["updated_at"]) == (
        "COMMITTED",
        "o-1",
        (T0 + timedelta(seconds=5)).isoformat(),
    )
    with pytest.raises(ReservationConflict, match="committed to order 'o-1'"):
        await inventory.release("chk-1")
    with pytest.raises(ReservationConflict, match="not 'o-2'"):
        await inventory.commit("chk-1", order_id="o-2")
    assert await inventory.reserve("chk-1", TWO_AT_UTRECHT) == committed
    assert await quantity(inventory, "V-1", "LOC-UTR") == 1


async def test_a_released_reservation_cannot_be_committed_nor_an_unknown_one(inventory):
    await inventory.reserve("chk-1", TWO_AT_UTRECHT)
    await inventory.release("chk-1")

    with pytest.raises(ReservationConflict, match="was released"):
        await inventory.commit("chk-1", order_id="o-1")
    with pytest.raises(NotFound):
        await inventory.commit("chk-nope", order_id="o-1")
    assert await inventory.get_reservations(["chk-nope"]) == []


@pytest.mark.parametrize(
    ("reservation_id", "lines", "message"),
    [
        ("chk-1", [], "at least one line"),
        ("", TWO_AT_UTRECHT, "'id' must be a string"),
        ("x" * 65, TWO_AT_UTRECHT, "'id' must be a string"),
        ("chk/1", TWO_AT_UTRECHT, "may not contain '/'"),
        ("chk-1", [{"variant_id": "V-1", "location_id": "LOC-UTR"}], "line 0 must be"),
        (
            "chk-1",
            [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 0}],
            "at least 1",
        ),
        (
            "chk-1",
            [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": True}],
            "at least 1",
        ),
        ("chk-1", [{"variant_id": 1, "location_id": "LOC-UTR", "quantity": 1}], "variant_id"),
    ],
)
async def test_a_malformed_reservation_is_refused(inventory, reservation_id, lines, message):
    with pytest.raises(InvalidRequest, match=message):
        await inventory.reserve(reservation_id, lines)

    assert await quantity(inventory, "V-1", "LOC-UTR") == 3
