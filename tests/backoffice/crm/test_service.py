from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.crm.service import CrmService
from tests.backoffice.crm.rows import (
    CLOCK,
    T0,
    consent,
    count_statements,
    customer,
    identifier,
    insert,
    interaction,
    voucher,
)

pytestmark = pytest.mark.anyio


async def test_a_customer_document_holds_identifiers_and_consents(sessions):
    # given
    await insert(
        sessions,
        customer("c-1", email="sanne@example.nl", phone="+31 6 1234 5678", tier="GOLD"),
        identifier("c-1", "EMAIL", "sanne@example.nl", "webshop"),
        identifier("c-1", "LOYALTY_CARD", "2600000000011", "loyalty"),
        consent("c-1", "email_marketing"),
        consent("c-1", "analytics", granted=False),
    )

    # when
    docs = await CrmService(sessions, clock=CLOCK).get_customers(["c-1"])

    # then
    assert docs == [
        {
            "id": "c-1",
            "customer_number": "N-c-1",
            "first_name": "Sanne",
            "last_name": "de Vries",
            "email": "sanne@example.nl",
            "phone": "+31 6 1234 5678",
            "tier": "GOLD",
            "created_at": "2024-03-01T10:00:00+00:00",
            "identifiers": [
                {"type": "EMAIL", "value": "sanne@example.nl", "source": "webshop"},
                {"type": "LOYALTY_CARD", "value": "2600000000011", "source": "loyalty"},
            ],
            "consents": [
                {"purpose": "analytics", "granted": False, "at": "2024-03-01T10:00:00+00:00"},
                {"purpose": "email_marketing", "granted": True, "at": "2024-03-01T10:00:00+00:00"},
            ],
        }
    ]


async def test_unknown_customers_are_missing_and_a_customer_without_links_has_empty_lists(
    sessions,
):
    await insert(sessions, customer("c-1"))

    docs = await CrmService(sessions, clock=CLOCK).get_customers(["c-1", "nobody"])

    assert [doc["id"] for doc in docs] == ["c-1"]
    assert docs[0]["identifiers"] == []
    assert docs[0]["consents"] == []


async def test_twenty_customers_take_one_statement_per_table(engine, sessions):
    ids = [f"c-{n:02}" for n in range(20)]
    await insert(
        sessions,
        *(customer(id_) for id_ in ids),
        *(identifier(id_, "EMAIL", f"{id_}@example.nl") for id_ in ids),
        *(consent(id_, "email_marketing") for id_ in ids),
    )

    with count_statements(engine) as statements:
        docs = await CrmService(sessions, clock=CLOCK).get_customers(ids)

    assert len(docs) == 20
    assert len(statements) == 3


async def test_an_empty_batch_asks_the_database_nothing(engine, sessions):
    service = CrmService(sessions, clock=CLOCK)

    with count_statements(engine) as statements:
        answers = [
            await service.get_customers([]),
            await service.find_customers([]),
            await service.get_interactions([]),
            await service.get_vouchers([]),
        ]

    assert answers == [[], [], [], []]
    assert statements == []


async def test_identifiers_match_email_case_insensitively_and_phone_without_spaces(
    engine, sessions
):
    # given
    await insert(
        sessions,
        customer("c-1"),
        customer("c-2", email="Piet@Example.NL", phone="06 9876 5432"),
        identifier("c-1", "EMAIL", "Sanne@Example.nl"),
        identifier("c-1", "PHONE", "+31 6 1234 5678"),
        identifier("c-1", "LOYALTY_CARD", "2600000000011"),
    )
    requested = [
        {"type": "EMAIL", "value": "sanne@EXAMPLE.nl"},
        {"type": "PHONE", "value": "+31612345678"},
        {"type": "LOYALTY_CARD", "value": "2600000000011"},
        {"type": "LOYALTY_CARD", "value": "2600000000099"},
        {"type": "EMAIL", "value": "piet@example.nl"},
        {"type": "PHONE", "value": "0698765432"},
        {"type": "SOCIAL", "value": "Sanne@Example.nl"},
    ]

    # when
    with count_statements(engine) as statements:
        matches = await CrmService(sessions, clock=CLOCK).find_customers(requested)

    # then the requested values come back as asked; the customer's own fields count too
    assert matches == [
        {"type": "EMAIL", "value": "sanne@EXAMPLE.nl", "customer_id": "c-1"},
        {"type": "PHONE", "value": "+31612345678", "customer_id": "c-1"},
        {"type": "LOYALTY_CARD", "value": "2600000000011", "customer_id": "c-1"},
        {"type": "EMAIL", "value": "piet@example.nl", "customer_id": "c-2"},
        {"type": "PHONE", "value": "0698765432", "customer_id": "c-2"},
    ]
    assert len(statements) == 2


async def test_a_loyalty_card_lookup_does_not_read_the_customer_table(engine, sessions):
    await insert(sessions, customer("c-1"), identifier("c-1", "LOYALTY_CARD", "2600000000011"))

    with count_statements(engine) as statements:
        matches = await CrmService(sessions, clock=CLOCK).find_customers(
            [{"type": "LOYALTY_CARD", "value": "2600000000011"}]
        )

    assert matches == [{"type": "LOYALTY_CARD", "value": "2600000000011", "customer_id": "c-1"}]
    assert len(statements) == 1


async def test_a_linked_identifier_wins_over_another_customers_own_email(sessions):
    await insert(
        sessions,
        customer("c-1", email="shared@example.nl"),
        customer("c-2"),
        identifier("c-2", "EMAIL", "shared@example.nl"),
    )

    matches = await CrmService(sessions, clock=CLOCK).find_customers(
        [{"type": "EMAIL", "value": "shared@example.nl"}]
    )

    assert matches == [{"type": "EMAIL", "value": "shared@example.nl", "customer_id": "c-2"}]


async def test_interactions_come_newest_first_in_one_statement(engine, sessions):
    await insert(
        sessions,
        customer("c-1"),
        customer("c-2"),
        interaction("i-1", "c-1", T0),
        interaction("i-2", "c-2", T0 + timedelta(days=2), channel="store", by=None),
        interaction("i-3", "c-1", T0 + timedelta(days=1)),
        interaction("i-4", "c-3", T0),
    )

    with count_statements(engine) as statements:
        docs = await CrmService(sessions, clock=CLOCK).get_interactions(["c-1", "c-2"])

    assert [doc["id"] for doc in docs] == ["i-2", "i-3", "i-1"]
    assert docs[0] == {
        "id": "i-2",
        "customer_id": "c-2",
        "at": "2024-03-03T10:00:00+00:00",
        "channel": "store",
        "kind": "complaint",
        "note": "Promotion not applied at the till.",
        "by": None,
    }
    assert len(statements) == 1


async def test_vouchers_carry_amount_as_a_decimal_string_and_their_reason(sessions):
    await insert(
        sessions,
        customer("c-1"),
        voucher(
            "v-1",
            "c-1",
            T0,
            amount=Decimal("5"),
            redeemed_at=T0 + timedelta(days=3),
            redeemed_order_id="o-7",
            expires_at=T0 + timedelta(days=90),
            issued_by="svc:sanne",
        ),
        voucher("v-2", "c-1", T0 + timedelta(days=1), amount=Decimal("12.50")),
    )

    docs = await CrmService(sessions, clock=CLOCK).get_vouchers(["c-1", "nobody"])

    assert docs == [
        {
            "id": "v-2",
            "customer_id": "c-1",
            "code": "CODE-v-2",
            "amount": "12.50",
            "currency": "EUR",
            "reason": "Compensation for a missed promotion",
            "issued_at": "2024-03-02T10:00:00+00:00",
            "redeemed_at": None,
            "expires_at": None,
            "redeemed_order_id": None,
            "issued_by": None,
        },
        {
            "id": "v-1",
            "customer_id": "c-1",
            "code": "CODE-v-1",
            "amount": "5.00",
            "currency": "EUR",
            "reason": "Compensation for a missed promotion",
            "issued_at": "2024-03-01T10:00:00+00:00",
            "redeemed_at": "2024-03-04T10:00:00+00:00",
            "expires_at": "2024-05-30T10:00:00+00:00",
            "redeemed_order_id": "o-7",
            "issued_by": "svc:sanne",
        },
    ]
