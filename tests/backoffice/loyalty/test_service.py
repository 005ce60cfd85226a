from __future__ import annotations

import pytest

from backoffice.loyalty.service import LoyaltyService
from tests.backoffice.loyalty.rows import CLOCK, account, count_statements, insert

pytestmark = pytest.mark.anyio


async def test_accounts_are_found_by_customer_in_one_statement(engine, sessions):
    await insert(
        sessions,
        account("2600000000011", "c-1", 1250),
        account("2600000000028", "c-2", 0),
        account("2600000000035", "c-3", 40),
    )

    with count_statements(engine) as statements:
        docs = await LoyaltyService(sessions, clock=CLOCK).get_accounts(["c-2", "c-1", "c-404"])

    assert docs == [
        {"customer_id": "c-1", "card_number": "2600000000011", "points": 1250},
        {"customer_id": "c-2", "card_number": "2600000000028", "points": 0},
    ]
    assert len(statements) == 1


async def test_accounts_are_found_by_card_number(sessions):
    await insert(sessions, account("2600000000011", "c-1", 1250), account("2600000000028", "c-2"))

    docs = await LoyaltyService(sessions, clock=CLOCK).find_by_card(
        ["2600000000011", "2600000000099"]
    )

    assert docs == [{"customer_id": "c-1", "card_number": "2600000000011", "points": 1250}]


async def test_an_empty_batch_asks_the_database_nothing(engine, sessions):
    service = LoyaltyService(sessions, clock=CLOCK)

    with count_statements(engine) as statements:
        answers = [await service.get_accounts([]), await service.find_by_card([])]

    assert answers == [[], []]
    assert statements == []
