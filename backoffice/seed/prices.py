"""The price engine part of the seed: list prices per channel, the item master copy, promotions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backoffice.pricing.engine import Item, Promotion
from backoffice.seed.calendar import Calendar
from backoffice.seed.catalogue import SeedVariant
from kernel.money import round_money

Row = dict[str, Any]

#: Every customer-facing sales channel a promotion can run in.
ALL_CHANNELS = ("WEB", "APP", "STORE")
#: The story's "3 for the price of 2" on the paint, across channels, this week.
PAINT_PROMOTION_ID = "pr01"


def price_tables(variants: Sequence[SeedVariant]) -> dict[str, list[Row]]:
    """A DEFAULT list price for every variant, a WEB one where the web shop is cheaper."""
    list_prices: list[Row] = []
    items: list[Row] = []
    for v in variants:
        list_prices.append(
            {"variant_id": v.id, "channel": "DEFAULT", "currency": "EUR", "amount": v.price}
        )
        if v.web_price is not None:
            list_prices.append(
                {"variant_id": v.id, "channel": "WEB", "currency": "EUR", "amount": v.web_price}
            )
        items.append(
            {
                "variant_id": v.id,
                "product_id": v.product_id,
                "brand": v.brand,
                "category_ids": list(v.category_ids),
            }
        )
    return {"price_list_price": list_prices, "price_item": items}


def item(variant: SeedVariant) -> Item:
    """The engine's view of a variant, as the `price_item` row describes it."""
    return Item(
        variant_id=variant.id,
        product_id=variant.product_id,
        brand=variant.brand,
        category_ids=frozenset(variant.category_ids),
    )


def promotions(
    rng: random.Random, calendar: Calendar, variants: Sequence[SeedVariant], paint_product_id: str
) -> list[Promotion]:
    """About eight promotions around `today`: running, ended, upcoming, tier-bound, per channel."""
    week = calendar.week_start
    month = calendar.month_start
    next_month = calendar.midnight((month + timedelta(days=32)).date().replace(day=1))
    last_month_end = month
    brands = sorted({v.brand for v in variants if v.department in ("c01", "c03")})
    brand = rng.choice(brands)
    sellable_products = sorted({v.product_id for v in variants if v.sellable})
    web_deal = frozenset(rng.sample(sellable_products, min(6, len(sellable_products))))
    black_friday = calendar.black_friday()
    paint_weeks = calendar.midnight(calendar.today.replace(day=1) - timedelta(days=200))

    def percent(
        id_: str,
        value: int,
        starts: datetime,
        ends: datetime,
        name: tuple[str, str],
        description: tuple[str, str],
        **target: Any,
    ) -> Promotion:
        return Promotion(
            id=id_,
            kind="PERCENT",
            percent=Decimal(value),
            starts_at=starts,
            ends_at=ends,
            name={"nl": name[0], "en": name[1]},
            description={"nl": description[0], "en": description[1]},
            channels=frozenset(target.pop("channels", ALL_CHANNELS)),
            **target,
        )

    return [
        Promotion(
            id=PAINT_PROMOTION_ID,
            kind="MULTI_BUY",
            buy_quantity=3,
            pay_quantity=2,
            product_ids=frozenset({paint_product_id}),
            starts_at=week,
            ends_at=week + timedelta(days=7),
            channels=frozenset(ALL_CHANNELS),
            name={
                "nl": "3 halen, 2 betalen op Muurverf Extra Mat",
                "en": "3 for 2 on Wall paint extra matt",
            },
            description={
                "nl": "Koop deze week 3 blikken, in de winkel en online samen, en betaal er 2.",
                "en": "Buy 3 cans this week, in store and online together, and pay for 2.",
            },
        ),
        percent(
            "pr02", 20, week, week + timedelta(days=7),
            (f"20% korting op {brand}", f"20% off {brand}"),
            (f"Deze week 20% korting op alles van {brand}.", f"This week 20% off everything by {brand}."),
            brand=brand,
        ),
        percent(
            "pr03", 10, calendar.midnight(calendar.today - timedelta(days=120)),
            calendar.midnight(calendar.today + timedelta(days=60)),
            ("Gold-voordeel: 10% op Wonen", "Gold benefit: 10% off Home & living"),
            ("Gold-leden krijgen 10% korting op de hele afdeling Wonen.", "Gold members get 10% off the whole Home & living department."),
            category_id="c01", tiers=frozenset({"GOLD"}),
        ),
        percent(
            "pr04", 25, last_month_end - timedelta(days=21), last_month_end,
            ("Badmode-deals: 25% korting", "Swimwear deals: 25% off"),
            ("Drie weken 25% korting op alle badmode.", "Three weeks of 25% off all swimwear."),
            category_id="c05",
        ),
        percent(
            "pr05", 15, week + timedelta(days=7), week + timedelta(days=14),
            ("Tassenweek: 15% korting", "Bag week: 15% off"),
            ("Volgende week 15% korting op alle tassen.", "Next week 15% off all bags."),
            category_id="c04",
        ),
        percent(
            "pr06", 30, calendar.midnight(calendar.today - timedelta(days=14)),
            calendar.midnight(calendar.today + timedelta(days=14)),
            ("Webdeal: 30% korting", "Web deal: 30% off"),
            ("Alleen online: 30% korting op geselecteerde artikelen.", "Online only: 30% off selected items."),
            product_ids=web_deal, channels=("WEB",),
        ),
        percent(
            "pr07", 15, month, next_month,
            ("App-voordeel: 15% op mode", "App deal: 15% off fashion"),
            ("Deze maand 15% korting op mode, alleen in de app.", "This month 15% off fashion, in the app only."),
            category_id="c03", channels=("APP",),
        ),
        percent(
            "pr08", 25, black_friday, black_friday + timedelta(days=4),
            ("Black Friday: 25% op alles", "Black Friday: 25% off everything"),
            ("Het hele Black Friday-weekend 25% korting op het hele assortiment.", "25% off the whole range all Black Friday weekend."),
        ),
        percent(
            "pr09", 20, paint_weeks, paint_weeks + timedelta(days=28),
            ("Verfweken: 20% op klussen & verf", "Paint weeks: 20% off DIY & paint"),
            ("Vier weken 20% korting op verf en klusartikelen.", "Four weeks of 20% off paint and DIY."),
            category_id="c02",
        ),
    ]  # fmt: skip


def promotion_rows(promotions: Sequence[Promotion]) -> list[Row]:
    return [
        {
            "id": p.id,
            "name": dict(p.name),
            "description": dict(p.description),
            "kind": p.kind,
            "percent": round_money(p.percent) if p.percent else None,
            "buy_quantity": p.buy_quantity,
            "pay_quantity": p.pay_quantity,
            "product_ids": sorted(p.product_ids) if p.product_ids is not None else None,
            "category_id": p.category_id,
            "brand": p.brand,
            "channels": [c for c in ALL_CHANNELS if c in p.channels],
            "tiers": sorted(p.tiers) if p.tiers is not None else None,
            "cross_channel": p.kind == "MULTI_BUY",
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
        }
        for p in promotions
    ]
