"""The price engine's service layer: unit prices per channel, basket quotes, the promotions list.

It loads list prices, the item copy and the promotions that have not ended (one SQL
statement per table per call) and leaves the maths to `backoffice.pricing.engine`, the one
place promotions are evaluated. Every method returns JSON-compatible documents
(`backoffice.pricing.documents`), the same ones the price engine's REST API serves.

A price (`amount` per unit, `total` for `quantity` units, computed exactly as a quote of
that one line without ORDER or coupon rules; `promotions` give each discount per unit)::

    {
        "variant_id": "v000001", "channel": "WEB", "quantity": 3, "currency": "EUR",
        "list_amount": "39.95", "amount": "26.63", "total": "79.90",
        "promotions": [
            {"id": "pr01", "name": {"nl": "3 halen, 2 betalen", "en": "3 for 2"},
             "description": {"nl": "...", "en": "..."}, "kind": "MULTI_BUY", "discount": "13.32"}
        ],
        "valid_until": "2026-06-08T00:00:00+00:00"
    }

A quote (each line lists every discount that touched it, its share of ORDER ones
included; quote `promotions` sum them over the basket; `coupons` report each code passed
as APPLIED, UNKNOWN, EXPIRED or NOT_APPLICABLE)::

    {
        "currency": "EUR",
        "lines": [
            {"variant_id": "v000001", "quantity": 2, "unit_list_amount": "39.95",
             "discounts": [{"promotion_id": "pr01", "name": {...}, "kind": "MULTI_BUY",
                            "amount": "39.95"}],
             "total": "39.95"}
        ],
        "subtotal": "79.90", "discount_total": "39.95", "total": "39.95",
        "promotions": [{"id": "pr01", "name": {...}, "description": {...},
                        "kind": "MULTI_BUY", "discount": "39.95"}],
        "coupons": [{"code": "WELCOME10", "status": "NOT_APPLICABLE"}]
    }

A history line (the customer's earlier purchases, any channel, for cross-channel rules)::

    {"order_id": "o000042", "channel": "STORE", "placed_at": "2026-06-01T10:15:00+00:00",
     "variant_id": "v000001", "quantity": 1}

A promotion (`GET /pricing/v1/promotions`; see `documents.promotion_document`)::

    {"id": "pr01", "kind": "MULTI_BUY", "name": {...}, "description": {...},
     "priority": 0, "combinable": false, "cross_channel": true, "requires_coupon": false,
     "channels": ["APP", "STORE", "WEB"], "tiers": null, "product_ids": ["p00001"],
     "category_id": null, "brand": null, "bundle_ids": null, "percent": null,
     "amount": null, "buy_quantity": 3, "pay_quantity": 2, "quantity_tiers": null,
     "min_subtotal": null, "starts_at": "...", "ends_at": "..."}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.errors import InvalidRequest, UnknownItems
from backoffice.pricing import documents, engine, models
from backoffice.pricing.documents import Document
from backoffice.pricing.rules import coupon_key
from kernel.clock import Clock

__all__ = ["DEFAULT_CHANNEL", "Document", "PricingService"]

#: The channel whose list price applies where a channel has none of its own.
DEFAULT_CHANNEL = "DEFAULT"

#: At most this many history lines or coupons per quote: a basket, not a data export.
MAX_HISTORY = 500
MAX_COUPONS = 10


class PricingService:
    """Prices, quotes and the promotions list; `clock` gives "now" when a call passes no `at`."""

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
        """The price of each variant when `quantity` units are bought; unpriced ones are missing."""
        if quantity < 1:
            raise InvalidRequest(f"quantity must be 1 or more, got {quantity}")
        at = self._moment(at)
        listing = await self._load(variant_ids, channel, at)
        documents_ = []
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
            documents_.append(documents.price_document(price, channel=channel))
        return documents_

    async def quote(
        self,
        lines: Sequence[Any],
        *,
        channel: str,
        customer_id: str | None = None,
        tier: str | None = None,
        at: datetime | None = None,
        history: Sequence[Any] = (),
        coupons: Sequence[str] = (),
    ) -> Document:
        """Price a basket of `{"variant_id", "quantity"}` lines with the promotions active at `at`.

        `history` is the customer's earlier purchases in every channel (history lines as in
        this module's docstring), which the caller fetched from the OMS: cross-channel
        promotions count them within their own period. `customer_id` names whose they are
        (the engine keeps no customer data of its own). `coupons` are the codes the customer
        entered. Raises `UnknownItems` when a variant has no price in the channel.
        """
        del customer_id  # the history arrives with the call; nothing else depends on who
        requested = [documents.basket_request(line) for line in lines]
        if len(history) > MAX_HISTORY:
            raise InvalidRequest(f"at most {MAX_HISTORY} history lines, got {len(history)}")
        earlier = [documents.history_line(line) for line in history]
        codes = documents.coupon_codes(coupons)
        if len(codes) > MAX_COUPONS:
            raise InvalidRequest(f"at most {MAX_COUPONS} coupons, got {len(codes)}")
        at = self._moment(at)
        listing = await self._load(
            [variant_id for variant_id, _ in requested],
            channel,
            at,
            also_items=[line.variant_id for line in earlier],
            coupons=codes,
        )
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
            history=[
                engine.Purchase(
                    listing.item(line.variant_id),
                    line.quantity,
                    line.placed_at.astimezone(UTC),
                    line.channel,
                )
                for line in earlier
            ],
            coupons=codes,
        )
        return documents.quote_document(basket)

    async def get_promotions(
        self, *, active_at: datetime | None = None, cross_channel: bool | None = None
    ) -> list[Document]:
        """The promotions running at `active_at` (default: now), by priority then id.

        `cross_channel=True` keeps the cross-channel ones only: a gateway asks for them to
        know from when to fetch a customer's purchases (the earliest `starts_at`).
        """
        at = self._moment(active_at)
        async with self._sessions() as session:
            rows = await session.scalars(
                select(models.Promotion).where(
                    models.Promotion.starts_at <= at, models.Promotion.ends_at > at
                )
            )
            rules = [documents.promotion(row) for row in rows]
        chosen = [p for p in rules if cross_channel is None or p.cross_channel is cross_channel]
        chosen.sort(key=lambda p: (p.priority, p.id))
        return [documents.promotion_document(p) for p in chosen]

    def _moment(self, at: datetime | None) -> datetime:
        if at is None:
            return self._clock.now()
        if at.tzinfo is None:
            raise InvalidRequest("`at` must be timezone-aware")
        return at.astimezone(UTC)

    async def _load(
        self,
        variant_ids: Sequence[str],
        channel: str,
        at: datetime,
        *,
        also_items: Sequence[str] = (),
        coupons: Sequence[str] = (),
    ) -> _Listing:
        wanted = set(variant_ids)
        keys = {coupon_key(code) for code in coupons} - {""}
        if not wanted and not keys:
            return _Listing({}, {}, [])
        async with self._sessions() as session:
            price_rows = await session.scalars(
                select(models.ListPrice).where(
                    models.ListPrice.variant_id.in_(wanted),
                    models.ListPrice.channel.in_({channel, DEFAULT_CHANNEL}),
                )
            )
            item_rows = await session.scalars(
                select(models.PriceItem).where(
                    models.PriceItem.variant_id.in_(wanted | set(also_items))
                )
            )
            # Channels, tiers and targets are JSON lists, which SQLite and PostgreSQL query
            # differently; the engine filters on them. Ended promotions never matter again,
            # except to tell a customer that the coupon entered has expired.
            running = models.Promotion.ends_at > at
            promotion_rows = await session.scalars(
                select(models.Promotion).where(
                    or_(running, func.upper(models.Promotion.coupon_code).in_(keys))
                    if keys
                    else running
                )
            )
            prices: dict[str, models.ListPrice] = {}
            for row in price_rows:
                if row.channel == channel or row.variant_id not in prices:
                    prices[row.variant_id] = row
            items = {row.variant_id: documents.item(row) for row in item_rows}
            promotions = [documents.promotion(row) for row in promotion_rows]
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
