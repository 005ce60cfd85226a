from __future__ import annotations

import pytest

from connectors.inventory.http import HttpInventoryConnector

pytestmark = pytest.mark.anyio

STORES = [f"s{n:02d}" for n in range(1, 15)]
VARIANTS = [f"v{n:06d}" for n in range(1, 61)]


async def test_stock_of_variants_at_locations_is_one_request(backoffice):
    async with backoffice.client("inventory") as client:
        stock = await HttpInventoryConnector(client).get_stock(VARIANTS, [*STORES, "dc1"])

    assert list(stock) == VARIANTS
    assert {level.location_id for level in stock["v000001"]} == {*STORES, "dc1"}
    assert backoffice.requests() == {"GET /inventory/v1/stock": 1}


async def test_stock_split_over_chunks_sends_the_locations_with_each(backoffice):
    async with backoffice.client("inventory") as client:
        stock = await HttpInventoryConnector(client, max_batch=25).get_stock(
            VARIANTS, ["s01", "dc1"]
        )

    assert [level.location_id for level in stock["v000060"]] == ["dc1", "s01"]
    assert backoffice.requests() == {"GET /inventory/v1/stock": 3}


async def test_no_variants_or_no_locations_make_no_request(backoffice):
    async with backoffice.client("inventory") as client:
        inventory = HttpInventoryConnector(client)
        assert await inventory.get_stock(["v000001"], []) == {"v000001": ()}
        assert await inventory.get_stock([], ["s01"]) == {}

    assert backoffice.requests() == {}


async def test_locations_by_id_and_by_type_are_one_request_each(backoffice):
    async with backoffice.client("inventory") as client:
        inventory = HttpInventoryConnector(client)
        by_id = await inventory.get_locations([*STORES, "dc1", "pw1"])
        partners = await inventory.list_locations(["PARTNER"])

    assert len(by_id) == 16
    assert [location.code for location in partners] == ["PW01"]
    assert backoffice.requests() == {"GET /inventory/v1/locations": 2}


async def test_an_inventory_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    async with backoffice.client("inventory") as client:
        reference = HttpInventoryConnector(client)
        locations = await reference.list_locations(None)
        stock = await reference.get_stock(VARIANTS, ["s01"])

    renames = {"quantity": "on_hand", "type": "kind"}
    async with backoffice.renaming("inventory", renames) as client:
        theirs = HttpInventoryConnector(client, mapping={"on_hand": "quantity", "kind": "type"})
        assert await theirs.list_locations(None) == locations
        assert await theirs.get_stock(VARIANTS, ["s01"]) == stock
