"""Turns the CRM's JSON documents into canonical customer records.

The documents are those of `backoffice.crm.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, get_args

from connectors.crm.records import (
    Consent,
    Customer,
    Identifier,
    IdentifierType,
    Interaction,
    Tier,
    Voucher,
)
from connectors.errors import SourceContractViolation

SOURCE = "crm"
_IDENTIFIER_TYPES: tuple[IdentifierType, ...] = get_args(IdentifierType)
_TIERS: tuple[Tier, ...] = get_args(Tier)


def to_customer(doc: Any) -> Customer:
    with _contract("customer"):
        return Customer(
            id=_str(doc["id"]),
            customer_number=_str(doc["customer_number"]),
            first_name=_str(doc["first_name"]),
            last_name=_str(doc["last_name"]),
            email=_opt_str(doc["email"]),
            phone=_opt_str(doc["phone"]),
            tier=_tier(doc["tier"]),
            identifiers=tuple(
                Identifier(
                    type=_identifier_type(item["type"]),
                    value=_str(item["value"]),
                    source=_opt_str(item["source"]),
                )
                for item in _list(doc["identifiers"])
            ),
            consents=tuple(
                Consent(
                    purpose=_str(item["purpose"]),
                    granted=_bool(item["granted"]),
                    at=_timestamp(item["at"]),
                )
                for item in _list(doc["consents"])
            ),
        )


def to_identifier_match(doc: Any) -> tuple[tuple[IdentifierType, str], str]:
    """A match of `find_customers`: ((type, value), customer id)."""
    with _contract("identifier match"):
        return (_identifier_type(doc["type"]), _str(doc["value"])), _str(doc["customer_id"])


def to_interaction(doc: Any) -> Interaction:
    with _contract("interaction"):
        return Interaction(
            id=_str(doc["id"]),
            customer_id=_str(doc["customer_id"]),
            at=_timestamp(doc["at"]),
            channel=_str(doc["channel"]),
            kind=_str(doc["kind"]),
            note=_str(doc["note"]),
            by=_opt_str(doc["by"]),
        )


def to_voucher(doc: Any) -> Voucher:
    with _contract("voucher"):
        redeemed_at = doc["redeemed_at"]
        return Voucher(
            id=_str(doc["id"]),
            customer_id=_str(doc["customer_id"]),
            code=_str(doc["code"]),
            amount=_money(doc["amount"]),
            currency=_str(doc["currency"]),
            reason=_str(doc["reason"]),
            issued_at=_timestamp(doc["issued_at"]),
            redeemed_at=None if redeemed_at is None else _timestamp(redeemed_at),
        )


def identifier_key(type_: IdentifierType, value: str) -> tuple[IdentifierType, str]:
    """How the CRM compares identifiers: e-mail case-insensitively, phone numbers without spaces."""
    if type_ == "EMAIL":
        return type_, value.lower()
    if type_ == "PHONE":
        return type_, value.replace(" ", "")
    return type_, value


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


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


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


def _tier(value: object) -> Tier:
    for tier in _TIERS:
        if value == tier:
            return tier
    raise ValueError(f"unknown tier {value!r}")


def _identifier_type(value: object) -> IdentifierType:
    for type_ in _IDENTIFIER_TYPES:
        if value == type_:
            return type_
    raise ValueError(f"unknown identifier type {value!r}")
