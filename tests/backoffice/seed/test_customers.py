"""The seeded customers and loyalty ledger, and the demo and returning customers' stories."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID, PAINT_VARIANT_ID, RETURNING_CUSTOMER_ID
from kernel.gtin import is_valid_gtin
from tests.backoffice.seed.dumps import rows

pytestmark = pytest.mark.anyio


# customers and loyalty


async def test_loyalty_points_equal_the_ledger_and_never_go_negative(small):
    data = small[1]
    entries: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in rows(data, "loy_points_entry"):
        entries[entry["card_number"]].append(entry)
    cards = {
        i["value"]: i["customer_id"]
        for i in rows(data, "crm_identifier")
        if i["type"] == "LOYALTY_CARD"
    }

    accounts = rows(data, "loy_account")
    assert {a["card_number"]: a["customer_id"] for a in accounts} == cards
    for account in accounts:
        assert is_valid_gtin(account["card_number"])
        assert len(account["card_number"]) == 13
        assert account["points"] == sum(e["points"] for e in entries[account["card_number"]])
        balance = 0
        for entry in sorted(entries[account["card_number"]], key=lambda e: e["at"]):
            balance += entry["points"]
            assert balance >= 0


async def test_customers_look_dutch_and_have_linked_identifiers(small):
    data = small[1]
    customers = rows(data, "crm_customer")
    identifiers = rows(data, "crm_identifier")

    assert {c["tier"] for c in customers} <= {"STANDARD", "SILVER", "GOLD"}
    assert all(c["phone"] is None or c["phone"].startswith("+316") for c in customers)
    assert all(c["customer_number"] == f"C1{c['id'][2:]}" for c in customers)
    assert {i["type"] for i in identifiers} == {
        "EMAIL",
        "LOYALTY_CARD",
        "PHONE",
        "SOCIAL",
        "EXTERNAL",
    }
    emails = [i["value"] for i in identifiers if i["type"] == "EMAIL"]
    assert len(set(emails)) == len(emails)
    assert {v["redeemed_at"] is None for v in rows(data, "crm_voucher")} == {True, False}


async def test_redeemed_vouchers_appear_as_order_discounts(small):
    data = small[1]
    used = {d["promotion_id"] for d in rows(data, "oms_line_discount")}

    for voucher in rows(data, "crm_voucher"):
        assert (voucher["id"] in used) == (voucher["redeemed_at"] is not None)


async def test_the_demo_customer_has_everything_the_journeys_need(small):
    data = small[1]
    customer = next(c for c in rows(data, "crm_customer") if c["id"] == DEMO_CUSTOMER_ID)
    orders = [o for o in rows(data, "oms_order") if o["customer_id"] == DEMO_CUSTOMER_ID]
    account = next(a for a in rows(data, "loy_account") if a["customer_id"] == DEMO_CUSTOMER_ID)
    vouchers = [v for v in rows(data, "crm_voucher") if v["customer_id"] == DEMO_CUSTOMER_ID]
    kinds = {
        i["kind"] for i in rows(data, "crm_interaction") if i["customer_id"] == DEMO_CUSTOMER_ID
    }

    assert customer["tier"] == "GOLD"
    assert {o["channel"] for o in orders} == {"WEB", "APP", "STORE"}
    assert account["points"] > 0
    assert kinds == {"call", "complaint", "store_visit"}
    assert any(
        v["redeemed_at"] is None and v["reason"] == "Compensatie voor late levering"
        for v in vouchers
    )
    paint_lines = [
        ln for ln in rows(data, "oms_order_line")
        if ln["variant_id"] == PAINT_VARIANT_ID and ln["order_id"] in {o["id"] for o in orders}
    ]  # fmt: skip
    store_paint = [o for o in orders if o["id"] == paint_lines[0]["order_id"]]
    assert [(ln["quantity"], ln["total"]) for ln in paint_lines] == [(1, Decimal("39.95"))]
    assert store_paint[0]["channel"] == "STORE"
    assert store_paint[0]["placed_at"] >= datetime(2026, 11, 16, tzinfo=UTC)
    assert any(o["status"] == "IN_FULFILLMENT" for o in orders)
    assert any(
        o["shipping"] > 0 and o["discount_total"] > 0 and o["status"] == "COMPLETED" for o in orders
    )


async def test_the_returning_customer_can_send_back_one_bikini(small):
    data = small[1]
    orders = [o for o in rows(data, "oms_order") if o["customer_id"] == RETURNING_CUSTOMER_ID]
    lines = [ln for ln in rows(data, "oms_order_line") if ln["order_id"] == orders[0]["id"]]

    assert [(o["channel"], o["status"]) for o in orders] == [
        ("WEB", "COMPLETED"),
        ("APP", "PLACED"),
    ]
    assert {ln["sku"] for ln in lines} == {"P100003-CORAL-38", "P100003-CORAL-40"}
