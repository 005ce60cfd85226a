"""The price engine's service: price and quote documents from the database, batch-first."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice.errors import InvalidRequest, UnknownItems
from tests.backoffice.pricing.rows import (
    T0,
    WEEK_END,
    count_statements,
    insert,
    item,
    list_price,
    promotion,
    service,
)

pytestmark = pytest.mark.anyio


async def test_a_price_document_gives_list_amount_promotion_and_validity(sessions):
    # given
    await insert(
        sessions,
        list_price("V-1", "19.99"),
        item("V-1", "P-1", brand="Flexa"),
        promotion("PR-15", percent=Decimal(15), brand="Flexa"),
    )

    # when
    docs = await service(sessions).get_prices(["V-1"], channel="WEB")

    # then
    assert docs == [
        {
            "variant_id": "V-1",
            "channel": "WEB",
            "quantity": 1,
            "currency": "EUR",
            "list_amount": "19.99",
            "amount": "16.99",
            "total": "16.99",
            "promotions": [
                {
                    "id": "PR-15",
                    "name": {"nl": "Actie PR-15", "en": "Promotion PR-15"},
                    "description": {"nl": "Beschrijving PR-15", "en": "Description PR-15"},
                    "kind": "PERCENT",
                    "discount": "3.00",
                }
            ],
            "valid_until": WEEK_END.isoformat(),
        }
    ]


async def test_a_channel_price_wins_over_the_default_price(sessions):
    await insert(
        sessions,
        list_price("V-1", "20.00"),
        list_price("V-1", "18.00", channel="WEB"),
        list_price("V-2", "5.00", channel="POS"),
    )

    web = await service(sessions).get_prices(["V-1", "V-2", "V-3"], channel="WEB")
    pos = await service(sessions).get_prices(["V-1", "V-2"], channel="POS")

    # V-2 has neither a WEB nor a DEFAULT price, V-3 no price at all: both missing.
    assert [(d["variant_id"], d["list_amount"]) for d in web] == [("V-1", "18.00")]
    assert [(d["variant_id"], d["list_amount"]) for d in pos] == [("V-1", "20.00"), ("V-2", "5.00")]


async def test_a_price_without_promotions_has_no_validity_limit(sessions):
    await insert(sessions, list_price("V-1", "20.00"))

    (doc,) = await service(sessions).get_prices(["V-1"], channel="WEB")

    assert (doc["amount"], doc["promotions"], doc["valid_until"]) == ("20.00", [], None)


async def test_a_price_depends_on_quantity_tier_and_moment(sessions):
    await insert(
        sessions,
        list_price("V-1", "10.00"),
        item("V-1", "P-1"),
        promotion("PR-3FOR2", kind="MULTI_BUY", percent=None, buy_quantity=3, pay_quantity=2),
        promotion("PR-GOLD", percent=Decimal(50), tiers=["GOLD"]),
        promotion("PR-ENDED", percent=Decimal(90), ends_at=T0 - timedelta(hours=1)),
    )
    prices = service(sessions)

    async def amount(**kwargs: Any) -> str:
        (doc,) = await prices.get_prices(["V-1"], channel="WEB", **kwargs)
        return str(doc["amount"])

    assert await amount() == "10.00"
    assert await amount(quantity=3) == "6.67"
    assert await amount(quantity=3, tier="GOLD") == "5.00"
    assert await amount(at=T0 - timedelta(hours=2)) == "1.00"
    assert await amount(at=WEEK_END) == "10.00"


async def test_a_promotion_starting_later_bounds_the_price(sessions):
    starts = T0 + timedelta(days=1)
    await insert(
        sessions,
        list_price("V-1", "10.00"),
        promotion("PR-SOON", starts_at=starts, ends_at=starts + timedelta(days=7)),
    )

    (doc,) = await service(sessions).get_prices(["V-1"], channel="WEB")

    assert (doc["amount"], doc["valid_until"]) == ("10.00", starts.isoformat())


async def test_a_batch_of_prices_takes_one_statement_per_table(sessions, engine):
    await insert(
        sessions,
        *[list_price(f"V-{n}", "10.00") for n in range(5)],
        *[item(f"V-{n}", "P-1") for n in range(5)],
        promotion("PR-1"),
        promotion("PR-2", brand="Flexa"),
    )

    with count_statements(engine) as statements:
        docs = await service(sessions).get_prices([f"V-{n}" for n in range(6)], channel="WEB")

    assert len(docs) == 5
    assert len(statements) == 3  # list prices, items, promotions


async def test_a_price_needs_a_quantity_and_an_aware_moment(sessions):
    with pytest.raises(InvalidRequest, match="quantity"):
        await service(sessions).get_prices(["V-1"], channel="WEB", quantity=0)
    with pytest.raises(InvalidRequest, match="timezone"):
        await service(sessions).get_prices(["V-1"], channel="WEB", at=datetime(2026, 6, 3))


async def test_a_quote_document_prices_each_line_and_sums_the_promotions(sessions, engine):
    # given
    await insert(
        sessions,
        list_price("V-PAINT", "10.00"),
        list_price("V-BAG", "50.00"),
        item("V-PAINT", "P-PAINT", brand="Flexa"),
        item("V-BAG", "P-BAG", brand="Vandenberg"),
        promotion(
            "PR-3FOR2",
            kind="MULTI_BUY",
            percent=None,
            buy_quantity=3,
            pay_quantity=2,
            brand="Flexa",
        ),
    )
    lines = [
        {"variant_id": "V-PAINT", "quantity": 1},
        {"variant_id": "V-BAG", "quantity": 1},
        {"variant_id": "V-PAINT", "quantity": 2},
    ]

    # when
    with count_statements(engine) as statements:
        doc = await service(sessions).quote(lines, channel="WEB", customer_id="C-1")

    # then
    name = {"nl": "Actie PR-3FOR2", "en": "Promotion PR-3FOR2"}
    assert doc == {
        "currency": "EUR",
        "lines": [
            {
                "variant_id": "V-PAINT",
                "quantity": 1,
                "unit_list_amount": "10.00",
                "discounts": [
                    {
                        "promotion_id": "PR-3FOR2",
                        "name": name,
                        "kind": "MULTI_BUY",
                        "amount": "3.33",
                    }
                ],
                "total": "6.67",
            },
            {
                "variant_id": "V-BAG",
                "quantity": 1,
                "unit_list_amount": "50.00",
                "discounts": [],
                "total": "50.00",
            },
            {
                "variant_id": "V-PAINT",
                "quantity": 2,
                "unit_list_amount": "10.00",
                "discounts": [
                    {
                        "promotion_id": "PR-3FOR2",
                        "name": name,
                        "kind": "MULTI_BUY",
                        "amount": "6.67",
                    }
                ],
                "total": "13.33",
            },
        ],
        "subtotal": "80.00",
        "discount_total": "10.00",
        "total": "70.00",
        "promotions": [
            {
                "id": "PR-3FOR2",
                "name": name,
                "description": {"nl": "Beschrijving PR-3FOR2", "en": "Description PR-3FOR2"},
                "kind": "MULTI_BUY",
                "discount": "10.00",
            }
        ],
        "coupons": [],
    }
    assert len(statements) == 3


async def test_a_quote_names_every_unknown_variant(sessions):
    await insert(sessions, list_price("V-1", "10.00", channel="POS"))

    with pytest.raises(UnknownItems) as caught:
        await service(sessions).quote(
            [{"variant_id": "V-2", "quantity": 1}, {"variant_id": "V-1", "quantity": 1}],
            channel="WEB",
        )

    assert caught.value.ids == ("V-1", "V-2")


@pytest.mark.parametrize(
    "line",
    [
        {"variant_id": "V-1"},
        {"variant_id": "V-1", "quantity": 0},
        {"variant_id": "V-1", "quantity": 1.5},
        {"variant_id": "V-1", "quantity": True},
        {"variant_id": 1, "quantity": 1},
        "V-1",
    ],
)
async def test_a_malformed_quote_line_is_an_invalid_request(sessions, line):
    with pytest.raises(InvalidRequest):
        await service(sessions).quote([line], channel="WEB")


async def test_an_empty_basket_costs_nothing(sessions, engine):
    with count_statements(engine) as statements:
        doc = await service(sessions).quote([], channel="WEB")

    assert doc == {
        "currency": "EUR",
        "lines": [],
        "subtotal": "0.00",
        "discount_total": "0.00",
        "total": "0.00",
        "promotions": [],
        "coupons": [],
    }
    assert statements == []


async def test_a_basket_in_two_currencies_is_refused(sessions):
    await insert(sessions, list_price("V-1", "10.00"), list_price("V-2", "100.00", currency="SEK"))

    with pytest.raises(InvalidRequest, match="one currency"):
        await service(sessions).quote(
            [{"variant_id": "V-1", "quantity": 1}, {"variant_id": "V-2", "quantity": 1}],
            channel="WEB",
        )
