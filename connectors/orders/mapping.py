"""Turns the OMS's JSON documents into canonical order and return records.

The documents are those of `backoffice.orders.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from connectors.errors import SourceContractViolation
from connectors.orders.records import (
    Fulfillment,
    HistoryEvent,
    LineDiscount,
    Order,
    OrderLine,
    Payment,
    Refund,
    RefundComponent,
    Return,
    ReturnLine,
)

SOURCE = "orders"


def to_order(doc: Any) -> Order:
    with _contract("order"):
        return Order(
            id=_str(doc["id"]),
            number=_str(doc["number"]),
            channel=_str(doc["channel"]),
            location_id=_opt_str(doc["location_id"]),
            customer_id=_opt_str(doc["customer_id"]),
            status=_str(doc["status"]),
            placed_at=_timestamp(doc["placed_at"]),
            currency=_str(doc["currency"]),
            lines=tuple(_line(item) for item in _list(doc["lines"])),
            subtotal=_money(doc["subtotal"]),
            discount_total=_money(doc["discount_total"]),
            shipping=_money(doc["shipping"]),
            total=_money(doc["total"]),
            payments=tuple(
                Payment(method=_str(item["method"]), amount=_money(item["amount"]))
                for item in _list(doc["payments"])
            ),
            fulfillments=tuple(_fulfillment(item) for item in _list(doc["fulfillments"])),
            history=tuple(_history_event(item) for item in _list(doc["history"])),
            version=_int(doc["version"]),
        )


def to_return(doc: Any) -> Return:
    with _contract("return"):
        refund = doc["refund"]
        return Return(
            id=_str(doc["id"]),
            order_id=_str(doc["order_id"]),
            channel=_str(doc["channel"]),
            status=_str(doc["status"]),
            lines=tuple(
                ReturnLine(
                    order_line_id=_str(item["order_line_id"]),
                    quantity=_int(item["quantity"]),
                    reason=_opt_str(item["reason"]),
                )
                for item in _list(doc["lines"])
            ),
            destination_location_id=_opt_str(doc["destination_location_id"]),
            refund=None if refund is None else _refund(refund),
        )


def _line(doc: Any) -> OrderLine:
    return OrderLine(
        id=_str(doc["id"]),
        variant_id=_opt_str(doc["variant_id"]),
        sku=_str(doc["sku"]),
        quantity=_int(doc["quantity"]),
        unit_list_amount=_money(doc["unit_list_amount"]),
        discounts=tuple(
            LineDiscount(
                promotion_id=_str(item["promotion_id"]),
                name=_localized(item["name"]),
                amount=_money(item["amount"]),
            )
            for item in _list(doc["discounts"])
        ),
        tax=_money(doc["tax"]),
        total=_money(doc["total"]),
        returned_quantity=_int(doc["returned_quantity"]),
    )


def _fulfillment(doc: Any) -> Fulfillment:
    delivery_date = doc["delivery_date"]
    return Fulfillment(
        id=_str(doc["id"]),
        type=_str(doc["type"]),
        location_id=_opt_str(doc["location_id"]),
        status=_str(doc["status"]),
        delivery_date=None if delivery_date is None else date.fromisoformat(_str(delivery_date)),
    )


def _history_event(doc: Any) -> HistoryEvent:
    return HistoryEvent(
        at=_timestamp(doc["at"]),
        actor=_str(doc["actor"]),
        channel=_opt_str(doc["channel"]),
        action=_str(doc["action"]),
        detail=_opt_str(doc["detail"]),
    )


def _refund(doc: Any) -> Refund:
    return Refund(
        amount=_money(doc["amount"]),
        currency=_str(doc["currency"]),
        method=_str(doc["method"]),
        breakdown=tuple(
            RefundComponent(kind=_str(item["kind"]), amount=_money(item["amount"]))
            for item in _list(doc["breakdown"])
        ),
        loyalty_points_reversed=_int(doc["loyalty_points_reversed"]),
    )


@contextmanager
def _contract(kind: str) -> Iterator[None]:
    try:
        yield
    except KeyError as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document lacks the field {exc}") from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document is malformed: {exc}") from exc


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    # bool is an int to Python, not to JSON.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _localized(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected localised text {{locale: text}}, got {value!r}")
    return {_str(locale): _str(text) for locale, text in value.items()}


def _money(value: object) -> Decimal:
    amount = Decimal(_str(value))
    if not amount.is_finite():
        raise ValueError(f"expected an amount, got {value!r}")
    return amount


def _timestamp(value: object) -> datetime:
    at = datetime.fromisoformat(_str(value))
    if at.tzinfo is None:
        raise ValueError(f"expected a timestamp with a UTC offset, got {value!r}")
    return at.astimezone(UTC)
