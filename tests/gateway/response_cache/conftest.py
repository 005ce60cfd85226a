"""The `setup` fixture of the response cache tests: a cache over a fake GraphQL app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.gateway.response_cache.support import Setup, build


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    built = build(vary=("authorization", "x-channel"))
    async with built.client:
        yield built
