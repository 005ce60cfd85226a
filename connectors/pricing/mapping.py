"""Turns the price engine's JSON documents into canonical price and quote records.

The documents are those of `backoffice.pricing.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.errors import SourceContractViolation
from connectors.pricing.records import (
    AppliedPromotion,
    LineDiscount,
    Price,
    Quote,
    QuotedLine,
    QuoteLineRequest,
)

SOURCE = "pricing"


def to_price(doc: Any) -> Price:
    with _contract("price"):
        valid_until = doc["valid_until"]
        return Price(
            variant_id=_str(doc["variant_id"]),
            currency=_str(doc["currency"]),
            list_amount=_money(doc["list_amount"]),
            amount=_money(doc["amount"]),
            promotions=tuple(_applied(item) for item in _list(doc["promotions"])),
            valid_until=None if valid_until is None else _timestamp(valid_until),
        )


def to_quote(doc: Any) -> Quote:
    with _contract("quote"):
        return Quote(
            currency=_str(doc["currency"]),
            lines=tuple(_quoted_line(item) for item in _list(doc["lines"])),
            subtotal=_money(doc["subtotal"]),
            discount_total=_money(doc["discount_total"]),
            total=_money(doc["total"]),
            promotions=tuple(_applied(item) for item in _list(doc["promotions"])),
        )


def from_quote_line(line: QuoteLineRequest) -> dict[str, Any]:
    """A basket line as the price engine's quote request takes it."""
    return {"variant_id": line.variant_id, "quantity": line.quantity}


def _applied(doc: Any) -> AppliedPromotion:
    return AppliedPromotion(
        id=_str(doc["id"]),
        name=_text(doc["name"]),
        description=_text(doc["description"]),
        discount=_money(doc["discount"]),
    )


def _quoted_line(doc: Any) -> QuotedLine:
    return QuotedLine(
        variant_id=_str(doc["variant_id"]),
        quantity=_int(doc["quantity"]),
        unit_list_amount=_money(doc["unit_list_amount"]),
        discounts=tuple(
            LineDiscount(
                promotion_id=_str(item["promotion_id"]),
                name=_text(item["name"]),
                amount=_money(item["amount"]),
            )
            for item in _list(doc["discounts"])
        ),
        total=_money(doc["total"]),
    )


@contextmanager
def _contract(kind: str) -> Iterator[None]:
    try:
        yield
    except KeyError as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document lacks the field {exc}") from exc
    # decimal.InvalidOperation is an ArithmeticError, not a ValueError.
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document is malformed: {exc}") from exc


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _text(value: object) -> dict[str, str]:
    """Localised text: {locale: text}."""
    if not isinstance(value, dict):
        raise TypeError(f"expected localised text, got {value!r}")
    return {_str(locale): _str(text) for locale, text in value.items()}


def _money(value: object) -> Decimal:
    """A decimal string such as "19.99"; never a float, which cannot hold cents exactly."""
    amount = Decimal(_str(value))
    if not amount.is_finite():
        raise ValueError(f"expected an amount, got {value!r}")
    return amount


def _timestamp(value: object) -> datetime:
    at = datetime.fromisoformat(_str(value))
    if at.tzinfo is None:
        raise ValueError(f"expected a timestamp with a UTC offset, got {value!r}")
    return at.astimezone(UTC)
