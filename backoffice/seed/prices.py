"""The price engine part of the seed: list prices per channel, the item master copy, promotions.

Every rule kind runs on the seed's `today` in the seeded channels, so that each can be
tried against the demo: PERCENT (pr02, pr03 for GOLD, pr06 web only, pr07 app only),
MULTI_BUY (pr01, the story's cross-channel 3-for-2 on paint this week), AMOUNT_OFF (pr10),
FIXED_PRICE (pr11), BUNDLE (pr12), TIERED (pr13), ORDER (pr14) and a coupon rule (pr15,
code EXTRA10, combinable). Others have ended or start later (pr04, pr05, pr08, pr09).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backoffice.pricing.engine import Item, Promotion, QuantityTier
from backoffice.seed.bulk import TableRow
from backoffice.seed.calendar import Calendar
from backoffice.seed.variants import Catalogue, SeedVariant
from kernel.money import round_money

Row = dict[str, Any]

#: Every customer-facing sales channel a promotion can run in.
ALL_CHANNELS = ("WEB", "APP", "STORE")
#: The story's "3 for the price of 2" on the paint, across channels, this week.
PAINT_PROMOTION_ID = "pr01"
#: The seeded coupon: 10 % off, on top of the other combinable promotions, this month.
COUPON_CODE = "EXTRA10"


def price_rows(variants: Iterable[SeedVariant]) -> Iterator[TableRow]:
    """A DEFAULT list price for every variant, a WEB one where the web shop is cheaper."""
    for v in variants:
        yield (
            "price_list_price",
            {"variant_id": v.id, "channel": "DEFAULT", "currency": "EUR", "amount": v.price},
        )
        if v.web_price is not None:
            yield (
                "price_list_price",
                {"variant_id": v.id, "channel": "WEB", "currency": "EUR", "amount": v.web_price},
            )
        yield (
            "price_item",
            {
                "variant_id": v.id,
                "product_id": v.product_id,
                "brand": v.brand,
                "category_ids": list(v.category_ids),
            },
        )


def item(variant: SeedVariant) -> Item:
    """The engine's view of a variant, as the `price_item` row describes it."""
    return Item(
        variant_id=variant.id,
        product_id=variant.product_id,
        brand=variant.brand,
        category_ids=frozenset(variant.category_ids),
    )


def promotions(
    rng: random.Random, calendar: Calendar, catalogue: Catalogue, paint_product_id: str
) -> list[Promotion]:
    """Fifteen promotions around `today`: running, ended, upcoming, tier-bound, per channel, every kind."""
    week = calendar.week_start
    month = calendar.month_start
    next_month = calendar.midnight((month + timedelta(days=32)).date().replace(day=1))
    last_month_end = month
    # A product's variants share its brand, category and completeness: products will do.
    brands = sorted({p.brand for p in catalogue.products() if p.department in ("c01", "c03")})
    brand = rng.choice(brands)
    sellable_products = sorted(p.id for p in catalogue.products() if p.sellable)
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

    # Drawn after the draws above, so that adding these moved none of the older promotions.
    home = sorted(p.id for p in catalogue.products() if p.department == "c01" and p.sellable)
    picked = rng.sample(home, min(3, len(home)))
    bundle, fixed = tuple(sorted(picked[:2])), frozenset(picked[2:])
    next_week = week + timedelta(days=7)

    def rule(
        id_: str,
        kind: Any,
        starts: datetime,
        ends: datetime,
        name: tuple[str, str],
        description: tuple[str, str],
        **fields: Any,
    ) -> Promotion:
        return Promotion(
            id=id_,
            kind=kind,
            starts_at=starts,
            ends_at=ends,
            name={"nl": name[0], "en": name[1]},
            description={"nl": description[0], "en": description[1]},
            channels=frozenset(fields.pop("channels", ALL_CHANNELS)),
            **fields,
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
            cross_channel=True,
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
        rule(
            "pr10", "AMOUNT_OFF", month, next_month,
            ("2 euro korting per kwast of roller", "2 euros off every brush or roller"),
            ("Deze maand 2 euro korting op elke kwast en verfroller.", "This month 2 euros off every brush and paint roller."),
            amount=Decimal("2.00"), category_id="c0203",
        ),
        rule(
            "pr11", "FIXED_PRICE", week, next_week,
            ("Nu voor 9,99", "Now 9.99"),
            ("Deze week voor maar 9,99 per stuk.", "This week only 9.99 each."),
            amount=Decimal("9.99"), product_ids=fixed,
        ),
        rule(
            "pr12", "BUNDLE", month, next_month,
            ("Samen 20% voordeliger", "Together 20% less"),
            ("Koop deze twee samen en krijg 20% korting op de set.", "Buy these two together and get 20% off the set."),
            percent=Decimal(20), bundle_ids=bundle,
        ),
        rule(
            "pr13", "TIERED", month, next_month,
            ("Meer tape, meer korting", "More tape, more savings"),
            ("Vanaf 3 rollen afplaktape 10% korting, vanaf 6 rollen 20%.", "10% off from 3 rolls of masking tape, 20% from 6."),
            quantity_tiers=(QuantityTier(3, Decimal(10)), QuantityTier(6, Decimal(20))), category_id="c0205",
        ),
        rule(
            "pr14", "ORDER", week, next_week,
            ("10 euro korting vanaf 150 euro", "10 euros off from 150 euros"),
            ("Deze week online 10 euro korting op bestellingen vanaf 150 euro.", "This week online, 10 euros off orders from 150 euros."),
            amount=Decimal("10.00"), min_subtotal=Decimal("150.00"), channels=("WEB", "APP"),
        ),
        rule(
            "pr15", "PERCENT", month, next_month,
            (f"Kortingscode {COUPON_CODE}: 10% extra", f"Coupon {COUPON_CODE}: 10% extra"),
            ("Met de code 10% extra korting, bovenop andere combineerbare acties.", "With the code, 10% extra off, on top of other combinable promotions."),
            percent=Decimal(10), coupon_code=COUPON_CODE, combinable=True, priority=100,
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
            "amount": round_money(p.amount) if p.amount is not None else None,
            "buy_quantity": p.buy_quantity,
            "pay_quantity": p.pay_quantity,
            "quantity_tiers": [
                {"min_quantity": t.min_quantity, "percent": str(round_money(t.percent))}
                for t in p.quantity_tiers
            ]
            if p.quantity_tiers
            else None,
            "bundle_ids": list(p.bundle_ids) if p.bundle_ids else None,
            "min_subtotal": round_money(p.min_subtotal) if p.min_subtotal is not None else None,
            "product_ids": sorted(p.product_ids) if p.product_ids is not None else None,
            "category_id": p.category_id,
            "brand": p.brand,
            "channels": [c for c in ALL_CHANNELS if c in p.channels],
            "tiers": sorted(p.tiers) if p.tiers is not None else None,
            "cross_channel": p.cross_channel,
            "coupon_code": p.coupon_code,
            "priority": p.priority,
            "combinable": p.combinable,
            "starts_at": p.starts_at,
            "ends_at": p.ends_at,
        }
        for p in promotions
    ]
