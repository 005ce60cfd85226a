"""Restocks through the inventory connector, embedded and over real HTTP: one behaviour suite."""

from __future__ import annotations

import pytest

from connectors.errors import ReservationConflict, SourceRejected, UnknownKeys
from connectors.inventory.records import ReservationLine
from tests.connectors.inventory.test_reservations import at_utrecht, mode

__all__ = ["mode"]

pytestmark = pytest.mark.anyio

ONE_BACK_AT_UTRECHT = (ReservationLine("V-1", "LOC-UTR", 1),)


async def test_a_restock_adds_its_units_once_per_reference(mode):
    inventory = mode.inventory

    await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)
    await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)
    await inventory.restock("return:rt-2", [*ONE_BACK_AT_UTRECHT, *ONE_BACK_AT_UTRECHT])

    assert await at_utrecht(inventory) == 3 + 1 + 2


async def test_a_location_without_the_variant_gets_it(mode):
    await mode.inventory.restock("return:rt-1", [ReservationLine("V-2", "LOC-AMS", 1)])

    levels = await mode.inventory.get_stock(["V-2"], ["LOC-AMS", "LOC-DC"])
    assert [(level.location_id, level.quantity) for level in levels["V-2"]] == [
        ("LOC-AMS", 1),
        ("LOC-DC", 0),
    ]


async def test_restock_refusals_are_the_connectors_errors(mode):
    inventory = mode.inventory
    await inventory.restock("return:rt-1", ONE_BACK_AT_UTRECHT)

    with pytest.raises(ReservationConflict, match="other lines"):
        await inventory.restock("return:rt-1", [ReservationLine("V-1", "LOC-UTR", 2)])
    with pytest.raises(UnknownKeys) as unknown:
        await inventory.restock("return:rt-3", [ReservationLine("V-1", "LOC-NOPE", 1)])
    with pytest.raises(SourceRejected, match="at least 1"):
        await inventory.restock("return:rt-4", [ReservationLine("V-1", "LOC-UTR", 0)])

    assert unknown.value.keys == ("LOC-NOPE",)
    assert await at_utrecht(inventory) == 4
