"""The HTTP adapters against protected sources: bearer tokens, OAuth client credentials, and
mappings of a source's own field names to ours."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from connectors._http import ClientCredentialsAuth
from connectors.errors import SourceContractViolation, SourceRejected
from connectors.loyalty.http import HttpLoyaltyConnector
from connectors.pim.http import HttpPimConnector
from tests.backoffice import live
from tests.connectors.http_support import answer, mock_client

pytestmark = pytest.mark.anyio


async def test_a_protected_source_without_a_token_rejects_the_request(backoffice):
    async with backoffice.client("loyalty", headers={}) as client:
        with pytest.raises(
            SourceRejected, match="answered 401: loyalty requires a valid bearer token"
        ):
            await HttpLoyaltyConnector(client).get_accounts(["cu00001"])


async def test_a_protected_source_answers_with_the_token_from_the_environment(backoffice):
    async with backoffice.client(
        "loyalty",
        headers={"Authorization": "Bearer ${LOYALTY_TOKEN}"},
        env={"LOYALTY_TOKEN": live.LOYALTY_TOKEN},
    ) as client:
        accounts = await HttpLoyaltyConnector(client).get_accounts(["cu00001"])

    assert accounts["cu00001"].card_number == "2600000000017"


async def test_an_oauth_token_is_fetched_once_and_reused(backoffice):
    auth = ClientCredentialsAuth(
        "/oauth/token", live.CLIENT_ID, live.CLIENT_SECRET, scope="loyalty"
    )

    async with backoffice.client("loyalty", headers={}, auth=auth) as client:
        loyalty = HttpLoyaltyConnector(client)
        # Concurrent first calls wait for one token rather than fetching one each.
        await asyncio.gather(*(loyalty.get_accounts([f"cu0000{n}"]) for n in range(1, 6)))
        accounts = await loyalty.find_by_card(["2600000000017"])

    assert accounts["2600000000017"].customer_id == "cu00001"
    assert backoffice.requests() == {"POST /oauth/token": 1, "GET /loyalty/v1/accounts": 6}


async def test_an_oauth_token_is_fetched_again_shortly_before_it_expires(backoffice):
    now = [1000.0]
    auth = ClientCredentialsAuth(
        "/oauth/token", live.CLIENT_ID, live.CLIENT_SECRET, leeway=30, clock=lambda: now[0]
    )

    async with backoffice.client("loyalty", headers={}, auth=auth) as client:
        loyalty = HttpLoyaltyConnector(client)
        await loyalty.get_accounts(["cu00001"])
        now[0] += 3600 - 31  # still valid for more than the leeway
        await loyalty.get_accounts(["cu00001"])
        now[0] += 2  # within the leeway of its expiry
        await loyalty.get_accounts(["cu00001"])

    assert backoffice.requests() == {"POST /oauth/token": 2, "GET /loyalty/v1/accounts": 3}


async def test_an_oauth_token_the_source_refuses_is_replaced_once():
    tokens = iter(["old", "new"])
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            assert request.headers["authorization"] == "Basic Z3c6czNjcmV0"  # gw:s3cret
            assert request.content == b"grant_type=client_credentials&scope=pim"
            return httpx.Response(
                200, json={"access_token": next(tokens), "token_type": "bearer", "expires_in": 3600}
            )
        seen.append(request.headers["authorization"])
        if request.headers["authorization"] != "Bearer new":
            return httpx.Response(
                401, json={"error": {"code": "UNAUTHORIZED", "message": "expired"}}
            )
        return httpx.Response(200, json={"items": []})

    async with mock_client(
        handler, auth=ClientCredentialsAuth("/oauth/token", "gw", "s3cret", scope="pim")
    ) as client:
        assert await HttpPimConnector(client).get_products(["p1"]) == {}

    assert seen == ["Bearer old", "Bearer new"]


async def test_a_token_endpoint_refusing_the_client_rejects_the_request(backoffice):
    auth = ClientCredentialsAuth("/oauth/token", live.CLIENT_ID, "wrong")

    async with backoffice.client("loyalty", headers={}, auth=auth) as client:
        with pytest.raises(SourceRejected, match="POST /oauth/token answered 401"):
            await HttpLoyaltyConnector(client).get_accounts(["cu00001"])


# Field mapping.


async def test_a_mapping_renames_the_sources_own_field_names_to_ours():
    theirs = {
        "id": "p1", "code": "SKU-1", "title": {"en": "Bag"}, "description": {}, "brand": None,
        "category_ids": [], "media": [], "variant_ids": ["v1"], "complete": True,
    }  # fmt: skip

    async with mock_client(answer(200, {"items": [theirs]})) as client:
        products = await HttpPimConnector(
            client, mapping={"title": "name", "code": "sku"}
        ).get_products(["p1"])

    assert (products["p1"].sku, products["p1"].name) == ("SKU-1", {"en": "Bag"})

    listed = theirs | {"cursor": "c1"}
    async with mock_client(
        answer(200, {"items": [listed], "total": 1, "has_more": False})
    ) as client:
        pim = HttpPimConnector(client, mapping={"title": "name", "code": "sku"})
        page = await pim.search_products(
            search="bag",
            category_id=None,
            complete_only=False,
            after=None,
            limit=10,
            with_total=False,
        )

    assert [(p.sku, p.name) for p in page.products] == [("SKU-1", {"en": "Bag"})]
    assert page.total == 1


async def test_without_a_mapping_a_source_with_other_names_breaks_the_contract():
    async with mock_client(answer(200, {"items": [{"id": "p1", "code": "SKU-1"}]})) as client:
        with pytest.raises(SourceContractViolation, match="product document lacks the field 'sku'"):
            await HttpPimConnector(client).get_products(["p1"])
