"""Bookings over HTTP, against the back office served on a loyalty database of their own.

The session's served back office reads the seeded demo retailer, which other tests expect
unchanged; bookings write, so each test here serves a fresh SQLite file instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from backoffice import openapi
from backoffice.db import create_engine, sessionmaker
from backoffice.loyalty.service import MAX_POINTS
from connectors.errors import NoLoyaltyAccount, SourceRejected
from connectors.loyalty.http import HttpLoyaltyConnector
from connectors.loyalty.records import PointsEntry
from tests.backoffice import live
from tests.backoffice.loyalty.rows import account, create_loyalty_tables, insert
from tests.backoffice.test_api import assert_valid

pytestmark = pytest.mark.anyio

CARD = "2600000000011"


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'loyalty.sqlite3'}"
    engine = create_engine(url)
    await create_loyalty_tables(engine)
    await insert(sessionmaker(engine), account(CARD, "c-1", 10), account("2600000000028", "c-2"))
    await engine.dispose()
    return url


@pytest.fixture
def backoffice(database_url: str) -> Iterator[live.LiveBackoffice]:
    server = live.LiveBackoffice(database_url)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_an_earning_retried_over_http_is_booked_once(backoffice):
    async with backoffice.client("loyalty") as client:
        loyalty = HttpLoyaltyConnector(client)
        first = await loyalty.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")
        again = await loyalty.earn("c-1", points=42, reference="checkout:W-1", order_number="W-1")
        accounts = await loyalty.get_accounts(["c-1"])

    assert (
        first
        == again
        == PointsEntry(
            reference="checkout:W-1",
            customer_id="c-1",
            card_number=CARD,
            points=42,
            reason="EARN",
            order_number="W-1",
            at=live.CLOCK.now(),
            balance=52,
            shortfall=0,
        )
    )
    assert accounts["c-1"].points == 52
    assert backoffice.requests() == {
        "POST /loyalty/v1/entries/earn": 2,
        "GET /loyalty/v1/accounts": 1,
    }


async def test_twenty_concurrent_earnings_of_one_reference_over_http_count_once(backoffice):
    async with backoffice.client("loyalty") as client:
        loyalty = HttpLoyaltyConnector(client)
        entries = await asyncio.gather(
            *(loyalty.earn("c-1", points=42, reference="checkout:W-1") for _ in range(20))
        )
        accounts = await loyalty.get_accounts(["c-1"])

    assert {entry.balance for entry in entries} == {52}
    assert accounts["c-1"].points == 52


async def test_a_reversal_over_http_stops_at_zero_and_reads_back_by_reference(backoffice):
    async with backoffice.client("loyalty") as client:
        loyalty = HttpLoyaltyConnector(client)
        reversed_ = await loyalty.reverse(
            "c-1", points=25, reference="refund:R-1", reason="RMA", order_number="W-1"
        )
        entries = await loyalty.get_entries(["nope", "refund:R-1"])

    assert (reversed_.points, reversed_.reason, reversed_.balance, reversed_.shortfall) == (
        -10,
        "RMA",
        0,
        15,
    )
    assert entries == {"refund:R-1": reversed_}
    assert backoffice.requests()["GET /loyalty/v1/entries"] == 1


async def test_a_customer_without_an_account_over_http_is_no_loyalty_account(backoffice):
    async with backoffice.client("loyalty") as client:
        with pytest.raises(NoLoyaltyAccount) as caught:
            await HttpLoyaltyConnector(client).reverse("c-404", points=5, reference="refund:R-1")

    assert (caught.value.source, caught.value.customer_id) == ("loyalty", "c-404")


async def test_a_reference_reused_over_http_is_rejected_with_the_conflict(backoffice):
    async with backoffice.client("loyalty") as client:
        loyalty = HttpLoyaltyConnector(client)
        await loyalty.earn("c-1", points=5, reference="checkout:W-1")
        with pytest.raises(SourceRejected, match="answered 409: the reference 'checkout:W-1'"):
            await loyalty.earn("c-2", points=5, reference="checkout:W-1")


async def test_a_loyalty_system_naming_entry_fields_its_own_way_reads_the_same(backoffice):
    async with backoffice.client("loyalty") as client:
        ours = await HttpLoyaltyConnector(client).earn("c-1", points=5, reference="checkout:W-1")
    async with backoffice.renaming("loyalty", {"balance": "saldo", "reference": "ref"}) as client:
        theirs = HttpLoyaltyConnector(client, mapping={"saldo": "balance", "ref": "reference"})
        assert await theirs.earn("c-1", points=5, reference="checkout:W-1") == ours
        assert await theirs.get_entries(["checkout:W-1"]) == {"checkout:W-1": ours}


# The documents on the wire, against the OpenAPI document.


async def test_the_answers_on_the_wire_are_those_the_openapi_document_describes(backoffice):
    document = openapi.document("loyalty")
    headers = {"authorization": f"Bearer {live.LOYALTY_TOKEN}"}
    async with backoffice.raw_client(headers=headers) as client:
        booked = await client.post(
            "/loyalty/v1/entries/earn",
            json={"customer_id": "c-1", "points": 5, "reference": "checkout:W-1"},
        )
        read = await client.post("/loyalty/v1/entries", json={"references": ["checkout:W-1"]})
        missing = await client.post(
            "/loyalty/v1/entries/reverse",
            json={"customer_id": "c-404", "points": 5, "reference": "refund:R-1"},
        )

    assert booked.status_code == 200
    assert_valid(booked.json(), {"$ref": "#/components/schemas/PointsEntry"}, document)
    assert read.json() == {"items": [booked.json()]}
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {"code": "NO_ACCOUNT", "message": "the customer 'c-404' has no loyalty account"}
    }
    assert_valid(missing.json(), {"$ref": "#/components/schemas/Error"}, document)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param([], "the body must be a JSON object", id="not-an-object"),
        pytest.param({"customer_id": "c-1", "points": 5}, "lacks 'reference'", id="no-reference"),
        pytest.param(
            {"customer_id": "c-1", "points": 5, "reference": "r", "euros": 5},
            "unknown body field 'euros'",
            id="an-amount-of-money",
        ),
        pytest.param(
            {"customer_id": "c-1", "points": "5", "reference": "r"},
            "points must be a whole number",
            id="points-a-string",
        ),
        pytest.param(
            {"customer_id": "c-1", "points": MAX_POINTS + 1, "reference": "r"},
            "points must be between 1 and",
            id="too-many-points",
        ),
    ],
)
async def test_a_malformed_booking_is_an_invalid_request(backoffice, body, message):
    headers = {"authorization": f"Bearer {live.LOYALTY_TOKEN}"}
    async with backoffice.raw_client(headers=headers) as client:
        response = await client.post("/loyalty/v1/entries/earn", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert message in response.json()["error"]["message"]
