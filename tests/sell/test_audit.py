"""Every mutation leaves an audit event; service agents read an order's on its history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from ledger.models import AuditRow
from tests.sell.conftest import Shop
from tests.sell.documents import ADD, CHANGE_DATE, CHECKOUT, CREATE, checkout_input, line

pytestmark = pytest.mark.anyio

CUSTOMER = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
AGENT = {"role": "service", "subject": "agent-7", "channel": "CALL_CENTER"}
HISTORY = """query($id: ID!) { order(id: $id) { history { actor channel action detail } } }"""


async def _order(shop: Shop) -> dict:
    cart = (await shop.ok(CREATE, {"lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER))[
        "cartCreate"
    ]["cart"]
    await shop.ok(ADD, {"cart": cart["id"], "lines": [line(PAINT_VARIANT_ID, 1)]}, **CUSTOMER)
    placed = await shop.ok(
        CHECKOUT,
        checkout_input(cart["id"], "audited"),
        **CUSTOMER,
    )
    return placed["checkout"]["order"]


async def test_a_service_agent_sees_each_decision_and_the_data_it_used(shop: Shop):
    order = await _order(shop)
    changed = (
        await shop.ok(
            CHANGE_DATE,
            {
                "order": order["id"],
                "fulfillment": order["fulfillments"][0]["id"],
                "date": "2099-01-15",
                "version": order["version"],
            },
            **AGENT,
        )
    )["orderChangeDeliveryDate"]
    assert changed["userErrors"] == []

    history = (await shop.ok(HISTORY, {"id": order["id"]}, **AGENT))["order"]["history"]
    actions = [event["action"] for event in history]
    assert "CHECKOUT" in actions
    assert "DELIVERY_DATE_CHANGED" in actions
    checkout = next(event for event in history if event["action"] == "CHECKOUT")
    assert checkout["actor"].endswith("(customer)")
    assert checkout["channel"] == "WEB"
    assert '"promotions": ["pr01"]' in checkout["detail"]
    assert '"routing"' in checkout["detail"]
    agent_change = [e for e in history if e["actor"] == "agent-7 (service)"]
    assert [e["channel"] for e in agent_change] == ["CALL_CENTER"]

    # The customer sees the order's life, not the gateway's audit of it.
    own = (await shop.ok(HISTORY, {"id": order["id"]}, **CUSTOMER))["order"]["history"]
    assert all("(customer)" not in event["actor"] for event in own)


async def test_cart_changes_are_audited_with_the_stock_they_were_checked_on(shop: Shop):
    await _order(shop)
    async with shop.runtime.ledger_engine.connect() as conn:
        carts = (
            await conn.execute(select(AuditRow.subject_id).where(AuditRow.subject_type == "Cart"))
        ).scalars()
        cart_ids = sorted(set(carts))
    trail = await shop.runtime.ledger.audit.for_subjects("Cart", cart_ids)
    [events] = trail.values()
    assert [e.action for e in events] == ["cart_created", "cart_lines_added"]
    added = events[1]
    assert added.actor == DEMO_CUSTOMER_ID
    assert added.channel == "WEB"
    assert added.detail == f"1 x {PAINT_VARIANT_ID}"
    assert added.sources["stock"][PAINT_VARIANT_ID] > 0
    assert added.sources["version"] == 2
