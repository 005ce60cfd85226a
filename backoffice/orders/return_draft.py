"""A return as the gateway sends it to be registered: parsed, checked, and turned into rows.

`ReturnDraft.parse` checks all that needs no order (fields, lines, the refund's breakdown
adding up to its amount); `backoffice.orders.returns` checks the rest against the order
under its lock, then inserts `ReturnDraft.row`.

A return document in (`PUT /orders/v1/returns/{id}`); `history` is optional, `refund`
amounts are decimal strings and `breakdown` adds up to `amount` (return costs negative)::

    {
        "id": "rt-7f3a",
        "order_id": "o-2001",
        "expected_order_version": 3,
        "channel": "MAIL",
        "lines": [{"order_line_id": "o-2001-1", "quantity": 1, "reason": "too small"}],
        "destination_location_id": "s04",
        "refund": {"amount": "10.38", "currency": "EUR", "method": "CARD",
                   "breakdown": [{"kind": "goods", "amount": "13.33"},
                                 {"kind": "return_costs", "amount": "-2.95"}],
                   "loyalty_points_reversed": 10},
        "routing": {"location_id": "s04", "reasons": ["sells well", "size nearly out"]},
        "history": [{"actor": "customer:c-1", "channel": "WEB", "action": "RETURN_REGISTERED",
                     "detail": null}]
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backoffice.errors import InvalidRequest, NotReturnable
from backoffice.orders import inputs
from backoffice.orders.models import Return, ReturnLine
from backoffice.orders.statuses import REGISTERED

#: How the goods come back: handed in at a store, or sent by mail.
RETURN_CHANNELS = frozenset({"STORE", "MAIL"})


@dataclass(frozen=True, slots=True)
class _Line:
    order_line_id: str
    quantity: int
    reason: str | None


@dataclass(frozen=True, slots=True)
class ReturnDraft:
    """A return as the gateway sends it, checked (all but what needs the order)."""

    id: str
    order_id: str
    expected_order_version: int
    channel: str
    lines: tuple[_Line, ...]
    destination_location_id: str | None
    refund_amount: Decimal
    refund_currency: str
    refund_method: str
    refund_breakdown: tuple[tuple[str, Decimal], ...]
    loyalty_points_reversed: int
    routing: dict[str, Any] | None
    history: tuple[inputs.Event, ...]

    @classmethod
    def parse(cls, document: Any) -> ReturnDraft:
        doc = inputs.fields(document, "return", required=_REQUIRED, optional=_OPTIONAL)
        return_id = inputs.identifier(doc["id"], "id")
        if "/" in return_id:
            # The id is one segment of the REST API's paths; refused embedded too, so that
            # both modes accept the same ids.
            raise InvalidRequest(f"a return id may not contain '/': {return_id!r}")
        lines = tuple(
            _parse_line(item, f"lines[{i}]")
            for i, item in enumerate(inputs.items(doc["lines"], "lines"))
        )
        if not lines:
            raise InvalidRequest("a return needs at least one line")
        if len({line.order_line_id for line in lines}) != len(lines):
            raise InvalidRequest("two lines of the return name the same order line")
        refund = inputs.fields(
            doc["refund"],
            "refund",
            required=("amount", "currency", "method", "breakdown", "loyalty_points_reversed"),
        )
        currency = refund["currency"]
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
            raise InvalidRequest(f"'refund.currency' must be an ISO 4217 code, got {currency!r}")
        amount = inputs.amount(refund["amount"], "refund.amount", currency)
        breakdown = tuple(
            _parse_part(item, f"refund.breakdown[{i}]", currency)
            for i, item in enumerate(inputs.items(refund["breakdown"], "refund.breakdown"))
        )
        parts = sum((value for _, value in breakdown), Decimal(0))
        if breakdown and parts != amount:
            raise InvalidRequest(
                f"'refund.amount' is {amount}, but its breakdown adds up to {parts}"
            )
        routing = doc.get("routing")
        if routing is not None and not isinstance(routing, dict):
            raise InvalidRequest("'routing' must be a JSON object or null")
        return cls(
            id=return_id,
            order_id=inputs.identifier(doc["order_id"], "order_id"),
            expected_order_version=inputs.version(
                doc["expected_order_version"], "expected_order_version"
            ),
            channel=inputs.choice(doc["channel"], "channel", RETURN_CHANNELS),
            lines=lines,
            destination_location_id=inputs.optional_identifier(
                doc.get("destination_location_id"), "destination_location_id"
            ),
            refund_amount=amount,
            refund_currency=currency,
            refund_method=inputs.choice(refund["method"], "refund.method", inputs.PAYMENT_METHODS),
            refund_breakdown=breakdown,
            loyalty_points_reversed=inputs.whole(
                refund["loyalty_points_reversed"], "refund.loyalty_points_reversed", minimum=0
            ),
            routing=routing,
            history=tuple(
                inputs.event(item, f"history[{i}]")
                for i, item in enumerate(inputs.items(doc.get("history", []), "history"))
            ),
        )

    def events(self) -> list[inputs.Event]:
        """The history to record: the caller's, or one RETURN_REGISTERED event."""
        if self.history:
            return list(self.history)
        to = f" to {self.destination_location_id}" if self.destination_location_id else ""
        return [("oms", None, "RETURN_REGISTERED", f"return {self.id}{to}")]

    def row(self, *, created_at: datetime) -> Return:
        return Return(
            id=self.id,
            order_id=self.order_id,
            channel=self.channel,
            status=REGISTERED,
            destination_location_id=self.destination_location_id,
            created_at=created_at,
            refund_amount=self.refund_amount,
            refund_method=self.refund_method,
            refund_breakdown=[
                {"kind": kind, "amount": str(value)} for kind, value in self.refund_breakdown
            ],
            loyalty_points_reversed=self.loyalty_points_reversed,
            routing=self.routing,
            received_location_id=None,
            received_at=None,
            resellable=None,
            lines=[
                ReturnLine(
                    order_line_id=line.order_line_id, quantity=line.quantity, reason=line.reason
                )
                for line in self.lines
            ],
        )


_REQUIRED = ("id", "order_id", "expected_order_version", "channel", "lines", "refund")
_OPTIONAL = ("destination_location_id", "routing", "history")


def _parse_line(item: Any, at: str) -> _Line:
    line = inputs.fields(item, at, required=("order_line_id", "quantity"), optional=("reason",))
    order_line_id = inputs.identifier(line["order_line_id"], f"{at}.order_line_id")
    quantity = line["quantity"]
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidRequest(f"'{at}.quantity' must be a whole number, got {quantity!r}")
    if quantity < 1:
        raise NotReturnable(
            f"order line {order_line_id!r}: {quantity} to return; a return takes at least 1 unit"
        )
    return _Line(
        order_line_id=order_line_id,
        quantity=quantity,
        reason=inputs.optional_text(line.get("reason"), f"{at}.reason", max_length=inputs.MAX_TEXT),
    )


def _parse_part(item: Any, at: str, currency: str) -> tuple[str, Decimal]:
    part = inputs.fields(item, at, required=("kind", "amount"))
    return (
        inputs.text(part["kind"], f"{at}.kind", max_length=32),
        inputs.amount(part["amount"], f"{at}.amount", currency, signed=True),
    )
