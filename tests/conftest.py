"""Fixtures shared by the whole suite: the async backend and the seeded back office."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    # Strawberry's and aiodataloader's DataLoaders are asyncio-only.
    return "asyncio"
