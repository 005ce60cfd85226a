from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm.service import CrmService, Document
from backoffice.db import create_engine, sessionmaker
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.protocol import CrmConnector
from connectors.crm.records import Identifier, IdentifierType
from connectors.errors import SourceContractViolation, SourceUnavailable
from tests.backoffice.crm.rows import CLOCK, T0, customer, identifier, insert, interaction, voucher

pytestmark = pytest.mark.anyio


@pytest.fixture
def connector(sessions: async_sessionmaker[AsyncSession]) -> CrmConnector:
    # Assigning to the Protocol makes mypy check that the adapter implements it exactly.
    connector: CrmConnector = EmbeddedCrmConnector(CrmService(sessions, clock=CLOCK))
    return connector


async def test_customers_come_back_under_the_requested_ids(sessions, connector):
    await insert(
        sessions,
        customer("c-1", tier="GOLD"),
        customer("c-2"),
        identifier("c-1", "LOYALTY_CARD", "2600000000011", "loyalty"),
    )

    customers = await connector.get_customers(["c-1", "c-404", "c-2"])

    assert list(customers) == ["c-1", "c-2"]
    assert customers["c-1"].tier == "GOLD"
    assert customers["c-1"].identifiers == (
        Identifier(type="LOYALTY_CARD", value="2600000000011", source="loyalty"),
    )
    assert customers["c-2"].identifiers == ()


async def test_identifiers_map_back_to_the_keys_exactly_as_requested(sessions, connector):
    await insert(
        sessions,
        customer("c-1"),
        customer("c-2", phone="06 9876 5432"),
        identifier("c-1", "EMAIL", "Sanne@Example.nl"),
    )
    keys: list[tuple[IdentifierType, str]] = [
        ("EMAIL", "SANNE@example.nl"),
        ("EMAIL", "sanne@example.nl"),
        ("PHONE", "0698765432"),
        ("LOYALTY_CARD", "2600000000099"),
    ]

    found = await connector.find_customers(keys)

    assert found == {
        ("EMAIL", "SANNE@example.nl"): "c-1",
        ("EMAIL", "sanne@example.nl"): "c-1",
        ("PHONE", "0698765432"): "c-2",
    }


async def test_interactions_are_grouped_per_customer_newest_first(sessions, connector):
    await insert(
        sessions,
        customer("c-1"),
        customer("c-2"),
        interaction("i-1", "c-1", T0),
        interaction("i-2", "c-2", T0 + timedelta(days=2)),
        interaction("i-3", "c-1", T0 + timedelta(days=1)),
    )

    interactions = await connector.get_interactions(["c-1", "c-2", "c-3"])

    assert {id_: [i.id for i in found] for id_, found in interactions.items()} == {
        "c-1": ["i-3", "i-1"],
        "c-2": ["i-2"],
        "c-3": [],
    }
    assert interactions["c-2"][0].at == datetime(2024, 3, 3, 10, 0, tzinfo=UTC)


async def test_vouchers_have_exact_amounts_and_aware_timestamps(sessions, connector):
    await insert(
        sessions,
        customer("c-1"),
        voucher("v-1", "c-1", T0, amount=Decimal("7.5"), redeemed_at=T0 + timedelta(hours=2)),
        voucher("v-2", "c-1", T0 + timedelta(days=1)),
    )

    vouchers = await connector.get_vouchers(["c-1", "c-2"])

    assert [v.id for v in vouchers["c-1"]] == ["v-2", "v-1"]
    assert vouchers["c-1"][1].amount == Decimal("7.50")
    assert str(vouchers["c-1"][1].amount) == "7.50"
    assert vouchers["c-1"][1].redeemed_at == datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    assert vouchers["c-1"][1].redeemed_at.tzinfo is UTC
    assert vouchers["c-2"] == ()


async def test_a_database_failure_is_the_crm_being_unavailable():
    # An empty database: every table is missing.
    engine = create_engine("sqlite+aiosqlite://")
    connector = EmbeddedCrmConnector(CrmService(sessionmaker(engine), clock=CLOCK))
    try:
        with pytest.raises(SourceUnavailable) as caught:
            await connector.get_customers(["c-1"])
    finally:
        await engine.dispose()

    assert caught.value.source == "crm"


async def test_a_broken_document_is_a_contract_violation(sessions):
    class BrokenCrm(CrmService):
        async def get_customers(self, ids: Sequence[str]) -> list[Document]:
            return [{"id": "c-1"}]

    connector = EmbeddedCrmConnector(BrokenCrm(sessions, clock=CLOCK))

    with pytest.raises(SourceContractViolation, match="lacks the field 'customer_number'"):
        await connector.get_customers(["c-1"])
