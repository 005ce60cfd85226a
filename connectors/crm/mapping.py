"""Turns the CRM's JSON documents into canonical customer records.

The documents are those of `backoffice.crm.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    NewInteraction,
    NewVoucher,
    Notification,
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
    """A voucher; a CRM that predates expiry and issuers may leave their fields out (None)."""
    with contract(SOURCE, "voucher"):
        return Voucher(
            id=string(doc["id"]),
            customer_id=string(doc["customer_id"]),
            code=string(doc["code"]),
            amount=money(doc["amount"]),
            currency=string(doc["currency"]),
            reason=string(doc["reason"]),
            issued_at=timestamp(doc["issued_at"]),
            redeemed_at=optional(timestamp, doc["redeemed_at"]),
            expires_at=optional(timestamp, doc.get("expires_at")),
            redeemed_order_id=optional(string, doc.get("redeemed_order_id")),
            issued_by=optional(string, doc.get("issued_by")),
        )


def to_notification(doc: Any) -> Notification:
    with contract(SOURCE, "notification"):
        data = doc["data"]
        if not isinstance(data, dict):
            raise TypeError(f"expected an object of strings, got {data!r}")
        return Notification(
            key=string(doc["key"]),
            customer_id=string(doc["customer_id"]),
            template=string(doc["template"]),
            data={string(name): string(value) for name, value in data.items()},
            sent_at=timestamp(doc["sent_at"]),
        )


def new_voucher_document(new: NewVoucher) -> dict[str, Any]:
    """The body of an issue (`PUT /crm/v1/vouchers/{id}`; the id travels in the path)."""
    return {
        "customer_id": new.customer_id,
        "amount": str(new.amount),
        "currency": new.currency,
        "reason": new.reason,
        "expires_at": new.expires_at.isoformat() if new.expires_at else None,
        "issued_by": new.issued_by,
    }


def new_interaction_document(new: NewInteraction) -> dict[str, Any]:
    """The body of a recorded contact (`PUT /crm/v1/interactions/{id}`)."""
    return {
        "customer_id": new.customer_id,
        "channel": new.channel,
        "kind": new.kind,
        "note": new.note,
        "by": new.by,
    }


def notification_document(
    customer_id: str, template: str, data: Mapping[str, str]
) -> dict[str, Any]:
    """The body of a message (`PUT /crm/v1/notifications/{key}`)."""
    return {"customer_id": customer_id, "template": template, "data": dict(data)}


def voucher_key(code: str) -> str:
    """How the CRM compares voucher codes: trimmed, in upper case."""
    return code.strip().upper()


def identifier_key(type_: IdentifierType, value: str) -> tuple[IdentifierType, str]:
    """How the CRM compares identifiers: e-mail case-insensitively, phone numbers without spaces."""
    if type_ == "EMAIL":
        return type_, value.lower()
    if type_ == "PHONE":
        return type_, value.replace(" ", "")
    return type_, value
