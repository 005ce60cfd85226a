"""Fixtures of the back office's API tests: the live back office and a client with a token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.backoffice import live


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


@pytest.fixture
async def http(backoffice: live.LiveBackoffice) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"authorization": f"Bearer {live.LOYALTY_TOKEN}"}
    async with backoffice.raw_client(headers=headers) as client:
        yield client
