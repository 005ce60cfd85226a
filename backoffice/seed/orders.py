"""The OMS part of the seed: orders with every amount per line, payments, fulfilments, history.

Line discounts come from the price engine's own maths (`backoffice.pricing.engine`), so a
seeded order carries exactly the discounts the engine would have given at that moment.
Order-level discounts (a welcome discount, a voucher) are allocated over the lines with
`kernel.money.allocate` and stored per line. Returns live in `backoffice.seed.returns`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from backoffice.pricing.engine import BasketLine, Promotion, price_basket
from backoffice.seed.calendar import Calendar
from backoffice.seed.customers import Crm, SeedCustomer, SeedVoucher
from backoffice.seed.prices import item
from backoffice.seed.stores import DC_ID, PARTNER_ID
from backoffice.seed.variants import SeedVariant
from kernel.money import allocate, round_money

Row = dict[str, Any]
#: (at, actor, channel, action, detail) of a history event.
Step = tuple[datetime, str, str | None, str, str | None]

NUMBER_PREFIX = {"WEB": "W", "APP": "A", "STORE": "S"}
SHIPPING_FEE = Decimal("4.95")
FREE_SHIPPING_FROM = Decimal("50.00")
VAT_PERCENT = Decimal(21)
WELCOME_ID = "welcome10"
WELCOME_NAME = {"nl": "10% welkomstkorting", "en": "10% welcome discount"}

_ZERO = Decimal("0.00")


@dataclass(slots=True)
class OrderDraft:
    """An order before it gets an id and its amounts: what was bought, where, how it travels."""

    channel: str
    placed_at: datetime
    customer: SeedCustomer | None
    lines: list[tuple[SeedVariant, int]]
    #: SHIP_TO_HOME (from a DC or partner), SHIP_FROM_STORE, CLICK_AND_COLLECT or CARRY_OUT.
    fulfilment: str
    location_id: str
    #: Hours until shipped or ready for pickup; then days in transit or until collected.
    prep_hours: float
    transit_days: int
    payment: str
    gift_card: Decimal | None = None
    voucher: SeedVoucher | None = None
    welcome: bool = False
    #: Random orders may get a welcome discount, a pending voucher or a return from the seed.
    auto: bool = True
    tag: str | None = None


@dataclass(slots=True)
class SeedOrder:
    """What loyalty needs of a placed order: who, when, how much, and its refunds."""

    number: str
    customer: SeedCustomer | None
    placed_at: datetime
    total: Decimal
    #: (return row, moment refunded); loyalty fills in the points reversed.
    refunds: list[tuple[Row, datetime]] = field(default_factory=list)


@dataclass(slots=True)
class PlacedOrder:
    """An order's rows while the seed still adds to them (returns update lines and status)."""

    order: Row
    lines: list[Row]
    payments: list[Row]
    history: list[Row]
    completed_at: datetime | None
    seed: SeedOrder
    #: Whether the seed may add a return (the story's orders stay as the story needs them).
    auto: bool


class OrderBook:
    """Turns drafts into rows: numbers them by time, prices them, plays their life until now."""

    def __init__(
        self, rng: random.Random, calendar: Calendar, promotions: Sequence[Promotion], crm: Crm
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.promotions = list(promotions)
        self.placed: list[PlacedOrder] = []
        #: Story tag -> order number.
        self.numbers: dict[str, str] = {}
        self.tables: dict[str, list[Row]] = {
            name: []
            for name in (
                "oms_order",
                "oms_order_line",
                "oms_line_discount",
                "oms_payment",
                "oms_fulfillment",
                "oms_history",
            )
        }
        self._pending: dict[str, list[SeedVoucher]] = {}
        for voucher in sorted(crm.vouchers, key=lambda v: (v.issued_at, v.id)):
            if voucher.redeem:
                self._pending.setdefault(voucher.customer_id, []).append(voucher)
        self._ordered: set[str] = set()

    def place_all(self, drafts: Sequence[OrderDraft]) -> None:
        """Place the drafts in time order: o000001 is the oldest order."""
        ordered = sorted(enumerate(drafts), key=lambda pair: (pair[1].placed_at, pair[0]))
        for n, (_, draft) in enumerate(ordered, start=len(self.placed) + 1):
            self._place(n, draft)

    def _place(self, n: int, draft: OrderDraft) -> None:
        order_id, number = f"o{n:06d}", f"{NUMBER_PREFIX[draft.channel]}-{n:06d}"
        if draft.tag:
            self.numbers[draft.tag] = number
        customer = draft.customer
        basket = price_basket(
            [BasketLine(item(v), v.list_price(draft.channel), q) for v, q in draft.lines],
            self.promotions,
            channel=draft.channel,
            tier=customer.tier if customer else None,
            at=draft.placed_at,
            currency="EUR",
        )
        discounts: list[list[tuple[str, dict[str, str], Decimal]]] = [
            [(d.promotion.id, dict(d.promotion.name), d.amount) for d in line.discounts]
            for line in basket.lines
        ]
        totals = [line.total for line in basket.lines]
        welcome, voucher = self._order_discounts(order_id, draft, sum(totals, _ZERO))
        for promotion_id, name, amount in welcome + voucher:
            for i, part in enumerate(allocate(amount, totals)):
                if part:
                    discounts[i].append((promotion_id, name, part))
        line_rows: list[Row] = []
        subtotal = goods = _ZERO
        for position, ((variant, quantity), priced, line_discounts) in enumerate(
            zip(draft.lines, basket.lines, discounts, strict=True), start=1
        ):
            line_id = f"{order_id}-{position}"
            gross = priced.unit_list_amount * quantity
            total = gross - sum((d[2] for d in line_discounts), _ZERO)
            subtotal += gross
            goods += total
            line_rows.append(
                {
                    "id": line_id,
                    "order_id": order_id,
                    "position": position,
                    "variant_id": variant.id,
                    "sku": variant.sku,
                    "quantity": quantity,
                    "unit_list_amount": priced.unit_list_amount,
                    "tax": round_money(total * VAT_PERCENT / (100 + VAT_PERCENT)),
                    "total": total,
                    "returned_quantity": 0,
                }
            )
            self.tables["oms_line_discount"] += [
                {"line_id": line_id, "promotion_id": pid, "name": name, "amount": amount}
                for pid, name, amount in line_discounts
            ]
        shipping = _ZERO
        shipped = draft.fulfilment in ("SHIP_TO_HOME", "SHIP_FROM_STORE")
        if shipped and goods < FREE_SHIPPING_FROM:
            shipping = SHIPPING_FEE
        total = goods + shipping
        payments = self._payments(order_id, draft, total)
        history, fulfilment_status, delivery, completed_at = self._timeline(draft)
        order = {
            "id": order_id,
            "number": number,
            "channel": draft.channel,
            "location_id": draft.location_id if draft.channel == "STORE" else None,
            "customer_id": customer.id if customer else None,
            "status": _status(history[-1]["action"]),
            "placed_at": draft.placed_at,
            "currency": "EUR",
            "subtotal": subtotal,
            "discount_total": subtotal - goods,
            "shipping": shipping,
            "total": total,
            "version": len(history),
        }
        for event in history:
            event["order_id"] = order_id
        self.tables["oms_order"].append(order)
        self.tables["oms_order_line"] += line_rows
        self.tables["oms_payment"] += payments
        self.tables["oms_history"] += history
        self.tables["oms_fulfillment"].append(
            {
                "id": f"f{n:06d}",
                "order_id": order_id,
                "type": draft.fulfilment,
                "location_id": draft.location_id,
                "status": fulfilment_status,
                "delivery_date": delivery,
            }
        )
        self.placed.append(
            PlacedOrder(
                order=order,
                lines=line_rows,
                payments=payments,
                history=history,
                completed_at=completed_at,
                seed=SeedOrder(number, customer, draft.placed_at, total),
                auto=draft.auto,
            )
        )

    def _order_discounts(
        self, order_id: str, draft: OrderDraft, goods: Decimal
    ) -> tuple[
        list[tuple[str, dict[str, str], Decimal]], list[tuple[str, dict[str, str], Decimal]]
    ]:
        customer = draft.customer
        welcome = draft.welcome
        voucher = draft.voucher
        if draft.auto and customer is not None:
            first = customer.id not in self._ordered
            recent = draft.placed_at - customer.created_at <= timedelta(days=60)
            if first and recent and draft.channel != "STORE" and self.rng.random() < 0.7:
                welcome = True
            pending = self._pending.get(customer.id, [])
            due = [
                v
                for v in pending
                if v.issued_at + timedelta(days=1) <= draft.placed_at < v.expires_at
            ]
            if due and voucher is None:
                voucher = due[0]
        if customer is not None:
            self._ordered.add(customer.id)
        welcome_part = []
        if welcome:
            amount = round_money(goods * 10 / 100)
            welcome_part.append((WELCOME_ID, WELCOME_NAME, amount))
            goods -= amount
        voucher_part = []
        if voucher is not None and goods >= voucher.amount + 5:
            name = {"nl": f"Tegoedbon {voucher.code}", "en": f"Voucher {voucher.code}"}
            voucher_part.append((voucher.id, name, voucher.amount))
            voucher.spend(order_id, draft.placed_at)
            if voucher in self._pending.get(voucher.customer_id, []):
                self._pending[voucher.customer_id].remove(voucher)
        return welcome_part, voucher_part

    def _payments(self, order_id: str, draft: OrderDraft, total: Decimal) -> list[Row]:
        if draft.payment != "GIFT_CARD" or draft.gift_card is None:
            return [{"order_id": order_id, "method": draft.payment, "amount": total}]
        gift = min(draft.gift_card, total)
        rows = [{"order_id": order_id, "method": "GIFT_CARD", "amount": gift}]
        if total > gift:
            rows.append({"order_id": order_id, "method": "CARD", "amount": total - gift})
        return rows

    def _timeline(self, draft: OrderDraft) -> tuple[list[Row], str, date, datetime | None]:
        """The events that happened by now, the fulfilment status, its date, when it completed."""
        rng, placed = self.rng, draft.placed_at
        channel = draft.channel
        location = draft.location_id
        if draft.fulfilment == "CARRY_OUT":
            done = placed + timedelta(minutes=rng.randint(1, 4))
            steps: list[Step] = [
                (placed, f"pos:{location}", channel, "PLACED", None),
                (done, f"pos:{location}", channel, "COMPLETED", f"paid by {draft.payment}"),
            ]
            return _events(steps), "COMPLETED", placed.date(), done
        placed_by = f"customer:{draft.customer.id}" if draft.customer else "guest"
        # Most payments clear within minutes; some wait hours for the payment provider.
        wait = rng.randint(2, 20) if rng.random() < 0.85 else rng.randint(60, 600)
        confirmed = placed + timedelta(minutes=wait)
        prepared = placed + timedelta(seconds=round(draft.prep_hours * 3600))
        ready = max(prepared, confirmed + timedelta(minutes=30))
        day = ready.date() + timedelta(days=draft.transit_days)
        arrival = datetime.combine(
            day, time(rng.randint(9, 17), rng.randint(0, 59)), tzinfo=placed.tzinfo
        )
        arrival = max(arrival, ready + timedelta(hours=1))
        where = "warehouse" if location in (DC_ID, PARTNER_ID) else "store"
        if draft.fulfilment in ("SHIP_TO_HOME", "SHIP_FROM_STORE"):
            steps = [
                (placed, placed_by, channel, "PLACED", None),
                (confirmed, "oms", None, "CONFIRMED", f"paid by {draft.payment}"),
                (
                    ready,
                    f"{where}:{location}",
                    None,
                    "SHIPPED",
                    f"track & trace 3S{rng.randint(10**9, 10**10 - 1)}",
                ),
                (arrival, "carrier:postnl", None, "DELIVERED", None),
            ]
            statuses = ("PENDING", "PENDING", "SHIPPED", "DELIVERED")
            delivery = arrival.date()
        else:
            steps = [
                (placed, placed_by, channel, "PLACED", None),
                (confirmed, "oms", None, "CONFIRMED", f"paid by {draft.payment}"),
                (ready, f"store:{location}", None, "READY_FOR_PICKUP", None),
                (arrival, f"store:{location}", None, "COLLECTED", None),
            ]
            statuses = ("PENDING", "PENDING", "READY_FOR_PICKUP", "COLLECTED")
            delivery = ready.date()
        happened = [s for s in steps if s[0] <= self.calendar.now]
        completed_at = arrival if len(happened) == len(steps) else None
        return _events(happened), statuses[len(happened) - 1], delivery, completed_at


def _events(steps: Sequence[Step]) -> list[Row]:
    return [
        {"at": at, "actor": actor, "channel": channel, "action": action, "detail": detail}
        for at, actor, channel, action, detail in steps
    ]


def _status(last_action: str) -> str:
    """The order status after its latest event; a confirmed order is being picked and packed."""
    if last_action in ("PLACED", "SHIPPED", "READY_FOR_PICKUP"):
        return last_action
    if last_action in ("DELIVERED", "COLLECTED", "COMPLETED"):
        return "COMPLETED"
    return "IN_FULFILLMENT"
