"""The price engine's JSON documents: requests read into engine values, results written out.

`backoffice.pricing.service` shows one document of each kind in its docstring; the REST API
serves exactly these, and `backoffice/openapi/schemas.py` describes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backoffice.documents import timestamp
from backoffice.errors import InvalidRequest
from backoffice.pricing import engine, models
from kernel.money import round_money

#: A JSON-compatible document as the price engine's API serves it.
Document = dict[str, Any]

_KINDS: dict[str, engine.PromotionKind] = {kind: kind for kind in engine.KINDS}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of a customer's earlier order, as the gateway fetched it from the OMS."""

    order_id: str
    channel: str
    placed_at: datetime
    variant_id: str
    quantity: int


# ---------- requests ----------


def basket_request(line: Any) -> tuple[str, int]:
    """A `{"variant_id", "quantity"}` quote line, checked."""
    if not isinstance(line, Mapping) or "variant_id" not in line or "quantity" not in line:
        raise InvalidRequest(f"a quote line needs variant_id and quantity, got {line!r}")
    variant_id, quantity = line["variant_id"], line["quantity"]
    if not isinstance(variant_id, str):
        raise InvalidRequest(f"variant_id must be a string, got {variant_id!r}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidRequest(f"quantity must be a whole number of 1 or more, got {quantity!r}")
    return variant_id, quantity


def history_line(line: Any) -> HistoryLine:
    """A `{"order_id", "channel", "placed_at", "variant_id", "quantity"}` history line, checked.

    `placed_at` is a timezone-aware datetime, or an ISO 8601 text with its offset.
    """
    fields = ("order_id", "channel", "placed_at", "variant_id", "quantity")
    if not isinstance(line, Mapping) or any(name not in line for name in fields):
        raise InvalidRequest(f"a history line needs {', '.join(fields)}, got {line!r}")
    for name in ("order_id", "channel", "variant_id"):
        if not isinstance(line[name], str):
            raise InvalidRequest(f"history {name} must be a string, got {line[name]!r}")
    placed_at = line["placed_at"]
    if isinstance(placed_at, str):
        try:
            placed_at = datetime.fromisoformat(placed_at)
        except ValueError:
            raise InvalidRequest(f"history placed_at must be ISO 8601, got {placed_at!r}") from None
    if not isinstance(placed_at, datetime) or placed_at.tzinfo is None:
        raise InvalidRequest(f"history placed_at must carry a UTC offset, got {placed_at!r}")
    _, quantity = basket_request({"variant_id": line["variant_id"], "quantity": line["quantity"]})
    return HistoryLine(line["order_id"], line["channel"], placed_at, line["variant_id"], quantity)


def coupon_codes(codes: Any) -> list[str]:
    if not isinstance(codes, list | tuple) or not all(isinstance(c, str) for c in codes):
        raise InvalidRequest(f"coupons must be a list of codes, got {codes!r}")
    return list(codes)


# ---------- rows into engine values ----------


def item(row: models.PriceItem) -> engine.Item:
    return engine.Item(
        variant_id=row.variant_id,
        product_id=row.product_id,
        brand=row.brand,
        category_ids=frozenset(row.category_ids or ()),
    )


def promotion(row: models.Promotion) -> engine.Promotion:
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
        amount=row.amount,
        buy_quantity=row.buy_quantity,
        pay_quantity=row.pay_quantity,
        quantity_tiers=tuple(
            engine.QuantityTier(int(t["min_quantity"]), Decimal(str(t["percent"])))
            for t in row.quantity_tiers or ()
        ),
        bundle_ids=tuple(row.bundle_ids or ()),
        min_subtotal=row.min_subtotal,
        product_ids=None if row.product_ids is None else frozenset(row.product_ids),
        category_id=row.category_id,
        brand=row.brand,
        tiers=None if row.tiers is None else frozenset(row.tiers),
        coupon_code=row.coupon_code,
        priority=row.priority or 0,
        combinable=bool(row.combinable),
        cross_channel=bool(row.cross_channel),
    )


# ---------- results ----------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def price_document(price: engine.UnitPrice, *, channel: str) -> Document:
    return {
        "variant_id": price.item.variant_id,
        "channel": channel,
        "quantity": price.quantity,
        "currency": price.currency,
        "list_amount": str(price.list_amount),
        "amount": str(price.amount),
        "total": str(price.total),
        "promotions": applied_documents(price.discounts),
        "valid_until": None if price.valid_until is None else timestamp(price.valid_until),
    }


def quote_document(basket: engine.PricedBasket) -> Document:
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
                        "kind": discount.promotion.kind,
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
        "promotions": applied_documents(basket.promotions),
        "coupons": [{"code": c.code, "status": c.status} for c in basket.coupons],
    }


def applied_documents(discounts: Iterable[engine.Discount]) -> list[Document]:
    return [
        {
            "id": discount.promotion.id,
            "name": dict(discount.promotion.name),
            "description": dict(discount.promotion.description),
            "kind": discount.promotion.kind,
            "discount": str(discount.amount),
        }
        for discount in discounts
    ]


def promotion_document(p: engine.Promotion) -> Document:
    """A rule as the promotions list serves it; a coupon's code stays secret (`requires_coupon`)."""
    return {
        "id": p.id,
        "kind": p.kind,
        "name": dict(p.name),
        "description": dict(p.description),
        "priority": p.priority,
        "combinable": p.combinable,
        "cross_channel": p.cross_channel,
        "requires_coupon": p.coupon_code is not None,
        "channels": sorted(p.channels),
        "tiers": None if p.tiers is None else sorted(p.tiers),
        "product_ids": None if p.product_ids is None else sorted(p.product_ids),
        "category_id": p.category_id,
        "brand": p.brand,
        "bundle_ids": list(p.bundle_ids) if p.kind == "BUNDLE" else None,
        "percent": _money(p.percent),
        "amount": _money(p.amount),
        "buy_quantity": p.buy_quantity,
        "pay_quantity": p.pay_quantity,
        "quantity_tiers": (
            [
                {"min_quantity": t.min_quantity, "percent": str(round_money(t.percent))}
                for t in p.quantity_tiers
            ]
            if p.kind == "TIERED"
            else None
        ),
        "min_subtotal": _money(p.min_subtotal),
        "starts_at": timestamp(p.starts_at),
        "ends_at": timestamp(p.ends_at),
    }
