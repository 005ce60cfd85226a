from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import SourceContractViolation
from connectors.loyalty.mapping import to_account, to_entry
from connectors.loyalty.records import LoyaltyAccount, PointsEntry


def test_an_account_document_becomes_a_loyalty_account():
    doc = {"customer_id": "c-1", "card_number": "2600000000011", "points": 1250}

    assert to_account(doc) == LoyaltyAccount(
        customer_id="c-1", card_number="2600000000011", points=1250
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param(
            {"customer_id": "c-1", "card_number": "26"}, "lacks the field 'points'", id="no-points"
        ),
        pytest.param(None, "lacks the field", id="not-an-object"),
        pytest.param(
            {"customer_id": "c-1", "card_number": 26, "points": 1}, "non-string", id="card-a-number"
        ),
        pytest.param(
            {"customer_id": "c-1", "card_number": "26", "points": "1"},
            "points '1'",
            id="points-a-string",
        ),
        pytest.param(
            {"customer_id": "c-1", "card_number": "26", "points": True},
            "points True",
            id="points-a-boolean",
        ),
    ],
)
def test_a_broken_account_document_is_a_contract_violation(doc, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_account(doc)

    assert caught.value.source == "loyalty"


ENTRY = {
    "reference": "refund:R-1",
    "customer_id": "c-1",
    "card_number": "2600000000011",
    "points": -7,
    "reason": "RETURN",
    "order_number": None,
    "at": "2024-03-01T10:00:00+00:00",
    "balance": 0,
    "shortfall": 43,
}


def test_an_entry_document_becomes_a_points_entry():
    assert to_entry(ENTRY) == PointsEntry(
        reference="refund:R-1",
        customer_id="c-1",
        card_number="2600000000011",
        points=-7,
        reason="RETURN",
        order_number=None,
        at=datetime(2024, 3, 1, 10, 0, tzinfo=UTC),
        balance=0,
        shortfall=43,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"balance": -1}, "malformed", id="a-negative-balance"),
        pytest.param({"shortfall": None}, "malformed", id="no-shortfall"),
        pytest.param({"at": "2024-03-01T10:00:00"}, "malformed", id="a-naive-moment"),
    ],
)
def test_a_broken_entry_document_is_a_contract_violation(changes, message):
    with pytest.raises(SourceContractViolation, match=message):
        to_entry({**ENTRY, **changes})
    with pytest.raises(SourceContractViolation, match="lacks the field 'balance'"):
        to_entry({k: v for k, v in ENTRY.items() if k != "balance"})
