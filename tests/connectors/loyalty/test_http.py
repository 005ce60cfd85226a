from __future__ import annotations

from math import floor

import pytest

from backoffice.seed.loyalty import WELCOME_POINTS
from connectors.errors import SourceRejected
from connectors.loyalty.http import HttpLoyaltyConnector
from connectors.orders.http import HttpOrdersConnector

pytestmark = pytest.mark.anyio

CUSTOMERS = [f"cu{n:05d}" for n in range(1, 43)]


async def test_accounts_of_a_batch_of_customers_are_one_request(backoffice):
    async with backoffice.client("loyalty") as client:
        accounts = await HttpLoyaltyConnector(client).get_accounts(CUSTOMERS)
    requests = backoffice.requests()
    async with backoffice.client("orders") as client:
        orders = await HttpOrdersConnector(client).get_customer_orders(["cu00001"], channel=None)

    assert len(accounts) == 39
    # The demo customer earned a point per euro of each order after the welcome bonus; what
    # the orders cost follows from the promotions of the seed's day.
    earned = WELCOME_POINTS + sum(floor(order.total) for order in orders["cu00001"])
    assert (accounts["cu00001"].card_number, accounts["cu00001"].points) == (
        "2600000000017",
        earned,
    )
    assert requests == {"GET /loyalty/v1/accounts": 1}


async def test_accounts_by_card_are_one_request(backoffice):
    async with backoffice.client("loyalty") as client:
        accounts = await HttpLoyaltyConnector(client).find_by_card(
            ["2600000000017", "2600000000024", "0"]
        )

    assert {card: account.customer_id for card, account in accounts.items()} == {
        "2600000000017": "cu00001",
        "2600000000024": "cu00002",
    }
    assert backoffice.requests() == {"GET /loyalty/v1/accounts": 1}


async def test_the_loyalty_system_refuses_a_gateway_without_its_token(backoffice):
    async with backoffice.client("loyalty", headers={"Authorization": "Bearer wrong"}) as client:
        with pytest.raises(SourceRejected, match="GET /loyalty/v1/accounts answered 401"):
            await HttpLoyaltyConnector(client).get_accounts(["cu00001"])


async def test_a_loyalty_system_naming_fields_its_own_way_reads_the_same_with_a_mapping(backoffice):
    async with backoffice.client("loyalty") as client:
        accounts = await HttpLoyaltyConnector(client).get_accounts(CUSTOMERS)

    async with backoffice.renaming(
        "loyalty", {"points": "balance", "card_number": "card"}
    ) as client:
        theirs = HttpLoyaltyConnector(client, mapping={"balance": "points", "card": "card_number"})
        assert await theirs.get_accounts(CUSTOMERS) == accounts
