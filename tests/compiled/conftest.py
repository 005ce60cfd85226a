"""A pair of schemas over one runtime on the seeded demo retailer, for differential tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.bootstrap import open_runtime
from gateway.config import Settings
from tests.compiled.harness import STILL, Pair


@pytest.fixture
async def pair(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Pair]:
    runtime = await open_runtime(settings, engine=engine, clock=STILL)
    try:
        yield Pair(runtime)
    finally:
        await runtime.aclose()
