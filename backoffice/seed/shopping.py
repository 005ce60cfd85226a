"""Random shoppers: what the seeded customers buy, when, in which channel, and how it travels."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal

from backoffice.seed.calendar import Calendar
from backoffice.seed.customers import SeedCustomer
from backoffice.seed.orders import OrderDraft
from backoffice.seed.stores import DC_ID, PARTNER_ID, STORES
from backoffice.seed.variants import Catalogue, SeedVariant
from kernel.money import round_money

#: How far back the order history goes (about 18 months).
HISTORY_DAYS = 548

_PAYMENTS = {
    "WEB": (("CARD", "MOBILE", "GIFT_CARD"), (55, 38, 7)),
    "APP": (("MOBILE", "CARD", "GIFT_CARD"), (70, 25, 5)),
    "STORE": (("CARD", "CASH", "MOBILE", "GIFT_CARD"), (60, 20, 15, 5)),
}


def random_orders(
    rng: random.Random,
    calendar: Calendar,
    catalogue: Catalogue,
    customers: Sequence[SeedCustomer],
    count: int,
    *,
    busy_week_products: Sequence[str] = (),
) -> list[OrderDraft]:
    """`count` orders over the last ~18 months: 45% web, 25% app, 30% store (a third of those guests).

    `busy_week_products` are not sold during this week: the story's cross-channel promotion
    runs then, and a random purchase would change what it owes the story customer.
    """
    products = [p for p in catalogue.products() if p.sellable]
    # A few best sellers, a long tail: log-normal, so no single product dominates.
    popularity = {p: rng.lognormvariate(0, 0.9) for p in sorted(p.id for p in products)}
    # The sellable variants in id order, which is their products' order.
    pool = catalogue.sellable()
    variant_weights = _cumulative(popularity[p.id] for p in products for _ in range(p.count))
    customer_weights = _cumulative([c.weight for c in customers])
    store_weights = _cumulative([s.footfall or 0 for s in STORES])
    collect_stores = [s for s in STORES if s.click_and_collect]
    collect_weights = _cumulative([s.footfall or 0 for s in collect_stores])
    ship_stores = [s.id for s in STORES if s.ship_from_store]
    window_start = calendar.days_ago(HISTORY_DAYS)
    latest = calendar.now - timedelta(minutes=15)
    week = (calendar.week_start, calendar.week_start + timedelta(days=7))

    drafts: list[OrderDraft] = []
    while len(drafts) < count:
        channel = rng.choices(("WEB", "APP", "STORE"), weights=(45, 25, 30))[0]
        customer = None
        if channel != "STORE" or rng.random() >= 0.35:
            customer = rng.choices(customers, cum_weights=customer_weights)[0]
        earliest = window_start
        if customer is not None:
            earliest = max(window_start, customer.created_at + timedelta(hours=1))
        hours = (8.5, 19.5) if channel == "STORE" else (6.0, 22.5)
        placed_at = _moment(rng, earliest, latest, hours)
        lines: list[tuple[SeedVariant, int]] = []
        for _ in range(rng.choices((1, 2, 3, 4, 5), weights=(40, 28, 17, 10, 5))[0]):
            variant = rng.choices(pool, cum_weights=variant_weights)[0]
            if any(v.id == variant.id for v, _ in lines):
                continue
            if variant.product_id in busy_week_products and week[0] <= placed_at < week[1]:
                continue
            bulky = variant.department == "c02"
            quantity = rng.choices(
                (1, 2, 3, 4), weights=(50, 25, 15, 10) if bulky else (80, 15, 5, 0)
            )[0]
            lines.append((variant, quantity))
        if not lines:
            continue
        if channel == "STORE":
            store = rng.choices(STORES, cum_weights=store_weights)[0]
            fulfilment, location = "CARRY_OUT", store.id
            prep, transit = 0.0, 0
        elif rng.random() < 0.25:
            store = rng.choices(collect_stores, cum_weights=collect_weights)[0]
            fulfilment, location = "CLICK_AND_COLLECT", store.id
            prep, transit = (
                rng.uniform(2, 26),
                rng.choices((0, 1, 2, 3), weights=(40, 35, 15, 10))[0],
            )
        else:
            roll = rng.random()
            location = (
                DC_ID if roll < 0.8 else PARTNER_ID if roll < 0.9 else rng.choice(ship_stores)
            )
            fulfilment = "SHIP_TO_HOME" if roll < 0.9 else "SHIP_FROM_STORE"
            prep, transit = rng.uniform(3, 30), rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
        methods, weights = _PAYMENTS[channel]
        payment = rng.choices(methods, weights=weights)[0]
        drafts.append(
            OrderDraft(
                channel=channel,
                placed_at=placed_at,
                customer=customer,
                lines=lines,
                fulfilment=fulfilment,
                location_id=location,
                prep_hours=prep,
                transit_days=transit,
                payment=payment,
                gift_card=round_money(Decimal(rng.choice((10, 15, 20, 25, 50))))
                if payment == "GIFT_CARD"
                else None,
            )
        )
    return drafts


def _moment(
    rng: random.Random, earliest: datetime, latest: datetime, hours: tuple[float, float]
) -> datetime:
    """A moment between earliest and latest, during opening (or browsing) hours where possible."""
    days = (latest.date() - earliest.date()).days
    day = earliest.date() + timedelta(days=rng.randint(0, max(days, 0)))
    seconds = rng.randint(int(hours[0] * 3600), int(hours[1] * 3600))
    moment = datetime.combine(day, time(0), tzinfo=earliest.tzinfo) + timedelta(seconds=seconds)
    if not earliest <= moment <= latest:
        moment = earliest + (latest - earliest) * rng.random()
    return moment.replace(microsecond=0)


def _cumulative(weights: Iterable[float]) -> array[float]:
    # Eight bytes a weight: a million variants' weights are a list of floats four times over.
    total = 0.0
    result = array("d")
    for weight in weights:
        total += weight
        result.append(total)
    return result
