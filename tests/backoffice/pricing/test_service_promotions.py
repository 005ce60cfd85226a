"""Every rule kind from the database, history, coupons and the promotions list, through the service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InvalidRequest
from tests.backoffice.pricing.rows import T0, WEEK_END, insert, item, list_price, promotion, service

pytestmark = pytest.mark.anyio


async def paint_shop(sessions: async_sessionmaker[AsyncSession]) -> None:
    await insert(
        sessions,
        list_price("V-PAINT", "39.95"),
        list_price("V-ROLLER", "9.95"),
        item("V-PAINT", "P-PAINT", brand="Polderverf", category_ids=["c0201", "c02"]),
        item("V-ROLLER", "P-ROLLER", brand="Polderverf", category_ids=["c0203", "c02"]),
        promotion(
            "pr01",
            kind="MULTI_BUY",
            percent=None,
            buy_quantity=3,
            pay_quantity=2,
            product_ids=["P-PAINT"],
            cross_channel=True,
            channels=["WEB", "STORE"],
        ),
        promotion("pr02", kind="AMOUNT_OFF", percent=None, amount=Decimal(2), category_id="c0203"),
        promotion(
            "pr03",
            kind="TIERED",
            percent=None,
            quantity_tiers=[{"min_quantity": 2, "percent": "10"}],
            product_ids=["P-ROLLER"],
            priority=5,
        ),
        promotion("pr04", kind="ORDER", percent=None, amount=Decimal(5), min_subtotal=Decimal(100)),
        promotion("pr05", coupon_code="EXTRA10", combinable=True, priority=100),
        promotion(
            "pr06",
            coupon_code="OLD",
            starts_at=T0 - timedelta(days=30),
            ends_at=T0 - timedelta(days=20),
        ),
        promotion(
            "pr07",
            kind="BUNDLE",
            percent=Decimal(50),
            bundle_ids=["P-PAINT", "P-ROLLER"],
            channels=["STORE"],
        ),
    )


async def test_journey_1_the_store_can_and_two_online_cans_make_a_three_for_two(sessions):
    await paint_shop(sessions)
    store_purchase = {
        "order_id": "o000042",
        "channel": "STORE",
        "placed_at": (T0 - timedelta(days=1)).isoformat(),
        "variant_id": "V-PAINT",
        "quantity": 1,
    }

    doc = await service(sessions).quote(
        [{"variant_id": "V-PAINT", "quantity": 2}],
        channel="WEB",
        customer_id="cu00001",
        history=[store_purchase],
    )

    assert [(d["promotion_id"], d["kind"], d["amount"]) for d in doc["lines"][0]["discounts"]] == [
        ("pr01", "MULTI_BUY", "39.95")
    ]
    assert (doc["subtotal"], doc["discount_total"], doc["total"]) == ("79.90", "39.95", "39.95")


async def test_a_quote_applies_line_rules_then_order_rules_and_reports_coupons(sessions):
    await paint_shop(sessions)

    doc = await service(sessions).quote(
        [{"variant_id": "V-PAINT", "quantity": 3}, {"variant_id": "V-ROLLER", "quantity": 2}],
        channel="WEB",
        coupons=["extra10", "OLD", "NOPE"],
    )

    # Paint: the 3-for-2 (39.95) beats the EXTRA10 stack (11.99). Rollers: 2 × 2.00 off
    # (AMOUNT_OFF) beats TIERED 10 % (1.99) and the coupon (1.99). Then 5.00 off the
    # order (79.90 + 15.90 = 95.80 is below 100.00: not applied).
    assert [
        [(d["promotion_id"], d["amount"]) for d in line["discounts"]] for line in doc["lines"]
    ] == [[("pr01", "39.95")], [("pr02", "4.00")]]
    assert doc["total"] == "95.80"
    assert doc["coupons"] == [
        {"code": "extra10", "status": "NOT_APPLICABLE"},
        {"code": "OLD", "status": "EXPIRED"},
        {"code": "NOPE", "status": "UNKNOWN"},
    ]


async def test_an_order_rule_is_shared_over_the_lines(sessions):
    await paint_shop(sessions)

    doc = await service(sessions).quote(
        [{"variant_id": "V-PAINT", "quantity": 2}, {"variant_id": "V-ROLLER", "quantity": 3}],
        channel="WEB",
    )

    # 79.90 + (29.85 - 6.00) = 103.75 >= 100.00: 5.00 off, shared 79.90 : 23.85.
    assert [
        [(d["promotion_id"], d["amount"]) for d in line["discounts"]] for line in doc["lines"]
    ] == [[("pr04", "3.85")], [("pr02", "6.00"), ("pr04", "1.15")]]
    assert [line["total"] for line in doc["lines"]] == ["76.05", "22.70"]
    assert doc["total"] == "98.75"


async def test_a_price_total_matches_the_one_line_quote(sessions):
    await paint_shop(sessions)

    (price,) = await service(sessions).get_prices(["V-PAINT"], channel="WEB", quantity=3)
    quote = await service(sessions).quote([{"variant_id": "V-PAINT", "quantity": 3}], channel="WEB")

    assert (price["amount"], price["total"]) == ("26.63", "79.90")
    assert quote["total"] == price["total"]


async def test_the_promotions_list_gives_the_running_ones_and_hides_coupon_codes(sessions):
    await paint_shop(sessions)
    prices = service(sessions)

    running = await prices.get_promotions()
    cross = await prices.get_promotions(cross_channel=True)
    earlier = await prices.get_promotions(active_at=T0 - timedelta(days=25))

    assert [p["id"] for p in running] == ["pr01", "pr02", "pr04", "pr07", "pr03", "pr05"]
    assert [p["id"] for p in earlier] == ["pr06"]
    assert cross == [
        {
            "id": "pr01",
            "kind": "MULTI_BUY",
            "name": {"nl": "Actie pr01", "en": "Promotion pr01"},
            "description": {"nl": "Beschrijving pr01", "en": "Description pr01"},
            "priority": 0,
            "combinable": False,
            "cross_channel": True,
            "requires_coupon": False,
            "channels": ["STORE", "WEB"],
            "tiers": None,
            "product_ids": ["P-PAINT"],
            "category_id": None,
            "brand": None,
            "bundle_ids": None,
            "percent": None,
            "amount": None,
            "buy_quantity": 3,
            "pay_quantity": 2,
            "quantity_tiers": None,
            "min_subtotal": None,
            "starts_at": (T0 - timedelta(days=1)).isoformat(),
            "ends_at": WEEK_END.isoformat(),
        }
    ]
    coupon = next(p for p in running if p["id"] == "pr05")
    assert (coupon["requires_coupon"], "coupon_code" in coupon) == (True, False)
    tiered = next(p for p in running if p["id"] == "pr03")
    assert tiered["quantity_tiers"] == [{"min_quantity": 2, "percent": "10.00"}]


@pytest.mark.parametrize(
    "history",
    [
        [{"order_id": "o1", "channel": "STORE", "variant_id": "V-PAINT", "quantity": 1}],
        [
            {
                "order_id": "o1",
                "channel": "STORE",
                "placed_at": "2026-06-01T10:00:00",
                "variant_id": "V-PAINT",
                "quantity": 1,
            }
        ],
        [
            {
                "order_id": "o1",
                "channel": "STORE",
                "placed_at": "2026-06-01T10:00:00+00:00",
                "variant_id": "V-PAINT",
                "quantity": 0,
            }
        ],
        ["o1"],
    ],
)
async def test_a_malformed_history_line_is_an_invalid_request(sessions, history):
    await paint_shop(sessions)

    with pytest.raises(InvalidRequest, match=r"history|quantity"):
        await service(sessions).quote(
            [{"variant_id": "V-PAINT", "quantity": 1}], channel="WEB", history=history
        )
