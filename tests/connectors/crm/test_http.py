from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import pytest

from connectors.crm.http import HttpCrmConnector
from connectors.crm.records import IdentifierType

pytestmark = pytest.mark.anyio

CUSTOMERS = [f"cu{n:05d}" for n in range(1, 43)]

CALLS: dict[str, tuple[Callable[[HttpCrmConnector], Awaitable[Mapping[Any, Any]]], str]] = {
    "get_customers": (lambda crm: crm.get_customers(CUSTOMERS), "GET /crm/v1/customers"),
    "find_customers": (
        lambda crm: crm.find_customers(
            [("EMAIL", "JEROEN.BAKKER@example.com"), ("LOYALTY_CARD", "2600000000024")]
        ),
        "GET /crm/v1/customer-matches",
    ),
    "get_interactions": (lambda crm: crm.get_interactions(CUSTOMERS), "GET /crm/v1/interactions"),
    "get_vouchers": (lambda crm: crm.get_vouchers(CUSTOMERS), "GET /crm/v1/vouchers"),
}


@pytest.mark.parametrize("method", CALLS)
async def test_a_batch_of_keys_is_one_request_to_the_crm_after_one_token(backoffice, method):
    call, request = CALLS[method]

    async with backoffice.client("crm") as client:
        found = await call(HttpCrmConnector(client))

    assert found
    assert backoffice.requests() == {"POST /oauth/token": 1, request: 1}


async def test_identifiers_are_found_as_the_crm_compares_them(backoffice):
    keys: list[tuple[IdentifierType, str]] = [
        ("EMAIL", "JEROEN.BAKKER@example.com"),
        ("PHONE", "+31 6 12345678"),
        ("SOCIAL", "nobody"),
    ]

    async with backoffice.client("crm") as client:
        found = await HttpCrmConnector(client).find_customers(keys)

    assert found == {
        ("EMAIL", "JEROEN.BAKKER@example.com"): "cu00001",
        ("PHONE", "+31 6 12345678"): "cu00001",
    }


async def test_a_crm_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    async with backoffice.client("crm") as client:
        reference = HttpCrmConnector(client)
        customers = await reference.get_customers(CUSTOMERS)
        vouchers = await reference.get_vouchers(CUSTOMERS)

    renames = {"first_name": "given_name", "last_name": "family_name", "reason": "issue_reason"}
    async with backoffice.renaming("crm", renames) as client:
        theirs = HttpCrmConnector(
            client, mapping={theirs: ours for ours, theirs in renames.items()}
        )
        assert await theirs.get_customers(CUSTOMERS) == customers
        assert await theirs.get_vouchers(CUSTOMERS) == vouchers
