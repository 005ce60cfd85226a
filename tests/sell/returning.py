"""What the return tests share: the viewers, the queries, and the steps of buying, returning and receiving."""

from __future__ import annotations

from typing import Any

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import RETURNING_CUSTOMER_ID
from tests.sell.conftest import Shop
from tests.sell.documents import (
    CHECKOUT,
    CREATE,
    RECEIVE,
    REGISTER,
    RETURN_FIELDS,
    STOCK,
    checkout_input,
    location,
    variant,
)

FLEUR = {"role": "customer", "customer_id": RETURNING_CUSTOMER_ID}
JEROEN = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
ADMIN = {"role": "admin", "subject": "admin-1"}
SERVICE = {"role": "service", "subject": "agent-7", "channel": "CALL_CENTER"}
CANDLE = "v000018"  # Geurkaars Vijgenblad, WHITE: 12.99
LAPTOP_BAG_NAVY = "v000008"  # 89.95

ORDERS = """query { me { loyalty { points } orders(first: 20) { edges { node {
  id number channel status version shipping { amount } total { amount }
  lines { id sku quantity returnableQuantity total { amount } variant { id }
          discounts { promotionId amount { amount } } } } } } } }"""

ORDER = f"""query($id: ID!) {{ order(id: $id) {{
  id status version shipping {{ amount }} total {{ amount }}
  lines {{ id sku quantity returnableQuantity total {{ amount }} }}
  returns {{ {RETURN_FIELDS} }}
  history {{ action detail }} }} }}"""

OUTBOX = (
    """{ outboxMessages(first: 50) { edges { node { kind key state attempts lastError } } } }"""
)


def associate(store: str) -> dict[str, str]:
    return {"role": "associate", "subject": f"staff-{store}", "store_id": store, "channel": "STORE"}


async def me(shop: Shop, viewer: dict[str, Any]) -> dict[str, Any]:
    return (await shop.ok(ORDERS, **viewer))["me"]


async def orders(shop: Shop, viewer: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (await me(shop, viewer))["orders"]["edges"]]


async def points(shop: Shop, viewer: dict[str, Any]) -> int:
    return (await me(shop, viewer))["loyalty"]["points"]


async def stock_at(shop: Shop, variant_id: str, store: str) -> int:
    data = await shop.ok(STOCK, {"variant": variant(variant_id), "stores": [location(store)]})
    return data["variant"]["availability"]["locations"][0]["quantity"]


async def register(
    shop: Shop, order: dict[str, Any], lines: list[tuple[dict[str, Any], int]], channel: str,
    key: str, viewer: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    variables = {
        "order": order["id"],
        "lines": [
            {"orderLineId": ol["id"], "quantity": q, "reason": "past niet"} for ol, q in lines
        ],
        "channel": channel,
        "key": key,
    }
    return (await shop.ok(REGISTER, variables, **viewer))["returnRegister"]


async def receive(
    shop: Shop, returned: dict[str, Any], store: str, key: str, viewer: dict[str, Any],
    resellable: bool = True,
) -> dict[str, Any]:  # fmt: skip
    variables = {
        "id": returned["id"],
        "location": location(store),
        "resellable": resellable,
        "key": key,
    }
    return (await shop.ok(RECEIVE, variables, **viewer))["returnReceive"]


async def order_now(shop: Shop, order_id: str) -> dict[str, Any]:
    return (await shop.ok(ORDER, {"id": order_id}, **ADMIN))["order"]


async def drain(shop: Shop) -> None:
    """Deliver what is due in the outbox now, as the in-process worker would."""
    await shop.runtime.outbox_worker.drain()


async def buy(
    shop: Shop, viewer: dict[str, Any], lines: list[dict[str, object]], key: str
) -> dict[str, Any]:
    cart = (await shop.ok(CREATE, {"lines": lines}, **viewer))["cartCreate"]["cart"]
    placed = (await shop.ok(CHECKOUT, checkout_input(cart["id"], key), **viewer))["checkout"]
    assert placed["userErrors"] == []
    [order] = [o for o in await orders(shop, viewer) if o["id"] == placed["order"]["id"]]
    return order


def breakdown(returned: dict[str, Any]) -> dict[str, str]:
    return {c["kind"]: c["amount"]["amount"] for c in returned["refund"]["breakdown"]}
