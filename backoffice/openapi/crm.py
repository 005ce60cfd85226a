"""The CRM's part of the OpenAPI documents: its document schemas and its operations.

Reads are batch reads (`backoffice.rest`); writes take a JSON body and answer the document
written, each keyed by the caller so that a repeat changes nothing (`backoffice/crm/api.py`).
"""

from __future__ import annotations

from typing import Any

from backoffice.crm import inputs
from backoffice.openapi.paths import _ERROR, PathItem, _path_param, _responses, batch_read, health
from backoffice.openapi.schemas import (
    BOOLEAN,
    CURRENCY,
    MONEY,
    STRING,
    TIMESTAMP,
    Schema,
    array,
    nullable,
    record,
    ref,
)
from kernel.identifiers import IDENTIFIER_TYPES, MAX_IDENTIFIER_LENGTH

_CHANNEL: Schema = {"type": "string", "enum": sorted(inputs.CHANNELS)}


def _text(longest: int, description: str | None = None) -> Schema:
    schema: Schema = {**STRING, "minLength": 1, "maxLength": longest}
    return {**schema, "description": description} if description else schema


def _body(description: str, required: dict[str, Schema], optional: dict[str, Schema]) -> Schema:
    return {
        "type": "object",
        "description": description,
        "properties": {**required, **optional},
        "required": list(required),
        "additionalProperties": False,
    }


SCHEMAS: dict[str, Schema] = {
    "Customer": record(
        "A customer with linked identifiers and consents.",
        {
            "id": STRING,
            "customer_number": STRING,
            "first_name": STRING,
            "last_name": STRING,
            "email": nullable(STRING),
            "phone": nullable(STRING),
            "tier": {"type": "string", "examples": ["STANDARD", "SILVER", "GOLD"]},
            "created_at": TIMESTAMP,
            "identifiers": array(ref("Identifier")),
            "consents": array(ref("Consent")),
        },
    ),
    "Identifier": record(
        "An identifier linked to a customer (e-mail, loyalty card, phone, another system's id).",
        {"type": STRING, "value": STRING, "source": nullable(STRING)},
    ),
    "Consent": record(
        "A consent given or withdrawn.", {"purpose": STRING, "granted": BOOLEAN, "at": TIMESTAMP}
    ),
    "IdentifierMatch": record(
        "The customer an identifier belongs to; `type` and `value` are echoed as requested.",
        {"type": STRING, "value": STRING, "customer_id": STRING},
    ),
    "Interaction": record(
        "A contact with the customer.",
        {
            "id": STRING,
            "customer_id": STRING,
            "at": TIMESTAMP,
            "channel": STRING,
            "kind": STRING,
            "note": STRING,
            "by": nullable(STRING),
        },
    ),
    "Voucher": record(
        "A voucher issued to a customer, with the reason it was issued; spent once, on "
        "`redeemed_order_id`, before `expires_at` (null: it does not expire).",
        {
            "id": STRING,
            "customer_id": STRING,
            "code": STRING,
            "amount": MONEY,
            "currency": CURRENCY,
            "reason": STRING,
            "issued_at": TIMESTAMP,
            "redeemed_at": nullable(TIMESTAMP),
            "expires_at": nullable(TIMESTAMP),
            "redeemed_order_id": nullable(STRING),
            "issued_by": nullable(STRING),
        },
    ),
    "Notification": record(
        "A message sent to a customer (the reference CRM's stand-in for e-mail), once per key.",
        {
            "key": STRING,
            "customer_id": STRING,
            "template": STRING,
            "data": {"type": "object", "additionalProperties": STRING},
            "sent_at": TIMESTAMP,
        },
    ),
    "VoucherIssue": _body(
        "A voucher to issue under the path's id; the CRM picks its code.",
        {
            "customer_id": _text(inputs.MAX_ID_LENGTH),
            "amount": {**MONEY, "pattern": "^[0-9]+(\\.[0-9]+)?$"},
            "currency": CURRENCY,
            "reason": _text(inputs.MAX_REASON_LENGTH),
        },
        {
            "expires_at": nullable(TIMESTAMP),
            "issued_by": nullable(_text(inputs.MAX_BY_LENGTH)),
        },
    ),
    "VoucherRedemption": _body(
        "The order to spend the voucher on, and the customer it must have been issued to.",
        {"order_id": _text(inputs.MAX_ID_LENGTH), "customer_id": nullable(STRING)},
        {},
    ),
    "VoucherRelease": _body(
        "The order whose redemption to undo.", {"order_id": _text(inputs.MAX_ID_LENGTH)}, {}
    ),
    "NewInteraction": _body(
        "A contact to record under the path's id; the CRM dates it.",
        {
            "customer_id": _text(inputs.MAX_ID_LENGTH),
            "channel": _CHANNEL,
            "kind": _text(inputs.MAX_KIND_LENGTH, "e.g. call, complaint, store_visit, reaction"),
            "note": _text(inputs.MAX_NOTE_LENGTH),
        },
        {"by": nullable(_text(inputs.MAX_BY_LENGTH))},
    ),
    "IdentifierLink": _body(
        "An identifier to link to the customer: an e-mail address, a loyalty card (GTIN-13 "
        "from 2), a phone number (6 to 15 digits, optionally after +), or free text.",
        {
            "type": {"type": "string", "enum": list(IDENTIFIER_TYPES)},
            "value": _text(MAX_IDENTIFIER_LENGTH),
        },
        {"source": nullable(_text(32))},
    ),
    "NewNotification": _body(
        "A message to send once under the path's key.",
        {
            "customer_id": _text(inputs.MAX_ID_LENGTH),
            "template": _text(inputs.MAX_TEMPLATE_LENGTH, "e.g. voucher_issued"),
            "data": {
                "type": "object",
                "maxProperties": inputs.MAX_DATA_FIELDS,
                "additionalProperties": {**STRING, "maxLength": inputs.MAX_DATA_VALUE_LENGTH},
            },
        },
        {},
    ),
}


def _write(
    operation_id: str,
    summary: str,
    description: str,
    *,
    body: str,
    ok: str,
    parameter: tuple[str, str],
    refusals: dict[str, str],
) -> dict[str, Any]:
    """A CRM write: a JSON body in, the document written out, refusals as 404/409."""
    responses = _responses(ref(ok), "The document as written (or as it was, for a repeat).")
    responses["400"]["description"] = (
        "A malformed request, or one the CRM refuses (INVALID_REQUEST)."
    )
    for status, text in refusals.items():
        responses[status] = {"description": text, "content": _ERROR}
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [_path_param(*parameter)],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref(body)}}},
        "responses": dict(sorted(responses.items())),
    }


_NO_CUSTOMER = "No such customer (NOT_FOUND)."
_REPLAY = "The key was used for another request (CONFLICT)."
_CODE = ("code", "The voucher's code, in any case.")

PATHS: dict[str, PathItem] = {
    "/crm/v1/customers": batch_read(
        resource="customers",
        item="Customer",
        summary="Customers by id",
        description="Customers with their linked identifiers and consents.",
        keys=[("id", "Customer ids, e.g. cu00001.")],
    ),
    "/crm/v1/customers/{id}/identifiers": {
        "post": _write(
            "link_identifier",
            "Link an identifier to a customer",
            "Stored as identifiers compare (e-mail in lower case, phone without spaces). "
            "Linking what the customer has answers the customer unchanged.",
            body="IdentifierLink",
            ok="Customer",
            parameter=("id", "The customer's id."),
            refusals={
                "404": _NO_CUSTOMER,
                "409": "Another customer has the identifier (IDENTIFIER_TAKEN).",
            },
        )
    },
    "/crm/v1/customer-matches": batch_read(
        resource="customer-matches",
        item="IdentifierMatch",
        summary="Customers by linked identifier",
        description="One match per identifier that belongs to a customer. E-mail addresses "
        "match case-insensitively and phone numbers regardless of spaces; the customer's own "
        "e-mail and phone count as linked identifiers.",
        keys=[("identifier", "TYPE:value, e.g. EMAIL:sanne@example.nl, LOYALTY_CARD:2600…")],
    ),
    "/crm/v1/interactions": batch_read(
        resource="interactions",
        item="Interaction",
        summary="Interactions of customers",
        description="The interactions of these customers, newest first.",
        keys=[("customer_id", "Customer ids, e.g. cu00001.")],
    ),
    "/crm/v1/interactions/{id}": {
        "put": _write(
            "record_interaction",
            "Record a contact with a customer (idempotent by id)",
            "Dated by the CRM; recording the id again answers the first contact.",
            body="NewInteraction",
            ok="Interaction",
            parameter=("id", "The caller's id of the contact."),
            refusals={"404": _NO_CUSTOMER, "409": _REPLAY},
        )
    },
    "/crm/v1/vouchers": batch_read(
        resource="vouchers",
        item="Voucher",
        summary="Vouchers of customers, or by code",
        description="By customer: the vouchers issued to them, newest first, redeemed ones "
        "included. By code: the vouchers with these codes, in any case.",
        keys=[
            ("customer_id", "Customer ids, e.g. cu00001."),
            ("code", "Voucher codes, e.g. TB-7KQ2-MX9P-4HDA."),
        ],
    ),
    "/crm/v1/vouchers/{id}": {
        "put": _write(
            "issue_voucher",
            "Issue a voucher (idempotent by id)",
            "The CRM picks an unguessable code (TB-XXXX-XXXX-XXXX). Issuing the id again "
            "answers the first voucher.",
            body="VoucherIssue",
            ok="Voucher",
            parameter=("id", "The caller's id of the voucher."),
            refusals={"404": _NO_CUSTOMER, "409": _REPLAY},
        )
    },
    "/crm/v1/vouchers/{code}/redeem": {
        "post": _write(
            "redeem_voucher",
            "Spend a voucher on an order, once",
            "A conditional update: of two orders racing for one voucher exactly one wins. "
            "Redeeming it again for the same order answers it unchanged.",
            body="VoucherRedemption",
            ok="Voucher",
            parameter=_CODE,
            refusals={
                "404": "No voucher has the code (VOUCHER_NOT_FOUND).",
                "409": "Redeemed by another order (VOUCHER_REDEEMED), expired "
                "(VOUCHER_EXPIRED), or issued to another customer (VOUCHER_NOT_YOURS).",
            },
        )
    },
    "/crm/v1/vouchers/{code}/release": {
        "post": _write(
            "release_voucher",
            "Give back a voucher an order redeemed",
            "For an order that failed; unchanged if that order did not redeem the voucher.",
            body="VoucherRelease",
            ok="Voucher",
            parameter=_CODE,
            refusals={"404": "No voucher has the code (VOUCHER_NOT_FOUND)."},
        )
    },
    "/crm/v1/notifications": batch_read(
        resource="notifications",
        item="Notification",
        summary="Messages sent to customers",
        description="The messages sent to these customers, oldest first.",
        keys=[("customer_id", "Customer ids, e.g. cu00001.")],
    ),
    "/crm/v1/notifications/{key}": {
        "put": _write(
            "send_notification",
            "Send a customer a message, once per key",
            "The reference CRM stores it in place of sending an e-mail. The key again sends "
            "nothing and answers the first message.",
            body="NewNotification",
            ok="Notification",
            parameter=("key", "The caller's key of the message, e.g. voucher:v-5."),
            refusals={"404": _NO_CUSTOMER, "409": "The key was used for another customer."},
        )
    },
    "/crm/v1/health": health("CRM"),
}
