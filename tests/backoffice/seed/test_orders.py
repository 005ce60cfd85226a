"""The seeded orders and returns: they add up, reference real variants and live believable lives."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from math import floor
from typing import Any

import pytest

from backoffice.db import Base, Money
from kernel.money import round_money
from tests.backoffice.seed.dumps import NOW, rows

pytestmark = pytest.mark.anyio


# orders


async def test_every_order_adds_up(small):
    data = small[1]
    lines_of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in rows(data, "oms_order_line"):
        lines_of[line["order_id"]].append(line)
    discounts_of: defaultdict[str, Decimal] = defaultdict(Decimal)
    for discount in rows(data, "oms_line_discount"):
        discounts_of[discount["line_id"]] += discount["amount"]
    paid: defaultdict[str, Decimal] = defaultdict(Decimal)
    for payment in rows(data, "oms_payment"):
        paid[payment["order_id"]] += payment["amount"]

    for order in rows(data, "oms_order"):
        lines = lines_of[order["id"]]
        assert 1 <= len(lines) <= 5
        for line in lines:
            gross = line["unit_list_amount"] * line["quantity"]
            assert line["total"] == gross - discounts_of[line["id"]]
            assert line["tax"] == round_money(line["total"] * 21 / 121)
        assert order["subtotal"] == sum(ln["unit_list_amount"] * ln["quantity"] for ln in lines)
        assert order["discount_total"] == sum(discounts_of[ln["id"]] for ln in lines)
        assert order["total"] == sum(ln["total"] for ln in lines) + order["shipping"]
        assert order["total"] == order["subtotal"] - order["discount_total"] + order["shipping"]
        assert paid[order["id"]] == order["total"]
        goods = order["total"] - order["shipping"]
        assert order["shipping"] in (Decimal("0.00"), Decimal("4.95"))
        assert order["shipping"] == 0 or (order["channel"] != "STORE" and goods < 50)


async def test_lines_reference_real_variants_at_their_list_prices(small):
    data = small[1]
    variants = {v["id"]: v["sku"] for v in rows(data, "pim_variant")}
    prices = {(p["variant_id"], p["channel"]): p["amount"] for p in rows(data, "price_list_price")}
    orders = {o["id"]: o for o in rows(data, "oms_order")}

    for line in rows(data, "oms_order_line"):
        assert variants[line["variant_id"]] == line["sku"]
        channel = orders[line["order_id"]]["channel"]
        expected = prices.get((line["variant_id"], channel), prices[line["variant_id"], "DEFAULT"])
        assert line["unit_list_amount"] == expected


async def test_orders_have_a_believable_life(small):
    data = small[1]
    orders = rows(data, "oms_order")
    history: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in rows(data, "oms_history"):
        history[event["order_id"]].append(event)

    assert {o["channel"] for o in orders} == {"WEB", "APP", "STORE"}
    assert any(o["customer_id"] is None and o["channel"] == "STORE" for o in orders)
    assert all(o["customer_id"] for o in orders if o["channel"] != "STORE")
    for order in orders:
        events = history[order["id"]]
        assert events[0]["action"] == "PLACED"
        assert events[0]["at"] == order["placed_at"]
        assert order["version"] == len(events)
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        assert all(e["at"] <= NOW for e in events)
        assert order["number"][0] == order["channel"][0]
        assert order["number"][2:] == order["id"][1:]
    old = [o for o in orders if o["placed_at"] < NOW - timedelta(days=30)]
    assert all(o["status"] in ("COMPLETED", "RETURNED", "PARTIALLY_RETURNED") for o in old)
    assert {o["status"] for o in orders} >= {"COMPLETED", "IN_FULFILLMENT", "PLACED"}
    assert min(o["placed_at"] for o in orders) > NOW - timedelta(days=560)


async def test_returns_are_refunded_and_recorded_on_lines(small):
    data = small[1]
    orders = {o["id"]: o for o in rows(data, "oms_order")}
    lines = {ln["id"]: ln for ln in rows(data, "oms_order_line")}
    returned: defaultdict[str, int] = defaultdict(int)
    for rline in rows(data, "oms_return_line"):
        returned[rline["order_line_id"]] += rline["quantity"]
    returns = rows(data, "oms_return")

    assert returns
    assert {
        line_id: ln["returned_quantity"] for line_id, ln in lines.items() if ln["returned_quantity"]
    } == returned
    for ret in returns:
        order = orders[ret["order_id"]]
        assert ret["status"] == "REFUNDED"
        assert ret["channel"] in ("STORE", "MAIL")
        assert ret["refund_amount"] == sum(Decimal(p["amount"]) for p in ret["refund_breakdown"])
        assert 0 <= ret["loyalty_points_reversed"] <= floor(ret["refund_amount"])
        order_lines = [ln for ln in lines.values() if ln["order_id"] == order["id"]]
        everything = all(ln["returned_quantity"] == ln["quantity"] for ln in order_lines)
        assert order["status"] == ("RETURNED" if everything else "PARTIALLY_RETURNED")
        assert ret["received_location_id"] == ret["destination_location_id"]
        assert ret["created_at"] <= ret["received_at"] <= NOW
        assert ret["routing"] is None
    received = {
        (event["order_id"], event["at"])
        for event in rows(data, "oms_history")
        if event["action"] == "RETURN_RECEIVED"
    }
    assert {(ret["order_id"], ret["received_at"]) for ret in returns} <= received
    damaged = {
        rline["return_id"]
        for rline in rows(data, "oms_return_line")
        if rline["reason"] == "Beschadigd ontvangen"
    }
    assert {ret["id"] for ret in returns if not ret["resellable"]} == damaged
    assert sum(ret["resellable"] for ret in returns) > len(returns) / 2
    assert not [
        o
        for o in orders.values()
        if "RETURNED" in o["status"] and o["id"] not in {r["order_id"] for r in returns}
    ]


async def test_enumerated_values_are_the_contracts(small):
    data = small[1]
    # The values of the enums in schema.graphql the seeded columns are read into.
    channels = {"WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"}
    order_statuses = {
        "PLACED", "CONFIRMED", "IN_FULFILLMENT", "SHIPPED", "READY_FOR_PICKUP",
        "COMPLETED", "CANCELLED", "PARTIALLY_RETURNED", "RETURNED",
    }  # fmt: skip

    assert {o["status"] for o in rows(data, "oms_order")} <= order_statuses
    assert {o["channel"] for o in rows(data, "oms_order")} <= channels
    assert {e["channel"] for e in rows(data, "oms_history")} <= channels | {None}
    assert {i["channel"] for i in rows(data, "crm_interaction")} <= channels
    assert {f["type"] for f in rows(data, "oms_fulfillment")} <= {
        "SHIP_TO_HOME", "CLICK_AND_COLLECT", "SHIP_FROM_STORE", "CARRY_OUT",
    }  # fmt: skip
    methods = {"CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE"}
    assert {p["method"] for p in rows(data, "oms_payment")} <= methods
    assert {r["refund_method"] for r in rows(data, "oms_return")} <= methods
    assert {r["channel"] for r in rows(data, "oms_return")} <= {"STORE", "MAIL"}
    assert {r["status"] for r in rows(data, "oms_return")} <= {
        "REGISTERED",
        "RECEIVED",
        "REFUNDED",
        "REJECTED",
    }
    assert {c["tier"] for c in rows(data, "crm_customer")} <= {"STANDARD", "SILVER", "GOLD"}
    assert all(set(loc["channels"]) <= channels for loc in rows(data, "inv_location"))
    assert all(set(p["channels"]) <= channels for p in rows(data, "price_promotion"))


async def test_every_amount_is_stored_in_cents(small):
    data = small[1]
    for name, table in Base.metadata.tables.items():
        for column in table.columns:
            if isinstance(column.type, Money):
                values = [
                    row[column.name] for row in rows(data, name) if row[column.name] is not None
                ]
                assert all(v.as_tuple().exponent == -2 for v in values), (name, column.name)
