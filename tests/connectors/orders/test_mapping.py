from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import SourceContractViolation
from connectors.orders.mapping import to_order, to_return
from connectors.orders.records import (
    Fulfillment,
    HistoryEvent,
    LineDiscount,
    Order,
    OrderLine,
    Payment,
    Refund,
    RefundComponent,
    Return,
    ReturnLine,
)


def line_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "o-1-1",
        "position": 1,
        "variant_id": None,
        "sku": "PAINT-1L",
        "quantity": 3,
        "unit_list_amount": "19.99",
        "discounts": [
            {"promotion_id": "p-3for2", "name": {"nl": "3 halen, 2 betalen"}, "amount": "19.99"}
        ],
        "tax": "6.94",
        "total": "39.98",
        "returned_quantity": 1,
    } | overrides


def order_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "o-1",
        "number": "WEB-1",
        "channel": "web",
        "location_id": None,
        "customer_id": "c-1",
        "status": "DELIVERED",
        "placed_at": "2024-03-01T11:15:00+01:00",
        "currency": "EUR",
        "subtotal": "59.97",
        "discount_total": "19.99",
        "shipping": "4.95",
        "total": "44.93",
        "version": 3,
        "lines": [line_doc()],
        "payments": [{"method": "card", "amount": "44.93"}],
        "fulfillments": [
            {
                "id": "f-1",
                "type": "ship_to_home",
                "location_id": "dc-1",
                "status": "DELIVERED",
                "delivery_date": "2024-03-03",
            }
        ],
        "history": [
            {
                "at": "2024-03-01T10:15:00+00:00",
                "actor": "c-1",
                "channel": "web",
                "action": "placed",
                "detail": None,
            }
        ],
    } | overrides


def return_doc(**overrides: Any) -> dict[str, Any]:
    return {
        "id": "r-1",
        "order_id": "o-1",
        "channel": "mail",
        "status": "REFUNDED",
        "destination_location_id": "store-2",
        "created_at": "2024-03-10T16:00:00+00:00",
        "lines": [{"order_line_id": "o-1-1", "quantity": 1, "reason": None}],
        "refund": {
            "amount": "8.34",
            "currency": "EUR",
            "method": "card",
            "breakdown": [
                {"kind": "goods", "amount": "13.33"},
                {"kind": "return_costs", "amount": "-4.99"},
            ],
            "loyalty_points_reversed": 13,
        },
    } | overrides


def test_an_order_document_becomes_an_order_record_with_exact_amounts():
    assert to_order(order_doc()) == Order(
        id="o-1",
        number="WEB-1",
        channel="web",
        location_id=None,
        customer_id="c-1",
        status="DELIVERED",
        placed_at=datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
        currency="EUR",
        lines=(
            OrderLine(
                id="o-1-1",
                variant_id=None,
                sku="PAINT-1L",
                quantity=3,
                unit_list_amount=Decimal("19.99"),
                discounts=(
                    LineDiscount(
                        promotion_id="p-3for2",
                        name={"nl": "3 halen, 2 betalen"},
                        amount=Decimal("19.99"),
                    ),
                ),
                tax=Decimal("6.94"),
                total=Decimal("39.98"),
                returned_quantity=1,
            ),
        ),
        subtotal=Decimal("59.97"),
        discount_total=Decimal("19.99"),
        shipping=Decimal("4.95"),
        total=Decimal("44.93"),
        payments=(Payment(method="card", amount=Decimal("44.93")),),
        fulfillments=(
            Fulfillment(
                id="f-1",
                type="ship_to_home",
                location_id="dc-1",
                status="DELIVERED",
                delivery_date=date(2024, 3, 3),
            ),
        ),
        history=(
            HistoryEvent(
                at=datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
                actor="c-1",
                channel="web",
                action="placed",
                detail=None,
            ),
        ),
        version=3,
    )


def test_a_return_document_becomes_a_return_record_with_its_refund():
    assert to_return(return_doc()) == Return(
        id="r-1",
        order_id="o-1",
        channel="mail",
        status="REFUNDED",
        lines=(ReturnLine(order_line_id="o-1-1", quantity=1, reason=None),),
        destination_location_id="store-2",
        refund=Refund(
            amount=Decimal("8.34"),
            currency="EUR",
            method="card",
            breakdown=(
                RefundComponent(kind="goods", amount=Decimal("13.33")),
                RefundComponent(kind="return_costs", amount=Decimal("-4.99")),
            ),
            loyalty_points_reversed=13,
        ),
        created_at=datetime(2024, 3, 10, 16, 0, tzinfo=UTC),
    )


def test_a_return_without_a_refund_has_none():
    assert to_return(return_doc(refund=None, status="REJECTED")).refund is None


def test_a_received_return_says_where_when_and_in_what_condition_and_why_it_went_there():
    routing = {"location_id": "s04", "reasons": ["sells well"]}

    received = to_return(
        return_doc(
            routing=routing,
            received_location_id="s04",
            received_at="2024-03-12T10:00:00+01:00",
            resellable=False,
        )
    )

    assert received.routing == routing
    assert (received.received_location_id, received.received_at, received.resellable) == (
        "s04",
        datetime(2024, 3, 12, 9, 0, tzinfo=UTC),
        False,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("routing", ["s04"]),
        ("received_location_id", 4),
        ("received_at", "yesterday"),
        ("resellable", "yes"),
    ],
)
def test_a_return_with_a_malformed_receipt_or_routing_is_a_contract_violation(field, value):
    with pytest.raises(SourceContractViolation, match="return document is malformed"):
        to_return(return_doc(**{field: value}))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param(order_doc(version="3"), "expected an integer", id="version-a-string"),
        pytest.param(order_doc(version=True), "expected an integer", id="version-a-boolean"),
        pytest.param(order_doc(total=44.93), "expected a string", id="amount-a-float"),
        pytest.param(order_doc(total="44,93"), "malformed", id="amount-not-a-decimal"),
        pytest.param(order_doc(placed_at="yesterday"), "malformed", id="timestamp-not-iso"),
        pytest.param(order_doc(lines=None), "expected a list", id="lines-null"),
        pytest.param(order_doc(lines=[line_doc(sku=None)]), "expected a string", id="sku-null"),
        pytest.param(
            order_doc(
                lines=[line_doc(discounts=[{"promotion_id": "p", "name": "x", "amount": "1"}])]
            ),
            "localised text",
            id="name-not-localised",
        ),
        pytest.param(
            order_doc(
                fulfillments=[
                    {
                        "id": "f",
                        "type": "t",
                        "location_id": None,
                        "status": "s",
                        "delivery_date": "03-03-2024",
                    }
                ]
            ),
            "malformed",
            id="date-not-iso",
        ),
        pytest.param(
            order_doc(payments=[{"method": "card"}]),
            "lacks the field 'amount'",
            id="payment-without-amount",
        ),
    ],
)
def test_a_broken_order_document_is_a_contract_violation(doc, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_order(doc)

    assert caught.value.source == "orders"


def test_a_refund_without_a_method_is_a_contract_violation():
    doc = return_doc()
    doc["refund"] = doc["refund"] | {"method": None}

    with pytest.raises(SourceContractViolation, match="return document is malformed"):
        to_return(doc)
