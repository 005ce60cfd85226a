"""The loyalty part of the seed: an account per card and a points ledger that adds up."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from math import floor
from typing import Any

from backoffice.seed.calendar import Calendar
from backoffice.seed.customers import SeedCustomer
from backoffice.seed.orders import SeedOrder

Row = dict[str, Any]

WELCOME_POINTS = 100
REWARD_POINTS = 500


def loyalty_tables(
    rng: random.Random,
    calendar: Calendar,
    customers: Sequence[SeedCustomer],
    orders: Sequence[SeedOrder],
) -> dict[str, list[Row]]:
    """Accounts and their ledger: a welcome bonus, a point per euro paid, returns, rewards.

    The ledger is walked in time order per card so the balance never drops below zero:
    a reversal takes back at most what is there, and the return records what it took.
    A reward is booked a few days after the purchase that made it affordable; moving a
    deduction later can only raise the balance in between, so the ledger stays >= 0.
    """
    events: dict[str, list[tuple[datetime, int, str, str | None, Row | None]]] = {}
    for customer in customers:
        if customer.card:
            at = customer.created_at + timedelta(minutes=5)
            events[customer.card] = [(at, WELCOME_POINTS, "WELCOME", None, None)]
    for order in orders:
        card = order.customer.card if order.customer else None
        if card is None:
            continue
        events[card].append((order.placed_at, floor(order.total), "EARN", order.number, None))
        for row, refunded in order.refunds:
            events[card].append(
                (refunded, -row["loyalty_points_reversed"], "RETURN", order.number, row)
            )

    entries: list[Row] = []
    accounts: list[Row] = []
    for customer in customers:
        if not customer.card:
            continue
        balance = 0
        for at, points, reason, number, refund in sorted(events[customer.card], key=lambda e: e[0]):
            if refund is not None:
                points = -min(-points, balance)
                refund["loyalty_points_reversed"] = -points
            if points:
                entries.append(_entry(customer.card, at, points, reason, number))
                balance += points
            if reason == "EARN" and balance >= REWARD_POINTS + 250 and rng.random() < 0.25:
                redeemed_at = at + timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
                if redeemed_at < calendar.now:
                    entries.append(
                        _entry(customer.card, redeemed_at, -REWARD_POINTS, "REDEMPTION", None)
                    )
                    balance -= REWARD_POINTS
        accounts.append(
            {"card_number": customer.card, "customer_id": customer.id, "points": balance}
        )
    entries.sort(key=lambda e: (e["at"], e["card_number"]))
    return {"loy_account": accounts, "loy_points_entry": entries}


def _entry(card: str, at: datetime, points: int, reason: str, number: str | None) -> Row:
    return {
        "card_number": card,
        "at": at,
        "points": points,
        "reason": reason,
        "order_number": number,
    }
