"""The small retailer, seeded once per test module and read back whole."""

from __future__ import annotations

import pytest

from backoffice.seed import SeedReport
from tests.backoffice.seed.dumps import Dump, seeded


@pytest.fixture(scope="module")
async def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[SeedReport, Dump]:
    return await seeded(tmp_path_factory.mktemp("seed") / "small.sqlite3")
