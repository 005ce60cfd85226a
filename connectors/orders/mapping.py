"""Turns the OMS's JSON documents into canonical order and return records.

The documents are those of `backoffice.orders.service` (its docstring shows one of each
kind); the embedded and the HTTP adapter both parse them here. A document that lacks a
field or has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from connectors._documents import (
    array,
    contract,
    integer,
    localized,
    money,
    optional,
    string,
    timestamp,
)
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
# The OMS's errors have always said "integer" where the other sources say "whole number".
_integer = partial(integer, expected="an integer")


def to_order(doc: Any) -> Order:
    with contract(SOURCE, "order"):
        return Order(
            id=string(doc["id"]),
            number=string(doc["number"]),
            channel=string(doc["channel"]),
            location_id=optional(string, doc["location_id"]),
            customer_id=optional(string, doc["customer_id"]),
            status=string(doc["status"]),
            placed_at=timestamp(doc["placed_at"]),
            currency=string(doc["currency"]),
            lines=tuple(_line(item) for item in array(doc["lines"])),
            subtotal=money(doc["subtotal"]),
            discount_total=money(doc["discount_total"]),
            shipping=money(doc["shipping"]),
            total=money(doc["total"]),
            payments=tuple(
                Payment(method=string(item["method"]), amount=money(item["amount"]))
                for item in array(doc["payments"])
            ),
            fulfillments=tuple(_fulfillment(item) for item in array(doc["fulfillments"])),
            history=tuple(_history_event(item) for item in array(doc["history"])),
            version=_integer(doc["version"]),
        )


def to_return(doc: Any) -> Return:
    with contract(SOURCE, "return"):
        refund = doc["refund"]
        return Return(
            id=string(doc["id"]),
            order_id=string(doc["order_id"]),
            channel=string(doc["channel"]),
            status=string(doc["status"]),
            lines=tuple(
                ReturnLine(
                    order_line_id=string(item["order_line_id"]),
                    quantity=_integer(item["quantity"]),
                    reason=optional(string, item["reason"]),
                )
                for item in array(doc["lines"])
            ),
            destination_location_id=optional(string, doc["destination_location_id"]),
            refund=optional(_refund, refund),
        )


def _line(doc: Any) -> OrderLine:
    return OrderLine(
        id=string(doc["id"]),
        variant_id=optional(string, doc["variant_id"]),
        sku=string(doc["sku"]),
        quantity=_integer(doc["quantity"]),
        unit_list_amount=money(doc["unit_list_amount"]),
        discounts=tuple(
            LineDiscount(
                promotion_id=string(item["promotion_id"]),
                name=localized(item["name"]),
                amount=money(item["amount"]),
            )
            for item in array(doc["discounts"])
        ),
        tax=money(doc["tax"]),
        total=money(doc["total"]),
        returned_quantity=_integer(doc["returned_quantity"]),
    )


def _fulfillment(doc: Any) -> Fulfillment:
    delivery_date = doc["delivery_date"]
    return Fulfillment(
        id=string(doc["id"]),
        type=string(doc["type"]),
        location_id=optional(string, doc["location_id"]),
        status=string(doc["status"]),
        delivery_date=None if delivery_date is None else date.fromisoformat(string(delivery_date)),
    )


def _history_event(doc: Any) -> HistoryEvent:
    return HistoryEvent(
        at=timestamp(doc["at"]),
        actor=string(doc["actor"]),
        channel=optional(string, doc["channel"]),
        action=string(doc["action"]),
        detail=optional(string, doc["detail"]),
    )


def _refund(doc: Any) -> Refund:
    return Refund(
        amount=money(doc["amount"]),
        currency=string(doc["currency"]),
        method=string(doc["method"]),
        breakdown=tuple(
            RefundComponent(kind=string(item["kind"]), amount=money(item["amount"]))
            for item in array(doc["breakdown"])
        ),
        loyalty_points_reversed=_integer(doc["loyalty_points_reversed"]),
    )
