"""What a back-office system answers without a token (health, contract), and its tokens."""

from __future__ import annotations

import pytest

from backoffice import openapi
from backoffice.rest import SYSTEMS
from tests.backoffice import live

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("system", SYSTEMS)
async def test_every_system_answers_its_health_check_without_a_token(backoffice, system):
    async with backoffice.raw_client() as client:
        response = await client.get(f"/{system}/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "system": system}


@pytest.mark.parametrize("system", SYSTEMS)
async def test_every_system_serves_its_openapi_document(backoffice, system):
    async with backoffice.raw_client() as client:
        response = await client.get(f"/{system}/openapi.json")

    assert response.status_code == 200
    assert response.json() == openapi.document(system)


async def test_a_protected_system_refuses_a_request_without_a_valid_token(backoffice):
    async with backoffice.raw_client() as client:
        missing = await client.get("/loyalty/v1/accounts", params={"customer_id": "cu00001"})
        wrong = await client.get(
            "/loyalty/v1/accounts",
            params={"customer_id": "cu00001"},
            headers={"authorization": "Bearer nope"},
        )
        right = await client.get(
            "/loyalty/v1/accounts",
            params={"customer_id": "cu00001"},
            headers={"authorization": f"Bearer {live.LOYALTY_TOKEN}"},
        )
        open_ = await client.get("/pim/v1/products", params={"id": "p00001"})

    assert (missing.status_code, wrong.status_code, right.status_code, open_.status_code) == (
        401,
        401,
        200,
        200,
    )
    assert missing.json() == {
        "error": {"code": "UNAUTHORIZED", "message": "loyalty requires a valid bearer token"}
    }
    assert missing.headers["www-authenticate"] == 'Bearer realm="loyalty"'


async def test_the_token_endpoint_issues_tokens_for_the_scoped_systems(backoffice):
    async with backoffice.raw_client() as client:
        issued = await client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "scope": "loyalty",
                "client_id": live.CLIENT_ID,
                "client_secret": live.CLIENT_SECRET,
            },
        )
        token = {"authorization": f"Bearer {issued.json()['access_token']}"}
        loyalty = await client.get(
            "/loyalty/v1/accounts", params={"customer_id": "cu00001"}, headers=token
        )
        crm = await client.get("/crm/v1/customers", params={"id": "cu00001"}, headers=token)

    assert issued.status_code == 200
    assert {key: value for key, value in issued.json().items() if key != "access_token"} == {
        "token_type": "Bearer",
        "expires_in": 3600,
        "scope": "loyalty",
    }
    assert issued.headers["cache-control"] == "no-store"
    assert (loyalty.status_code, crm.status_code) == (200, 401)


@pytest.mark.parametrize(
    ("auth", "data", "status", "error"),
    [
        ((live.CLIENT_ID, "wrong"), {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (
            ("stranger", live.CLIENT_SECRET),
            {"grant_type": "client_credentials"},
            401,
            "invalid_client",
        ),
        (
            (live.CLIENT_ID, live.CLIENT_SECRET),
            {"grant_type": "password"},
            400,
            "unsupported_grant_type",
        ),
        (
            (live.CLIENT_ID, live.CLIENT_SECRET),
            {"grant_type": "client_credentials", "scope": "payroll"},
            400,
            "invalid_scope",
        ),
    ],
)
async def test_the_token_endpoint_refuses_bad_clients_and_grants(
    backoffice, auth, data, status, error
):
    async with backoffice.raw_client() as client:
        response = await client.post("/oauth/token", data=data, auth=auth)

    assert (response.status_code, response.json()) == (status, {"error": error})
