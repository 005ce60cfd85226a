"""The composition root: how settings become the runtime (the clock, the sources' HTTP clients)."""

from datetime import date

import httpx
import pytest

from gateway.adapters import build_auth
from gateway.bootstrap import open_runtime
from gateway.config import Settings

pytestmark = pytest.mark.anyio


def crm_settings(base_url: str, token_url: str) -> Settings:
    return Settings.load(
        env={
            "GATEWAY_SOURCES__CRM__KIND": "http",
            "GATEWAY_SOURCES__CRM__BASE_URL": base_url,
            "GATEWAY_SOURCES__CRM__OAUTH__TOKEN_URL": token_url,
            "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_ID": "gateway",
            "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET": "s3cr3t",
        }
    )


def test_a_source_without_oauth_has_no_auth():
    assert build_auth(Settings().sources["crm"]) is None


@pytest.mark.parametrize(
    ("base_url", "token_url", "fetched"),
    [
        ("https://crm.example.com", "/oauth/token", "https://crm.example.com/oauth/token"),
        ("https://crm.example.com/api", "/oauth/token", "https://crm.example.com/api/oauth/token"),
        ("https://crm.example.com/api/", "/oauth/token", "https://crm.example.com/api/oauth/token"),
        (
            "https://crm.example.com/api",
            "https://login.example.com/token",
            "https://login.example.com/token",
        ),
    ],
)
async def test_the_token_url_is_a_url_or_a_path_appended_to_the_base_url(
    base_url, token_url, fetched
):
    # given
    auth = build_auth(crm_settings(base_url, token_url).sources["crm"])
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("authorization")))
        if request.method == "POST":
            token = {"access_token": "t0ken", "token_type": "Bearer", "expires_in": 60}
            return httpx.Response(200, json=token)
        return httpx.Response(200, json={"items": []})

    # when
    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(base_url=base_url, transport=transport, auth=auth) as client:
        await client.get("/crm/v1/customers")

    # then
    basic = "Basic Z2F0ZXdheTpzM2NyM3Q="  # gateway:s3cr3t
    assert seen == [
        (fetched, basic),
        (base_url.rstrip("/") + "/crm/v1/customers", "Bearer t0ken"),
    ]


async def test_the_runtime_and_its_embedded_back_office_run_as_of_the_configured_day(
    seeded_url, ledger_url
):
    settings = Settings.load(
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_CLOCK__TODAY": "2031-01-06",
        }
    )
    runtime = await open_runtime(settings)
    try:
        stock = await runtime.sources.inventory.get_stock(["v000001"], ["s01"], live=True)
    finally:
        await runtime.aclose()

    assert runtime.clock.today() == date(2031, 1, 6)
    assert {level.as_of.date() for level in stock["v000001"]} == {date(2031, 1, 6)}
