"""Orders and returns as the OMS stored them: every amount per line, adding up to the cent."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from backoffice.orders.models import Return as ReturnRow
from resolvers.ids import to_global_id

pytestmark = pytest.mark.anyio

ORDER = """
query($id: ID, $number: String) { order(id: $id, number: $number) {
  id number channel status placedAt version
  location { code }
  customer { customerNumber }
  lines { id sku quantity returnableQuantity unitListAmount { amount } discounts { promotionId name amount { amount } } total { amount } variant { sku } }
  subtotal { amount currency } discountTotal { amount } shipping { amount } total { amount }
  payments { method amount { amount } }
  fulfillments { type status deliveryDate location { code } }
  history { at actor action }
  returns { id status channel lines { orderLineId quantity } refund { amount { amount } method breakdown { kind amount { amount } } loyaltyPointsReversed } }
} }
"""


async def test_an_order_adds_up_to_the_cent(api):
    reply = await api.query(ORDER, {"id": to_global_id("Order", "o000001")}, role="service")
    assert reply.errors is None, reply.errors
    order = reply.data["order"]
    lines = order["lines"]
    subtotal = sum(Decimal(line["unitListAmount"]["amount"]) * line["quantity"] for line in lines)
    discounts = sum(Decimal(d["amount"]["amount"]) for line in lines for d in line["discounts"])
    assert Decimal(order["subtotal"]["amount"]) == subtotal
    assert Decimal(order["discountTotal"]["amount"]) == discounts
    assert Decimal(order["total"]["amount"]) == (
        subtotal - discounts + Decimal(order["shipping"]["amount"])
    )
    assert sum(Decimal(p["amount"]["amount"]) for p in order["payments"]) == Decimal(
        order["total"]["amount"]
    )
    for line in lines:
        line_discounts = sum(Decimal(d["amount"]["amount"]) for d in line["discounts"])
        expected = Decimal(line["unitListAmount"]["amount"]) * line["quantity"] - line_discounts
        assert Decimal(line["total"]["amount"]) == expected
        assert line["variant"]["sku"] == line["sku"]
    assert [h["at"] for h in order["history"]] == sorted(h["at"] for h in order["history"])


async def test_an_order_by_number_is_the_same_order(api):
    by_id = await api.query(ORDER, {"id": to_global_id("Order", "o000001")}, role="service")
    number = by_id.data["order"]["number"]
    by_number = await api.query(ORDER, {"number": number}, role="service")
    assert by_number.data == by_id.data


async def test_a_refunded_return_shows_its_refund_and_order(api, engine):
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(ReturnRow.id, ReturnRow.order_id).where(ReturnRow.status == "REFUNDED")
            )
        ).first()
    assert row is not None, "the small seed has refunded returns"
    reply = await api.query(
        """query($id: ID!) { return(id: $id) { id status order { id returns { id } }
             lines { orderLineId quantity } refund { amount { amount } method loyaltyPointsReversed
             breakdown { kind amount { amount } } } } }""",
        {"id": to_global_id("Return", row.id)},
        role="service",
    )
    assert reply.errors is None, reply.errors
    found = reply.data["return"]
    assert found["status"] == "REFUNDED"
    assert found["order"]["id"] == to_global_id("Order", row.order_id)
    assert found["id"] in [r["id"] for r in found["order"]["returns"]]
    refund = found["refund"]
    assert sum(Decimal(c["amount"]["amount"]) for c in refund["breakdown"]) == Decimal(
        refund["amount"]["amount"]
    )


async def test_guest_orders_are_for_staff_only(api, engine):
    from backoffice.orders.models import Order as OrderRow

    async with engine.connect() as conn:
        guest = (
            await conn.execute(select(OrderRow.id).where(OrderRow.customer_id.is_(None)))
        ).scalar()
    if guest is None:
        pytest.skip("no guest order in this seed")
    query = "query($id: ID) { order(id: $id) { number customer { id } } }"
    staff = await api.query(
        query, {"id": to_global_id("Order", guest)}, role="associate", store_id="s01"
    )
    customer = await api.query(
        query, {"id": to_global_id("Order", guest)}, role="customer", customer_id="cu00001"
    )
    assert staff.errors is None
    assert staff.data["order"]["customer"] is None
    assert customer.codes == ["FORBIDDEN"]
