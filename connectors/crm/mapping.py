"""Turns the CRM's JSON documents into canonical customer records.

The documents are those of `backoffice.crm.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from typing import Any, get_args

from connectors._documents import (
    array,
    boolean,
    contract,
    money,
    one_of,
    optional,
    string,
    timestamp,
)
from connectors.crm.records import (
    Consent,
    Customer,
    Identifier,
    IdentifierType,
    Interaction,
    Tier,
    Voucher,
)

SOURCE = "crm"
_IDENTIFIER_TYPES: tuple[IdentifierType, ...] = get_args(IdentifierType)
_TIERS: tuple[Tier, ...] = get_args(Tier)


def to_customer(doc: Any) -> Customer:
    with contract(SOURCE, "customer"):
        return Customer(
            id=string(doc["id"]),
            customer_number=string(doc["customer_number"]),
            first_name=string(doc["first_name"]),
            last_name=string(doc["last_name"]),
            email=optional(string, doc["email"]),
            phone=optional(string, doc["phone"]),
            tier=one_of(doc["tier"], _TIERS, "tier"),
            identifiers=tuple(
                Identifier(
                    type=one_of(item["type"], _IDENTIFIER_TYPES, "identifier type"),
                    value=string(item["value"]),
                    source=optional(string, item["source"]),
                )
                for item in array(doc["identifiers"])
            ),
            consents=tuple(
                Consent(
                    purpose=string(item["purpose"]),
                    granted=boolean(item["granted"]),
                    at=timestamp(item["at"]),
                )
                for item in array(doc["consents"])
            ),
        )


def to_identifier_match(doc: Any) -> tuple[tuple[IdentifierType, str], str]:
    """A match of `find_customers`: ((type, value), customer id)."""
    with contract(SOURCE, "identifier match"):
        type_ = one_of(doc["type"], _IDENTIFIER_TYPES, "identifier type")
        return (type_, string(doc["value"])), string(doc["customer_id"])


def to_interaction(doc: Any) -> Interaction:
    with contract(SOURCE, "interaction"):
        return Interaction(
            id=string(doc["id"]),
            customer_id=string(doc["customer_id"]),
            at=timestamp(doc["at"]),
            channel=string(doc["channel"]),
            kind=string(doc["kind"]),
            note=string(doc["note"]),
            by=optional(string, doc["by"]),
        )


def to_voucher(doc: Any) -> Voucher:
    with contract(SOURCE, "voucher"):
        redeemed_at = doc["redeemed_at"]
        return Voucher(
            id=string(doc["id"]),
            customer_id=string(doc["customer_id"]),
            code=string(doc["code"]),
            amount=money(doc["amount"]),
            currency=string(doc["currency"]),
            reason=string(doc["reason"]),
            issued_at=timestamp(doc["issued_at"]),
            redeemed_at=optional(timestamp, redeemed_at),
        )


def identifier_key(type_: IdentifierType, value: str) -> tuple[IdentifierType, str]:
    """How the CRM compares identifiers: e-mail case-insensitively, phone numbers without spaces."""
    if type_ == "EMAIL":
        return type_, value.lower()
    if type_ == "PHONE":
        return type_, value.replace(" ", "")
    return type_, value
