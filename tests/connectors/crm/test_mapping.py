from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.crm.mapping import (
    identifier_key,
    to_customer,
    to_identifier_match,
    to_interaction,
    to_voucher,
)
from connectors.crm.records import Consent, Customer, Identifier, Interaction, Voucher
from connectors.errors import SourceContractViolation


def customer_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "c-1",
        "customer_number": "100001",
        "first_name": "Sanne",
        "last_name": "de Vries",
        "email": "sanne@example.nl",
        "phone": None,
        "tier": "GOLD",
        "created_at": "2023-02-14T09:30:00+00:00",
        "identifiers": [{"type": "LOYALTY_CARD", "value": "2600000000011", "source": None}],
        "consents": [{"purpose": "email_marketing", "granted": True, "at": "2023-02-14T09:31:00Z"}],
    } | overrides


def voucher_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "v-1",
        "customer_id": "c-1",
        "code": "SORRY",
        "amount": "5.10",
        "currency": "EUR",
        "reason": "Complaint",
        "issued_at": "2024-03-02T15:10:00+01:00",
        "redeemed_at": None,
    } | overrides


def test_a_customer_document_becomes_a_customer_record():
    assert to_customer(customer_doc()) == Customer(
        id="c-1",
        customer_number="100001",
        first_name="Sanne",
        last_name="de Vries",
        email="sanne@example.nl",
        phone=None,
        tier="GOLD",
        identifiers=(Identifier(type="LOYALTY_CARD", value="2600000000011", source=None),),
        consents=(
            Consent(
                purpose="email_marketing",
                granted=True,
                at=datetime(2023, 2, 14, 9, 31, tzinfo=UTC),
            ),
        ),
    )


def test_a_voucher_amount_is_an_exact_decimal_and_its_timestamps_are_utc():
    record = to_voucher(voucher_doc())

    assert record == Voucher(
        id="v-1",
        customer_id="c-1",
        code="SORRY",
        amount=Decimal("5.10"),
        currency="EUR",
        reason="Complaint",
        issued_at=datetime(2024, 3, 2, 14, 10, tzinfo=UTC),
        redeemed_at=None,
    )
    assert record.issued_at.tzinfo is UTC


def test_an_interaction_document_becomes_an_interaction_record():
    doc = {
        "id": "i-1",
        "customer_id": "c-1",
        "at": "2024-03-02T14:05:00+00:00",
        "channel": "phone",
        "kind": "complaint",
        "note": "Missed promotion.",
        "by": None,
    }

    assert to_interaction(doc) == Interaction(
        id="i-1",
        customer_id="c-1",
        at=datetime(2024, 3, 2, 14, 5, tzinfo=UTC),
        channel="phone",
        kind="complaint",
        note="Missed promotion.",
        by=None,
    )


def test_an_identifier_match_becomes_a_key_and_a_customer_id():
    doc = {"type": "EMAIL", "value": "Sanne@Example.nl", "customer_id": "c-1"}

    assert to_identifier_match(doc) == (("EMAIL", "Sanne@Example.nl"), "c-1")


def test_identifier_keys_compare_email_case_insensitively_and_phone_without_spaces():
    assert identifier_key("EMAIL", "Sanne@Example.NL") == ("EMAIL", "sanne@example.nl")
    assert identifier_key("PHONE", "+31 6 1234 5678") == ("PHONE", "+31612345678")
    assert identifier_key("SOCIAL", "Sanne Example") == ("SOCIAL", "Sanne Example")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param(customer_doc() | {"tier": None}, "unknown tier None", id="tier-missing-value"),
        pytest.param(customer_doc(tier="PLATINUM"), "unknown tier", id="tier-unknown"),
        pytest.param(customer_doc(first_name=7), "expected a string", id="name-not-a-string"),
        pytest.param(customer_doc(identifiers={}), "expected a list", id="identifiers-not-a-list"),
        pytest.param(
            customer_doc(identifiers=[{"type": "FAX", "value": "1", "source": None}]),
            "unknown identifier type",
            id="identifier-type-unknown",
        ),
        pytest.param(
            customer_doc(consents=[{"purpose": "x", "granted": "yes", "at": "2024-01-01T00:00Z"}]),
            "expected a boolean",
            id="consent-not-a-boolean",
        ),
        pytest.param(
            customer_doc(consents=[{"purpose": "x", "granted": True, "at": "2024-01-01T00:00"}]),
            "UTC offset",
            id="naive-timestamp",
        ),
        pytest.param(["c-1"], "malformed", id="not-an-object"),
    ],
)
def test_a_broken_customer_document_is_a_contract_violation(doc, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_customer(doc)

    assert caught.value.source == "crm"


def test_a_customer_document_without_a_field_names_the_field():
    doc = customer_doc()
    del doc["customer_number"]

    with pytest.raises(SourceContractViolation, match="lacks the field 'customer_number'"):
        to_customer(doc)


@pytest.mark.parametrize("amount", ["five", 5.1, "NaN", None])
def test_a_voucher_amount_must_be_a_decimal_string(amount):
    with pytest.raises(SourceContractViolation, match="voucher document is malformed"):
        to_voucher(voucher_doc(amount=amount))
