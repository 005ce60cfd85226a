from __future__ import annotations

import pytest

from connectors.errors import SourceContractViolation
from connectors.loyalty.mapping import to_account
from connectors.loyalty.records import LoyaltyAccount


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
