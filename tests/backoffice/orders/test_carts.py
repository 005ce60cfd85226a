from __future__ import annotations

import itertools

import pytest

from backoffice.errors import CartNotOpen, CartOwned, InvalidRequest, NotFound, VersionConflict
from backoffice.orders.service import OrdersService
from kernel.clock import FixedClock
from tests.backoffice.orders.rows import CLOCK, NOW

pytestmark = pytest.mark.anyio


def ids() -> itertools.count[int]:
    return itertools.count(1)


@pytest.fixture
def service(sessions) -> OrdersService:
    counter = ids()
    return OrdersService(sessions, clock=CLOCK, new_id=lambda: f"id{next(counter)}")


def lines(cart: dict) -> list[tuple[str, int]]:
    return [(line["variant_id"], line["quantity"]) for line in cart["lines"]]


async def test_a_new_cart_is_open_at_version_one_with_lines_of_one_variant_merged(service):
    cart = await service.create_cart(
        channel="WEB",
        lines=[
            {"variant_id": "v-1", "quantity": 1},
            {"variant_id": "v-2", "quantity": 2},
            {"variant_id": "v-1", "quantity": 3},
        ],
    )

    assert cart == {
        "id": "id1",
        "channel": "WEB",
        "customer_id": None,
        "location_id": None,
        "status": "OPEN",
        "merged_into": None,
        "order_id": None,
        "version": 1,
        "created_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
        "lines": [
            {"id": "id2", "variant_id": "v-1", "quantity": 4},
            {"id": "id3", "variant_id": "v-2", "quantity": 2},
        ],
    }
    assert await service.get_carts(["id1", "nope"]) == [cart]


async def test_cart_ids_are_unguessable_by_default(sessions):
    service = OrdersService(sessions, clock=CLOCK)

    first = await service.create_cart(channel="APP")
    second = await service.create_cart(channel="APP")

    assert len(first["id"]) == 32
    assert int(first["id"], 16) >= 0
    assert first["id"] != second["id"]


async def test_add_merges_into_the_variant_line_set_replaces_and_remove_drops_a_line(service):
    cart = await service.create_cart(
        channel="WEB",
        lines=[{"variant_id": "v-1", "quantity": 1}, {"variant_id": "v-2", "quantity": 1}],
    )
    v2_line = cart["lines"][1]["id"]

    changed = await service.change_cart_lines(
        cart["id"],
        add=[{"variant_id": "v-1", "quantity": 2}, {"variant_id": "v-3", "quantity": 1}],
        set=[{"variant_id": "v-3", "quantity": 5}],
        remove=[v2_line],
    )

    assert lines(changed) == [("v-1", 3), ("v-3", 5)]
    assert changed["version"] == 2, "one call is one change"
    assert await service.get_carts([cart["id"]]) == [changed]


async def test_setting_zero_removes_and_a_change_that_changes_nothing_keeps_the_version(service):
    cart = await service.create_cart(channel="WEB", lines=[{"variant_id": "v-1", "quantity": 2}])

    same = await service.change_cart_lines(
        cart["id"], set=[{"variant_id": "v-1", "quantity": 2}], remove=["no-such-line"]
    )
    emptied = await service.change_cart_lines(
        cart["id"], set=[{"variant_id": "v-1", "quantity": 0}]
    )

    assert same["version"] == 1
    assert emptied["lines"] == []
    assert emptied["version"] == 2


async def test_a_stale_expected_version_changes_nothing(service):
    cart = await service.create_cart(channel="WEB", lines=[{"variant_id": "v-1", "quantity": 1}])
    await service.change_cart_lines(
        cart["id"], add=[{"variant_id": "v-2", "quantity": 1}], expected_version=1
    )

    with pytest.raises(VersionConflict, match="at version 2, not 1") as raised:
        await service.change_cart_lines(
            cart["id"], add=[{"variant_id": "v-9", "quantity": 1}], expected_version=1
        )

    assert raised.value.code == "VERSION_CONFLICT"
    [now] = await service.get_carts([cart["id"]])
    assert lines(now) == [("v-1", 1), ("v-2", 1)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"add": [{"variant_id": "v-1", "quantity": 0}]}, "at least 1"),
        ({"add": [{"variant_id": "v-1", "quantity": -2}]}, "at least 1"),
        ({"add": [{"variant_id": "v-1", "quantity": 1.5}]}, "whole number"),
        ({"add": [{"variant_id": "v-1", "quantity": True}]}, "whole number"),
        ({"set": [{"variant_id": "v-1", "quantity": -1}]}, "at least 0"),
        ({"add": [{"variant_id": "v-1", "quantity": 9999}]}, "at most 9999"),
        ({"add": [{"variant_id": "v-1"}]}, "lacks the fields: quantity"),
        ({"add": [{"variant_id": "v-1", "quantity": 1, "price": "1"}]}, "unknown fields"),
        ({"expected_version": 0}, "at least 1"),
    ],
)
async def test_quantities_out_of_range_are_invalid_requests(service, change, message):
    cart = await service.create_cart(channel="WEB", lines=[{"variant_id": "v-1", "quantity": 1}])

    with pytest.raises(InvalidRequest, match=message):
        await service.change_cart_lines(cart["id"], **change)


async def test_an_unknown_cart_is_not_found_and_an_unknown_channel_invalid(service):
    with pytest.raises(NotFound):
        await service.change_cart_lines("nope", add=[{"variant_id": "v-1", "quantity": 1}])
    with pytest.raises(NotFound):
        await service.attach_customer("nope", "c-1")
    with pytest.raises(InvalidRequest, match="channel"):
        await service.create_cart(channel="web")


async def test_attaching_a_customer_without_an_open_cart_gives_them_this_cart(service):
    cart = await service.create_cart(channel="APP", lines=[{"variant_id": "v-1", "quantity": 1}])

    attached = await service.attach_customer(cart["id"], "c-1")
    again = await service.attach_customer(cart["id"], "c-1")

    assert attached["id"] == cart["id"]
    assert attached["customer_id"] == "c-1"
    assert attached["version"] == 2
    assert again == attached, "attaching again changes nothing"
    assert await service.get_open_carts(["c-1", "c-2"]) == [attached]


async def test_attaching_merges_the_cart_into_the_customers_open_cart(service):
    own = await service.create_cart(
        channel="WEB",
        customer_id="c-1",
        lines=[{"variant_id": "v-1", "quantity": 1}, {"variant_id": "v-2", "quantity": 1}],
    )
    phone = await service.create_cart(
        channel="APP",
        lines=[{"variant_id": "v-2", "quantity": 2}, {"variant_id": "v-3", "quantity": 1}],
    )

    merged = await service.attach_customer(phone["id"], "c-1")
    again = await service.attach_customer(phone["id"], "c-1")

    assert merged["id"] == own["id"]
    assert lines(merged) == [("v-1", 1), ("v-2", 3), ("v-3", 1)]
    assert merged["version"] == 2
    assert again == merged, "attaching again answers the same cart, unchanged"
    [gone] = await service.get_carts([phone["id"]])
    assert (gone["status"], gone["merged_into"], gone["customer_id"]) == (
        "MERGED",
        own["id"],
        "c-1",
    )
    assert await service.get_open_carts(["c-1"]) == [merged]
    with pytest.raises(CartNotOpen, match="merged into"):
        await service.change_cart_lines(phone["id"], add=[{"variant_id": "v-1", "quantity": 1}])


async def test_a_cart_of_another_customer_cannot_be_attached(service):
    cart = await service.create_cart(channel="WEB", customer_id="c-1")

    with pytest.raises(CartOwned) as raised:
        await service.attach_customer(cart["id"], "c-2")

    assert raised.value.code == "CART_OWNED"
    [unchanged] = await service.get_carts([cart["id"]])
    assert unchanged == cart


async def test_the_open_cart_of_a_customer_is_the_one_changed_last(sessions):
    counter = ids()
    early = OrdersService(sessions, clock=CLOCK, new_id=lambda: f"id{next(counter)}")
    later = OrdersService(
        sessions,
        clock=FixedClock(NOW.replace(hour=12)),
        new_id=lambda: f"id{next(counter)}",
    )
    first = await early.create_cart(channel="WEB", customer_id="c-1")
    second = await early.create_cart(channel="WEB", customer_id="c-1")
    touched = await later.change_cart_lines(first["id"], add=[{"variant_id": "v-1", "quantity": 1}])

    assert second["id"] != first["id"]
    assert await early.get_open_carts(["c-1"]) == [touched]
