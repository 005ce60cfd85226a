"""Returns in the seed: about 5% of completed orders come back, by mail or in a store, refunded.

Each was received where it was sent (`received_location_id` = the destination, at the
RETURN_RECEIVED event's time) and can be sold again, unless it arrived damaged. Seeded
returns were not routed by the gateway: their `routing` is null.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from math import floor
from typing import Any

from backoffice.seed import words
from backoffice.seed.calendar import Calendar
from backoffice.seed.orders import OrderBook, PlacedOrder, Step
from backoffice.seed.stores import DC_ID, STORE_IDS
from kernel.money import round_money

Row = dict[str, Any]

#: What a return by mail costs the customer; returns in a store are free.
RETURN_COSTS = Decimal("2.95")
#: The reason of a return whose goods cannot be sold again.
DAMAGED = "Beschadigd ontvangen"
_ZERO = Decimal("0.00")


def add_returns(
    rng: random.Random, calendar: Calendar, book: OrderBook, rate: float = 0.05
) -> None:
    """Return part or all of some completed orders, at least a week after they completed."""
    book.tables["oms_return"] = []
    book.tables["oms_return_line"] = []
    for placed in book.placed:
        if not placed.auto or placed.completed_at is None:
            continue
        if placed.completed_at > calendar.now - timedelta(days=8) or rng.random() >= rate:
            continue
        _return(rng, calendar, book, placed, f"r{len(book.tables['oms_return']) + 1:06d}")


def _return(
    rng: random.Random, calendar: Calendar, book: OrderBook, placed: PlacedOrder, return_id: str
) -> None:
    order, lines = placed.order, placed.lines
    assert placed.completed_at is not None
    by_mail = order["channel"] != "STORE" and rng.random() < 0.6
    latest = calendar.now - (timedelta(days=6) if by_mail else timedelta(hours=1))
    created = placed.completed_at + timedelta(minutes=rng.randint(20 * 60, 14 * 24 * 60))
    if created > latest:
        created = placed.completed_at + (latest - placed.completed_at) * rng.random()
    created = created.replace(microsecond=0)

    if len(lines) > 1 and rng.random() >= 0.3:
        chosen = [rng.choice(lines)]
        returned = {chosen[0]["id"]: rng.randint(1, chosen[0]["quantity"])}
    else:
        chosen = lines
        returned = {line["id"]: line["quantity"] for line in lines}
    goods = _ZERO
    return_lines = []
    for line in chosen:
        quantity = returned[line["id"]]
        if quantity == line["quantity"]:
            goods += line["total"]
        else:
            goods += round_money(line["total"] * quantity / line["quantity"])
        line["returned_quantity"] = quantity
        return_lines.append(
            {
                "return_id": return_id,
                "order_line_id": line["id"],
                "quantity": quantity,
                "reason": rng.choice(words.RETURN_REASONS),
            }
        )
    everything = all(line["returned_quantity"] == line["quantity"] for line in lines)
    customer = placed.seed.customer
    breakdown = [("goods", goods)]
    # Shipping comes back with the last item, except for GOLD members (the gateway's rule).
    if everything and order["shipping"] > 0 and (customer is None or customer.tier != "GOLD"):
        breakdown.append(("shipping", order["shipping"]))
    if by_mail and goods > RETURN_COSTS:
        breakdown.append(("return_costs", -RETURN_COSTS))
    refund = sum((amount for _, amount in breakdown), _ZERO)
    method = max(placed.payments, key=lambda p: p["amount"])["method"]

    steps: list[Step]
    if by_mail:
        destination = DC_ID
        received = created + timedelta(minutes=rng.randint(40 * 60, 96 * 60))
        refunded = received + timedelta(minutes=rng.randint(2 * 60, 20 * 60))
        steps = [
            (
                created,
                f"customer:{order['customer_id']}",
                order["channel"],
                "RETURN_REGISTERED",
                None,
            ),
            (received, f"warehouse:{DC_ID}", None, "RETURN_RECEIVED", None),
        ]
    else:
        destination = order["location_id"] if order["channel"] == "STORE" else rng.choice(STORE_IDS)
        refunded = created + timedelta(minutes=rng.randint(2, 6))
        received = created
        steps = [(created, f"store:{destination}", "STORE", "RETURN_RECEIVED", None)]
    steps.append((refunded, "oms", None, "REFUNDED", f"{refund} EUR to {method}"))
    for at, actor, channel, action, detail in steps:
        event = {
            "at": at,
            "actor": actor,
            "channel": channel,
            "action": action,
            "detail": detail,
            "order_id": order["id"],
        }
        placed.history.append(event)
        book.tables["oms_history"].append(event)
    order["status"] = "RETURNED" if everything else "PARTIALLY_RETURNED"
    order["version"] = len(placed.history)

    row: Row = {
        "id": return_id,
        "order_id": order["id"],
        "channel": "MAIL" if by_mail else "STORE",
        "status": "REFUNDED",
        "destination_location_id": destination,
        "created_at": created,
        "refund_amount": refund,
        "refund_method": method,
        "refund_breakdown": [{"kind": kind, "amount": str(amount)} for kind, amount in breakdown],
        # What loyalty can take back; it lowers this if the balance would go below zero.
        "loyalty_points_reversed": floor(refund) if customer and customer.card else 0,
        "routing": None,
        "received_location_id": destination,
        "received_at": received,
        "resellable": all(line["reason"] != DAMAGED for line in return_lines),
    }
    book.tables["oms_return"].append(row)
    book.tables["oms_return_line"] += return_lines
    placed.seed.refunds.append((row, refunded))
