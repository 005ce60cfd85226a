"""A real front-end client against a real server: Apollo Client 3 in node, over HTTP.

`listing.mjs` queries the 48-product listing into Apollo's normalised cache, runs a query
over GET, sends a CORS preflight from another local origin, meets a client error and
falls back from automatic persisted queries. It asserts what it can alone and prints a
summary that the tests here compare with the gateway's own answer. The first run
installs the locked packages (`npm ci`) into this folder; node_modules is git-ignored.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.config import Settings
from tests.api import CLOCK
from tests.servers import uvicorn_thread

HERE = Path(__file__).parent
PROMOTIONS = """
{ products(first: 48) { edges { node { sku price {
    amount { amount } listAmount { amount } promotions { promotionId discount { amount } }
} } } } }
"""


def _require_node() -> tuple[str, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        message = "node and npm are needed to run the JS client"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}, and CI=true requires them")
        pytest.skip(message)
    return node, npm


@pytest.fixture(scope="module")
def node() -> str:
    node, npm = _require_node()
    if not (HERE / "node_modules").is_dir():
        subprocess.run(
            [npm, "ci", "--prefer-offline", "--no-audit", "--no-fund"],
            cwd=HERE,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return node


@pytest.fixture
def gateway_url(settings: Settings) -> Iterator[str]:
    """The gateway under uvicorn on a free port, lifespan and all, in a background thread."""
    with uvicorn_thread(create_app(settings, clock=CLOCK)) as port:
        yield f"http://127.0.0.1:{port}/graphql"


@pytest.fixture
def apollo(node: str, gateway_url: str) -> dict[str, Any]:
    """What Apollo Client got, and what the gateway answers to a plain request."""
    run = subprocess.run(
        [node, "listing.mjs", gateway_url],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    summary: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    plain = httpx.post(gateway_url, json={"query": PROMOTIONS}, timeout=30).json()
    summary["truth"] = {
        edge["node"]["sku"]: edge["node"]["price"] for edge in plain["data"]["products"]["edges"]
    }
    return summary


def test_apollo_client_reads_the_listing_over_post_and_get_across_origins(apollo):
    assert apollo["products"] == 48
    assert apollo["promoted"] > 0
    assert "apollographql-client-name" in apollo["preflightAllowedHeaders"]
    assert apollo["error"] == {"status": 422, "code": "BAD_USER_INPUT"}


def test_apollos_cache_keeps_each_products_price(apollo):
    for sku, price in apollo["truth"].items():
        assert apollo["cached"][sku]["amount"] == price["amount"]["amount"]
        assert apollo["cached"][sku]["listAmount"] == price["listAmount"]["amount"]


def test_apollos_cache_shows_each_products_own_promotion_discount(apollo):
    for sku, price in apollo["truth"].items():
        expected = [[p["promotionId"], p["discount"]["amount"]] for p in price["promotions"]]
        assert apollo["cached"][sku]["discounts"] == expected, sku
