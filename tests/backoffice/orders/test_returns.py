"""Returns in the OMS: registered at the order's version, never beyond what was bought, received once."""

from __future__ import annotations

from typing import Any

import pytest

from backoffice.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    NotReturnable,
    ReturnNotOpen,
    VersionConflict,
)
from backoffice.orders.service import OrdersService
from tests.backoffice.orders.return_docs import RECEIPT, ROUTING, return_doc, returned, the_order
from tests.backoffice.orders.rows import CLOCK, NOW, insert, order, return_

pytestmark = pytest.mark.anyio


@pytest.fixture
async def service(sessions) -> OrdersService:
    # o-1: two lines of 2 units each, version 1, delivered.
    await insert(sessions, order("o-1", lines=2))
    return OrdersService(sessions, clock=CLOCK)


# Registering.


async def test_a_registered_return_keeps_lines_refund_and_routing_and_moves_the_order(service):
    registered = await service.register_return(return_doc())

    assert registered == {
        "id": "rt-1",
        "order_id": "o-1",
        "channel": "MAIL",
        "status": "REGISTERED",
        "destination_location_id": "s04",
        "created_at": NOW.isoformat(),
        "lines": [{"order_line_id": "o-1-1", "quantity": 1, "reason": "too small"}],
        "refund": {
            "amount": "15.04",
            "currency": "EUR",
            "method": "CARD",
            "breakdown": [
                {"kind": "goods", "amount": "17.99"},
                {"kind": "return_costs", "amount": "-2.95"},
            ],
            "loyalty_points_reversed": 15,
        },
        "routing": ROUTING,
        "received_location_id": None,
        "received_at": None,
        "resellable": None,
    }
    assert await service.get_returns(["rt-1"]) == [registered]
    assert await service.get_order_returns(["o-1"]) == [registered]
    order = await the_order(service)
    assert (order["status"], order["version"], returned(order)) == (
        "PARTIALLY_RETURNED",
        2,
        [1, 0],
    )
    assert order["history"][1:] == [
        {
            "at": NOW.isoformat(),
            "actor": "customer:c-1",
            "channel": "WEB",
            "action": "RETURN_REGISTERED",
            "detail": "online return",
        }
    ]


async def test_returning_every_unit_left_makes_the_order_returned(service):
    await service.register_return(return_doc())
    lines = [
        {"order_line_id": "o-1-1", "quantity": 1, "reason": None},
        {"order_line_id": "o-1-2", "quantity": 2, "reason": None},
    ]

    await service.register_return(return_doc("rt-2", lines=lines, expected_order_version=2))

    order = await the_order(service)
    assert (order["status"], order["version"], returned(order)) == ("RETURNED", 3, [2, 2])


async def test_without_history_the_oms_records_that_the_return_was_registered(service):
    await service.register_return(return_doc(history=[]))
    await service.register_return(
        return_doc(
            "rt-2",
            expected_order_version=2,
            destination_location_id=None,
            lines=[{"order_line_id": "o-1-2", "quantity": 1}],
            history=[],
        )
    )

    order = await the_order(service)
    assert [(e["actor"], e["channel"], e["action"], e["detail"]) for e in order["history"]] == [
        ("c-1", "web", "placed", None),
        ("oms", None, "RETURN_REGISTERED", "return rt-1 to s04"),
        ("oms", None, "RETURN_REGISTERED", "return rt-2"),
    ]


async def test_registering_the_same_id_again_answers_the_first_return_unchanged(service):
    first = await service.register_return(return_doc())

    # Sent again after a lost answer: the order has moved to version 2 since.
    again = await service.register_return(return_doc())
    reworded = await service.register_return(
        return_doc(
            lines=[{"order_line_id": "o-1-1", "quantity": 1, "reason": "another reason"}],
            history=[],
        )
    )

    assert again == reworded == first
    order = await the_order(service)
    assert (order["version"], returned(order), len(order["history"])) == (2, [1, 0], 2)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"lines": [{"order_line_id": "o-1-1", "quantity": 2}]}, id="other-quantity"),
        pytest.param({"lines": [{"order_line_id": "o-1-2", "quantity": 1}]}, id="other-line"),
        pytest.param({"order_id": "o-2"}, id="other-order"),
    ],
)
async def test_the_same_id_for_other_lines_or_another_order_is_a_conflict(
    service, sessions, changes
):
    await insert(sessions, order("o-2"))
    await service.register_return(return_doc())

    with pytest.raises(Conflict, match="other lines") as refused:
        await service.register_return(return_doc(**changes))

    assert type(refused.value) is Conflict
    assert refused.value.code == "CONFLICT"
    assert returned(await the_order(service)) == [1, 0]
    assert returned(await the_order(service, "o-2")) == [0]


async def test_a_stale_order_version_registers_nothing(service):
    await service.register_return(return_doc())

    with pytest.raises(VersionConflict, match="at version 2, not 1"):
        await service.register_return(return_doc("rt-2"))

    assert await service.get_returns(["rt-2"]) == []
    order = await the_order(service)
    assert (order["version"], returned(order)) == (2, [1, 0])


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (2, "'o-1-1': 2 to return, but only 1 of its 2 are left to return"),
        (0, "'o-1-1': 0 to return; a return takes at least 1 unit"),
        (-1, "'o-1-1': -1 to return"),
    ],
)
async def test_a_line_cannot_return_more_than_was_bought_less_earlier_returns(
    service, quantity, message
):
    await service.register_return(return_doc())
    lines = [
        {"order_line_id": "o-1-2", "quantity": 1},
        {"order_line_id": "o-1-1", "quantity": quantity},
    ]

    with pytest.raises(NotReturnable, match=message) as refused:
        await service.register_return(return_doc("rt-2", expected_order_version=2, lines=lines))

    assert refused.value.code == "NOT_RETURNABLE"
    order = await the_order(service)
    assert (order["version"], returned(order)) == (2, [1, 0])


async def test_a_cancelled_order_is_not_returnable(service, sessions):
    await insert(sessions, order("o-2", status="CANCELLED"))

    with pytest.raises(NotReturnable, match="cancelled"):
        await service.register_return(
            return_doc(order_id="o-2", lines=[{"order_line_id": "o-2-1", "quantity": 1}])
        )


async def test_an_unknown_order_or_line_is_not_found(service):
    with pytest.raises(NotFound, match="no order 'o-9'"):
        await service.register_return(return_doc(order_id="o-9"))
    with pytest.raises(NotFound, match="has no line 'o-9-1'"):
        await service.register_return(return_doc(lines=[{"order_line_id": "o-9-1", "quantity": 1}]))

    assert (await the_order(service))["version"] == 1


def _refund(**changes: Any) -> dict[str, Any]:
    return {**return_doc()["refund"], **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": "POST"}, "'channel' must be one of MAIL, STORE"),
        ({"lines": []}, "at least one line"),
        (
            {"lines": [{"order_line_id": "o-1-1", "quantity": 1}] * 2},
            "two lines of the return name the same order line",
        ),
        ({"lines": [{"order_line_id": "o-1-1", "quantity": "1"}]}, "must be a whole number"),
        ({"id": "rt/1"}, "may not contain '/'"),
        ({"expected_order_version": 0}, "'expected_order_version' must be at least 1"),
        ({"refund": _refund(amount="15.00")}, "its breakdown adds up to 15.04"),
        ({"refund": _refund(currency="SEK")}, "the refund is in SEK, the order 'o-1' in EUR"),
        ({"refund": _refund(method="BITCOIN")}, "'refund.method' must be one of"),
        ({"refund": _refund(amount="-1.00")}, "at least 0"),
        ({"refund": _refund(loyalty_points_reversed=-1)}, "at least 0"),
        ({"routing": ["s04"]}, "'routing' must be a JSON object or null"),
        ({"history": [{"actor": "x"}]}, "lacks the fields: action"),
        ({"status": "REFUNDED"}, "unknown fields: status"),
    ],
)
async def test_a_malformed_return_is_an_invalid_request(service, changes, message):
    with pytest.raises(InvalidRequest, match=message):
        await service.register_return(return_doc(**changes))

    assert (await the_order(service))["version"] == 1


# Receiving.


async def test_receiving_a_return_refunds_it_and_records_where_when_and_in_what_condition(
    service,
):
    await service.register_return(return_doc())

    received = await service.receive_return("rt-1", **RECEIPT)

    assert received | {"status": "REGISTERED"} == {
        **(await service.register_return(return_doc())),
        "status": "REGISTERED",
        "received_location_id": "s04",
        "received_at": NOW.isoformat(),
        "resellable": True,
    }
    assert received["status"] == "REFUNDED"
    order = await the_order(service)
    assert order["version"] == 3
    assert order["history"][2:] == [
        {
            "at": NOW.isoformat(),
            "actor": "store:s04",
            "channel": "STORE",
            "action": "RETURN_RECEIVED",
            "detail": "return rt-1 at s04: resellable",
        },
        {
            "at": NOW.isoformat(),
            "actor": "oms",
            "channel": None,
            "action": "REFUNDED",
            "detail": "15.04 EUR to CARD",
        },
    ]


async def test_a_return_may_arrive_elsewhere_than_its_destination_and_unsellable(service):
    await service.register_return(return_doc())

    received = await service.receive_return(
        "rt-1", location_id="s09", resellable=False, actor="store:s09"
    )

    assert (received["received_location_id"], received["resellable"]) == ("s09", False)
    history = (await the_order(service))["history"]
    assert (history[2]["channel"], history[2]["detail"]) == (
        None,
        "return rt-1 at s09: not resellable",
    )


async def test_the_same_receipt_again_answers_unchanged_and_another_one_is_refused(service):
    await service.register_return(return_doc())
    received = await service.receive_return("rt-1", **RECEIPT)

    again = await service.receive_return("rt-1", **{**RECEIPT, "actor": "store:s04:till-2"})
    with pytest.raises(ReturnNotOpen, match="was received at s04") as elsewhere:
        await service.receive_return("rt-1", **{**RECEIPT, "location_id": "s09"})
    with pytest.raises(ReturnNotOpen):
        await service.receive_return("rt-1", **{**RECEIPT, "resellable": False})

    assert again == received
    assert elsewhere.value.code == "RETURN_NOT_OPEN"
    order = await the_order(service)
    assert (order["version"], len(order["history"])) == (3, 4)


async def test_a_rejected_return_takes_no_receipt(service, sessions):
    await insert(sessions, return_("r-x", "o-1", status="REJECTED"))

    with pytest.raises(ReturnNotOpen, match="REJECTED"):
        await service.receive_return("r-x", **RECEIPT)

    [doc] = await service.get_returns(["r-x"])
    assert (doc["status"], doc["received_at"]) == ("REJECTED", None)


async def test_receiving_an_unknown_return_is_not_found(service):
    with pytest.raises(NotFound, match="no return 'nope'"):
        await service.receive_return("nope", **RECEIPT)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"resellable": "yes"}, "'resellable' must be true or false"),
        ({"location_id": ""}, "'location_id' must be a non-empty string"),
        ({"channel": "MAIL"}, "'channel' must be one of"),
    ],
)
async def test_a_malformed_receipt_is_an_invalid_request(service, changes, message):
    await service.register_return(return_doc())

    with pytest.raises(InvalidRequest, match=message):
        await service.receive_return("rt-1", **{**RECEIPT, **changes})
