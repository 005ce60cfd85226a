"""Tables of the price engine: list prices per variant and channel, and promotions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.db import Base, Money, UtcDateTime


class ListPrice(Base):
    """The list (shelf) price of a variant in a channel, tax included."""

    __tablename__ = "price_list_price"

    variant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    amount: Mapped[Decimal] = mapped_column(Money)


class PriceItem(Base):
    """The price engine's own copy of the item master: what a promotion can target a variant by."""

    __tablename__ = "price_item"

    variant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(32), index=True)
    brand: Mapped[str | None] = mapped_column(String(64))
    category_ids: Mapped[list[str]] = mapped_column(JSON)


class Promotion(Base):
    """A promotion rule as data; `backoffice.pricing.rules` says which fields each kind reads.

    It targets products, a category or a brand (whichever is set; none means everything;
    a BUNDLE targets its `bundle_ids`), in the listed channels, optionally only for some
    customer tiers, and only with its `coupon_code` when it has one. `cross_channel`
    promotions count the customer's purchases in every channel within the period.
    `priority` (lower first) and `combinable` decide how it meets other promotions.
    `quantity_tiers` is a list of {"min_quantity": 3, "percent": "10"} objects.
    """

    __tablename__ = "price_promotion"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    percent: Mapped[Decimal | None] = mapped_column(Money)
    amount: Mapped[Decimal | None] = mapped_column(Money, default=None)
    buy_quantity: Mapped[int | None] = mapped_column(Integer)
    pay_quantity: Mapped[int | None] = mapped_column(Integer)
    quantity_tiers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=None)
    bundle_ids: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    min_subtotal: Mapped[Decimal | None] = mapped_column(Money, default=None)
    product_ids: Mapped[list[str] | None] = mapped_column(JSON)
    category_id: Mapped[str | None] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(64))
    channels: Mapped[list[str]] = mapped_column(JSON)
    tiers: Mapped[list[str] | None] = mapped_column(JSON)
    cross_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    coupon_code: Mapped[str | None] = mapped_column(String(32), index=True, default=None)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    combinable: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
