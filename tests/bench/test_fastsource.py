"""The fast source replays the back office: each distinct request reaches it once, a new
combination of known batch keys not at all, and the counts come back in its `/_stats` shape."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.http import create_app as create_backoffice
from bench import fastsource
from tests.api import CLOCK

pytestmark = pytest.mark.anyio


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _source_calls(client: httpx.AsyncClient, url: str) -> dict[str, int]:
    """The back office's counts, without its own `/_stats` requests."""
    requests = (await client.get(f"{url}/_stats")).json()["requests"]
    return {name: n for name, n in requests.items() if " /_" not in name}


@contextlib.asynccontextmanager
async def _serving(engine: AsyncEngine) -> AsyncIterator[tuple[str, str]]:
    """The back office on uvicorn and the fast source in front of it, in this event loop."""
    backoffice_port, fast_port = _free_port(), _free_port()
    config = uvicorn.Config(
        create_backoffice(engine, clock=CLOCK),
        host="127.0.0.1",
        port=backoffice_port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    backoffice = asyncio.create_task(server.serve())
    backoffice_url = f"http://127.0.0.1:{backoffice_port}"
    fast = asyncio.create_task(fastsource.serve("127.0.0.1", fast_port, backoffice_url, 0.0))
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    await client.get(f"{backoffice_url}/_stats")
                    await client.get(f"http://127.0.0.1:{fast_port}/_stats")
                    break
                await asyncio.sleep(0.05)
        yield backoffice_url, f"http://127.0.0.1:{fast_port}"
    finally:
        fast.cancel()
        server.should_exit = True
        await backoffice
        with contextlib.suppress(asyncio.CancelledError):
            await fast


async def test_a_request_reaches_the_back_office_once_and_is_then_replayed(
    engine: AsyncEngine,
) -> None:
    async with _serving(engine) as (backoffice_url, fast_url), httpx.AsyncClient() as client:
        # given
        await client.delete(f"{backoffice_url}/_stats")
        url = f"{fast_url}/pim/v1/variants?id=v000001&id=v000002"

        # when
        first = await client.get(url)
        second = await client.get(url)

        # then
        assert first.status_code == second.status_code == 200
        assert second.content == first.content
        assert [v["id"] for v in second.json()["items"]] == ["v000001", "v000002"]
        assert await _source_calls(client, backoffice_url) == {"GET /pim/v1/variants": 1}
        stats = (await client.get(f"{fast_url}/_stats")).json()
        assert stats["requests"] == {"GET /pim/v1/variants": 2}
        assert stats["misses"] == 1


async def test_a_new_combination_of_known_keys_is_composed_without_a_miss(
    engine: AsyncEngine,
) -> None:
    async with _serving(engine) as (backoffice_url, fast_url), httpx.AsyncClient() as client:
        # given: v1 and v2 seen together, v3 alone
        await client.get(f"{fast_url}/pim/v1/variants?id=v000001&id=v000002")
        await client.get(f"{fast_url}/pim/v1/variants?id=v000003")
        await client.delete(f"{backoffice_url}/_stats")
        await client.delete(f"{fast_url}/_stats")

        # when
        composed = await client.get(f"{fast_url}/pim/v1/variants?id=v000003&id=v000002")
        direct = await client.get(f"{backoffice_url}/pim/v1/variants?id=v000003&id=v000002")

        # then: the back office's items, in the order asked, and only the direct call reached it
        by_id = {item["id"]: item for item in direct.json()["items"]}
        assert composed.json()["items"] == [by_id["v000003"], by_id["v000002"]]
        assert await _source_calls(client, backoffice_url) == {"GET /pim/v1/variants": 1}
        stats = (await client.get(f"{fast_url}/_stats")).json()
        assert (stats["misses"], stats["composed"]) == (0, 1)
