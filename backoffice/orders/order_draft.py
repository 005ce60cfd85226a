"""An order as the gateway sends it to be placed: parsed, checked to the cent, and turned into rows.

`OrderDraft.parse` refuses (INVALID_REQUEST) a document whose fields are missing, unknown
or malformed, or whose amounts do not add up: line totals, subtotal, discounts, shipping,
total and payments. `OrderDraft.order` builds the `Order` to insert, once the OMS has
given it a number and a `placed_at` (`backoffice.orders.placing`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backoffice.errors import InvalidRequest
from backoffice.orders import inputs
from backoffice.orders.models import (
    Fulfillment,
    HistoryEvent,
    LineDiscount,
    Order,
    OrderLine,
    Payment,
)
from backoffice.orders.statuses import DELIVERED, PENDING, PLACED


@dataclass(frozen=True, slots=True)
class _Line:
    variant_id: str | None
    sku: str
    quantity: int
    unit_list_amount: Decimal
    discounts: tuple[tuple[str, dict[str, str], Decimal], ...]
    tax: Decimal
    total: Decimal


@dataclass(frozen=True, slots=True)
class _Fulfillment:
    id: str | None
    type: str
    location_id: str | None
    status: str
    delivery_date: date | None


@dataclass(frozen=True, slots=True)
class OrderDraft:
    """An order as the gateway sends it, checked."""

    id: str
    channel: str
    location_id: str | None
    customer_id: str | None
    cart_id: str | None
    currency: str
    lines: tuple[_Line, ...]
    subtotal: Decimal
    discount_total: Decimal
    shipping: Decimal
    total: Decimal
    payments: tuple[tuple[str, Decimal], ...]
    fulfillments: tuple[_Fulfillment, ...]
    routing: dict[str, Any] | None
    history: tuple[inputs.Event, ...]

    @classmethod
    def parse(cls, document: Any) -> OrderDraft:
        doc = inputs.fields(document, "order", required=_REQUIRED, optional=_OPTIONAL)
        currency = doc["currency"]
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
            raise InvalidRequest(
                f"'currency' must be an ISO 4217 code such as EUR, got {currency!r}"
            )

        def amount(value: Any, name: str) -> Decimal:
            return inputs.amount(value, name, currency)

        lines = tuple(
            _parse_line(item, f"lines[{i}]", amount)
            for i, item in enumerate(inputs.items(doc["lines"], "lines"))
        )
        if not lines:
            raise InvalidRequest("an order needs at least one line")
        routing = doc.get("routing")
        if routing is not None and not isinstance(routing, dict):
            raise InvalidRequest("'routing' must be a JSON object or null")
        draft = cls(
            id=inputs.identifier(doc["id"], "id"),
            channel=inputs.channel(doc["channel"]),
            location_id=inputs.optional_identifier(doc.get("location_id"), "location_id"),
            customer_id=inputs.optional_identifier(doc.get("customer_id"), "customer_id"),
            cart_id=inputs.optional_identifier(doc.get("cart_id"), "cart_id"),
            currency=currency,
            lines=lines,
            subtotal=amount(doc["subtotal"], "subtotal"),
            discount_total=amount(doc["discount_total"], "discount_total"),
            shipping=amount(doc["shipping"], "shipping"),
            total=amount(doc["total"], "total"),
            payments=tuple(
                _parse_payment(item, f"payments[{i}]", amount)
                for i, item in enumerate(inputs.items(doc.get("payments", []), "payments"))
            ),
            fulfillments=tuple(
                _parse_fulfillment(item, f"fulfillments[{i}]")
                for i, item in enumerate(inputs.items(doc.get("fulfillments", []), "fulfillments"))
            ),
            routing=routing,
            history=tuple(
                inputs.event(item, f"history[{i}]")
                for i, item in enumerate(inputs.items(doc.get("history", []), "history"))
            ),
        )
        draft._check_sums()
        return draft

    def _check_sums(self) -> None:
        """Every amount adds up to the cent: lines, subtotal, discounts, total, payments."""
        zero = Decimal(0)
        for index, line in enumerate(self.lines):
            gross = line.unit_list_amount * line.quantity
            expected = gross - sum((d[2] for d in line.discounts), zero)
            if line.total != expected:
                raise InvalidRequest(
                    f"lines[{index}].total is {line.total}, but unit_list_amount × quantity less "
                    f"its discounts is {expected}"
                )
            if line.tax > line.total:
                raise InvalidRequest(
                    f"lines[{index}].tax {line.tax} exceeds its total {line.total}"
                )
        _same(
            "subtotal",
            self.subtotal,
            sum((line.unit_list_amount * line.quantity for line in self.lines), zero),
            "the lines' list amounts",
        )
        _same(
            "discount_total",
            self.discount_total,
            sum((d[2] for line in self.lines for d in line.discounts), zero),
            "the lines' discounts",
        )
        _same(
            "total",
            self.total,
            sum((line.total for line in self.lines), zero) + self.shipping,
            "the line totals plus shipping",
        )
        if self.payments:
            _same("total", self.total, sum((p[1] for p in self.payments), zero), "the payments")

    def order(self, *, number: str, placed_at: datetime, new_id: Callable[[], str]) -> Order:
        history = self.history or (("oms", self.channel, PLACED, None),)
        # A sale carried out of the store is over when it is placed.
        handed_over = bool(self.fulfillments) and all(
            f.status in DELIVERED for f in self.fulfillments
        )
        return Order(
            id=self.id,
            number=number,
            channel=self.channel,
            location_id=self.location_id,
            customer_id=self.customer_id,
            status="COMPLETED" if handed_over else PLACED,
            placed_at=placed_at,
            currency=self.currency,
            subtotal=self.subtotal,
            discount_total=self.discount_total,
            shipping=self.shipping,
            total=self.total,
            version=1,
            cart_id=self.cart_id,
            routing=self.routing,
            lines=[
                OrderLine(
                    id=new_id(),
                    position=position,
                    variant_id=line.variant_id,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_list_amount=line.unit_list_amount,
                    tax=line.tax,
                    total=line.total,
                    returned_quantity=0,
                    discounts=[
                        LineDiscount(promotion_id=pid, name=name, amount=value)
                        for pid, name, value in line.discounts
                    ],
                )
                for position, line in enumerate(self.lines, start=1)
            ],
            payments=[Payment(method=method, amount=value) for method, value in self.payments],
            fulfillments=[
                Fulfillment(
                    id=f.id or new_id(),
                    type=f.type,
                    location_id=f.location_id,
                    status=f.status,
                    delivery_date=f.delivery_date,
                )
                for f in self.fulfillments
            ],
            history=[
                HistoryEvent(
                    at=placed_at, actor=actor, channel=channel, action=action, detail=detail
                )
                for actor, channel, action, detail in history
            ],
        )


_REQUIRED = (
    "id",
    "channel",
    "currency",
    "lines",
    "subtotal",
    "discount_total",
    "shipping",
    "total",
)
_OPTIONAL = (
    "location_id",
    "customer_id",
    "cart_id",
    "payments",
    "fulfillments",
    "routing",
    "history",
)


def _parse_line(item: Any, at: str, amount: Callable[[Any, str], Decimal]) -> _Line:
    line = inputs.fields(
        item,
        at,
        required=("sku", "quantity", "unit_list_amount", "tax", "total"),
        optional=("variant_id", "discounts"),
    )
    discounts = []
    for i, entry in enumerate(inputs.items(line.get("discounts", []), f"{at}.discounts")):
        where = f"{at}.discounts[{i}]"
        discount = inputs.fields(entry, where, required=("promotion_id", "name", "amount"))
        name = inputs.obj(discount["name"], f"{where}.name")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in name.items()):
            raise InvalidRequest(f"{where}.name must map locales to text")
        discounts.append(
            (
                inputs.identifier(discount["promotion_id"], f"{where}.promotion_id"),
                dict(name),
                amount(discount["amount"], f"{where}.amount"),
            )
        )
    return _Line(
        variant_id=inputs.optional_identifier(line.get("variant_id"), f"{at}.variant_id"),
        sku=inputs.identifier(line["sku"], f"{at}.sku"),
        quantity=inputs.quantity(line["quantity"], f"{at}.quantity"),
        unit_list_amount=amount(line["unit_list_amount"], f"{at}.unit_list_amount"),
        discounts=tuple(discounts),
        tax=amount(line["tax"], f"{at}.tax"),
        total=amount(line["total"], f"{at}.total"),
    )


def _parse_payment(
    item: Any, at: str, amount: Callable[[Any, str], Decimal]
) -> tuple[str, Decimal]:
    payment = inputs.fields(item, at, required=("method", "amount"))
    return (
        inputs.choice(payment["method"], f"{at}.method", inputs.PAYMENT_METHODS),
        amount(payment["amount"], f"{at}.amount"),
    )


def _parse_fulfillment(item: Any, at: str) -> _Fulfillment:
    fulfillment = inputs.fields(
        item, at, required=("type",), optional=("id", "location_id", "status", "delivery_date")
    )
    delivery = fulfillment.get("delivery_date")
    return _Fulfillment(
        id=inputs.optional_identifier(fulfillment.get("id"), f"{at}.id"),
        type=inputs.choice(fulfillment["type"], f"{at}.type", inputs.FULFILLMENT_TYPES),
        location_id=inputs.optional_identifier(fulfillment.get("location_id"), f"{at}.location_id"),
        status=inputs.text(fulfillment.get("status", PENDING), f"{at}.status", max_length=24),
        delivery_date=None if delivery is None else inputs.day(delivery, f"{at}.delivery_date"),
    )


def _same(name: str, given: Decimal, computed: Decimal, what: str) -> None:
    if given != computed:
        raise InvalidRequest(f"{name!r} is {given}, but {what} add up to {computed}")
