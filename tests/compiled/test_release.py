"""A finished request leaves nothing for the cyclic garbage collector: it goes when it ends."""

from __future__ import annotations

import gc

import pytest

from bench.listings import LISTING_GTIN
from resolvers.ids import to_global_id
from tests.compiled.harness import Pair

pytestmark = pytest.mark.anyio

VARIABLES = {"first": 48, "stores": [to_global_id("Location", s) for s in ("s01", "s02", "s03")]}


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "attributes"])
async def test_a_listing_leaves_no_cycle_behind(pair: Pair, compiled: bool):
    schema = pair.compiled if compiled else pair.reference
    await pair.run(schema, LISTING_GTIN, VARIABLES)  # plans, caches, loaders warmed
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        outcome = await pair.run(schema, LISTING_GTIN, VARIABLES)
        gc.collect()
        left = [type(o).__qualname__ for o in gc.garbage]
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()

    assert outcome.errors == []
    assert len(outcome.data["products"]["edges"]) == 48
    # Before: ~340 objects (the executor's helpers, the loaders, 97 futures, the recorder).
    assert left == []
