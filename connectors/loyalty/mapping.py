"""Turns the loyalty system's JSON documents into canonical loyalty records.

The documents are those of `backoffice.loyalty.service` (its docstring shows one); the
embedded and the HTTP adapter both parse them here. A document that lacks a field or has
one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from typing import Any

from connectors._documents import contract, integer, optional, string, timestamp
from connectors.errors import SourceContractViolation
from connectors.loyalty.records import LoyaltyAccount, PointsEntry

SOURCE = "loyalty"


def to_account(doc: Any) -> LoyaltyAccount:
    try:
        customer_id, card_number, points = doc["customer_id"], doc["card_number"], doc["points"]
    except (KeyError, TypeError) as exc:
        raise SourceContractViolation(SOURCE, f"account document lacks the field {exc}") from exc
    if not isinstance(customer_id, str) or not isinstance(card_number, str):
        raise SourceContractViolation(SOURCE, f"account document has a non-string id: {doc!r}")
    # bool is an int to Python, not to JSON.
    if not isinstance(points, int) or isinstance(points, bool):
        raise SourceContractViolation(SOURCE, f"account document has points {points!r}")
    return LoyaltyAccount(customer_id=customer_id, card_number=card_number, points=points)


def to_entry(doc: Any) -> PointsEntry:
    with contract(SOURCE, "points entry"):
        return PointsEntry(
            reference=string(doc["reference"]),
            customer_id=string(doc["customer_id"]),
            card_number=string(doc["card_number"]),
            points=integer(doc["points"]),
            reason=string(doc["reason"]),
            order_number=optional(string, doc["order_number"]),
            at=timestamp(doc["at"]),
            balance=integer(doc["balance"], minimum=0),
            shortfall=integer(doc["shortfall"], minimum=0),
        )
