"""The price engine's service layer: unit prices per channel and quotes for whole baskets.

It loads list prices, the item copy and the promotions that have not ended (one SQL
statement per table per call) and leaves the maths to `backoffice.pricing.engine`. Every
method returns JSON-compatible documents, the same ones the price engine's REST API serves.
A price (`promotions` gives each applied promotion's discount per unit; promotions do not
stack, so there is at most one)::

    {
        "variant_id": "V-2001-1L",
        "channel": "WEB",
        "quantity": 1,
        "currency": "EUR",
        "list_amount": "19.99",
        "amount": "16.99",
        "promotions": [
            {"id": "PROMO-PAINT-15", "name": {"nl": "15% op verf", "en": "15% off paint"},
             "description": {"nl": "Alle verf", "en": "All paint"}, "discount": "3.00"}
        ],
        "valid_until": "2026-06-08T00:00:00+00:00"
    }

A quote (line `discounts` are per line; quote `promotions` sum them over the basket)::

    {
        "currency": "EUR",
        "lines": [
            {"variant_id": "V-2001-1L", "quantity": 3, "unit_list_amount": "19.99",
             "discounts": [{"promotion_id": "PROMO-PAINT-3FOR2",
                            "name": {"nl": "3 halen, 2 betalen", "en": "3 for 2"},
                            "amount": "19.99"}],
             "total": "39.98"}
        ],
        "subtotal": "59.97",
        "discount_total": "19.99",
        "total": "39.98",
        "promotions": [
            {"id": "PROMO-PAINT-3FOR2", "name": {"nl": "3 halen, 2 betalen", "en": "3 for 2"},
             "description": {"nl": "Op alle verf", "en": "On all paint"}, "discount": "19.99"}
        ]
    }
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.documents import timestamp
from backoffice.errors import InvalidRequest, UnknownItems
from backoffice.pricing import engine, models
from kernel.clock import Clock

#: A JSON-compatible document as the price engine's API serves it.
Document = dict[str, Any]

#: The channel whose list price applies where a channel has none of its own.
DEFAULT_CHANNEL = "DEFAULT"

_KINDS: dict[str, engine.PromotionKind] = {"PERCENT": "PERCENT", "MULTI_BUY": "MULTI_BUY"}


class PricingService:
    """Prices and quotes; `clock` gives "now" when a call passes no `at`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def get_prices(
        self,
        variant_ids: Sequence[str],
        *,
        channel: str,
        quantity: int = 1,
        tier: str | None = None,
        at: datetime | None = None,
    ) -> list[Document]:
        """The unit price of each variant when `quantity` units are bought; unpriced ones are missing."""
        if quantity < 1:
            raise InvalidRequest(f"quantity must be 1 or more, got {quantity}")
        at = self._moment(at)
        listing = await self._load(variant_ids, channel, at)
        documents = []
        for variant_id in dict.fromkeys(variant_ids):
            if variant_id not in listing.prices:
                continue
            row = listing.prices[variant_id]
            price = engine.price_unit(
                listing.item(variant_id),
                row.amount,
                listing.promotions,
                channel=channel,
                tier=tier,
                quantity=quantity,
                at=at,
                currency=row.currency,
            )
            documents.append(_price_document(price, channel=channel, quantity=quantity))
        return documents

    async def quote(
        self,
        lines: Sequence[Mapping[str, Any]],
        *,
        channel: str,
        customer_id: str | None = None,
        tier: str | None = None,
        at: datetime | None = None,
    ) -> Document:
        """Price a basket of `{"variant_id", "quantity"}` lines with the promotions active at `at`.

        Lines of one variant are counted together for a MULTI_BUY (see
        `engine.price_basket`). `customer_id` is part of the API for cross-channel
        promotions, which will count the customer's purchases in other channels; it is
        not used yet. Raises `UnknownItems` when a variant has no price in the channel.
        """
        del customer_id  # reserved for cross-channel promotions
        requested = [_basket_request(line) for line in lines]
        at = self._moment(at)
        listing = await self._load([variant_id for variant_id, _ in requested], channel, at)
        unknown = [variant_id for variant_id, _ in requested if variant_id not in listing.prices]
        if unknown:
            raise UnknownItems(unknown)
        currencies = {listing.prices[variant_id].currency for variant_id, _ in requested}
        if len(currencies) > 1:
            raise InvalidRequest(f"a basket is priced in one currency, got {sorted(currencies)}")
        basket = engine.price_basket(
            [
                engine.BasketLine(
                    listing.item(variant_id), listing.prices[variant_id].amount, quantity
                )
                for variant_id, quantity in requested
            ],
            listing.promotions,
            channel=channel,
            tier=tier,
            at=at,
            currency=currencies.pop() if currencies else engine.DEFAULT_CURRENCY,
        )
        return _quote_document(basket)

    def _moment(self, at: datetime | None) -> datetime:
        if at is None:
            return self._clock.now()
        if at.tzinfo is None:
            raise InvalidRequest("`at` must be timezone-aware")
        return at.astimezone(UTC)

    async def _load(self, variant_ids: Sequence[str], channel: str, at: datetime) -> _Listing:
        wanted = set(variant_ids)
        if not wanted:
            return _Listing({}, {}, [])
        async with self._sessions() as session:
            price_rows = await session.scalars(
                select(models.ListPrice).where(
                    models.ListPrice.variant_id.in_(wanted),
                    models.ListPrice.channel.in_({channel, DEFAULT_CHANNEL}),
                )
            )
            item_rows = await session.scalars(
                select(models.PriceItem).where(models.PriceItem.variant_id.in_(wanted))
            )
            # Channels, tiers and targets are JSON lists, which SQLite and PostgreSQL query
            # differently; the engine filters on them. Ended promotions never matter again.
            promotion_rows = await session.scalars(
                select(models.Promotion).where(models.Promotion.ends_at > at)
            )
            prices: dict[str, models.ListPrice] = {}
            for row in price_rows:
                if row.channel == channel or row.variant_id not in prices:
                    prices[row.variant_id] = row
            items = {row.variant_id: _item(row) for row in item_rows}
            promotions = [_promotion(row) for row in promotion_rows]
        return _Listing(prices, items, promotions)


@dataclass(frozen=True, slots=True)
class _Listing:
    """What one call needs: list prices by variant (channel before DEFAULT), items, promotions."""

    prices: dict[str, models.ListPrice]
    items: dict[str, engine.Item]
    promotions: list[engine.Promotion]

    def item(self, variant_id: str) -> engine.Item:
        # A variant priced but missing from the item copy can still get untargeted promotions.
        return self.items.get(variant_id) or engine.Item(variant_id)


def _basket_request(line: Mapping[str, Any]) -> tuple[str, int]:
    try:
        variant_id, quantity = line["variant_id"], line["quantity"]
    except (KeyError, TypeError) as exc:
        raise InvalidRequest(f"a quote line needs variant_id and quantity, got {line!r}") from exc
    if not isinstance(variant_id, str):
        raise InvalidRequest(f"variant_id must be a string, got {variant_id!r}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidRequest(f"quantity must be a whole number of 1 or more, got {quantity!r}")
    return variant_id, quantity


def _item(row: models.PriceItem) -> engine.Item:
    return engine.Item(
        variant_id=row.variant_id,
        product_id=row.product_id,
        brand=row.brand,
        category_ids=frozenset(row.category_ids or ()),
    )


def _promotion(row: models.Promotion) -> engine.Promotion:
    kind = _KINDS.get(row.kind)
    if kind is None:
        raise ValueError(f"promotion {row.id}: unknown kind {row.kind!r}")
    return engine.Promotion(
        id=row.id,
        kind=kind,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        channels=frozenset(row.channels),
        name=row.name,
        description=row.description,
        percent=row.percent,
        buy_quantity=row.buy_quantity,
        pay_quantity=row.pay_quantity,
        product_ids=None if row.product_ids is None else frozenset(row.product_ids),
        category_id=row.category_id,
        brand=row.brand,
        tiers=None if row.tiers is None else frozenset(row.tiers),
    )


def _price_document(price: engine.UnitPrice, *, channel: str, quantity: int) -> Document:
    return {
        "variant_id": price.item.variant_id,
        "channel": channel,
        "quantity": quantity,
        "currency": price.currency,
        "list_amount": str(price.list_amount),
        "amount": str(price.amount),
        "promotions": _applied_documents([price.discount] if price.discount else []),
        "valid_until": None if price.valid_until is None else timestamp(price.valid_until),
    }


def _quote_document(basket: engine.PricedBasket) -> Document:
    return {
        "currency": basket.currency,
        "lines": [
            {
                "variant_id": line.item.variant_id,
                "quantity": line.quantity,
                "unit_list_amount": str(line.unit_list_amount),
                "discounts": [
                    {
                        "promotion_id": discount.promotion.id,
                        "name": dict(discount.promotion.name),
                        "amount": str(discount.amount),
                    }
                    for discount in line.discounts
                ],
                "total": str(line.total),
            }
            for line in basket.lines
        ],
        "subtotal": str(basket.subtotal),
        "discount_total": str(basket.discount_total),
        "total": str(basket.total),
        "promotions": _applied_documents(basket.promotions),
    }


def _applied_documents(discounts: Iterable[engine.Discount]) -> list[Document]:
    return [
        {
            "id": discount.promotion.id,
            "name": dict(discount.promotion.name),
            "description": dict(discount.promotion.description),
            "discount": str(discount.amount),
        }
        for discount in discounts
    ]
