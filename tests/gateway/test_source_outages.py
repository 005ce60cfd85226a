"""One source down, whichever it is, nulls only the fields that source serves (DESIGN.md §5)."""

from collections.abc import Iterator
from typing import Any

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID, HOME_STORE_ID
from gateway.app import create_app
from resolvers.ids import to_global_id
from tests.api import CLOCK, Reply, serve
from tests.backoffice import live
from tests.gateway.test_http_sources import http_settings

pytestmark = pytest.mark.anyio

#: Every domain in one document, through nullable fields only, as a customer page and a
#: product page would ask together.
EVERY_DOMAIN = """query($store: ID!, $order: String!) {
  product(sku: "P100001") { name variants { sku
    price { amount { amount } }
    availability(locationIds: [$store]) { available locations { quantity } } } }
  location(id: $store) { code name }
  me { name tier
    loyalty { points }
    orders(first: 20) { edges { node { number total { amount }
      location { code }
      lines { sku variant { sku name } } } } } }
  order(number: $order) { number customer { name } }
}"""

#: The fields each source serves in EVERY_DOMAIN, as paths of field names.
SERVED_BY: dict[str, list[tuple[str, ...]]] = {
    "pim": [("product",), ("me", "orders", "edges", "node", "lines", "variant")],
    "pricing": [("product", "variants", "price")],
    "inventory": [
        ("product", "variants", "availability"),
        ("location",),
        ("me", "orders", "edges", "node", "location"),
    ],
    "crm": [("me",), ("order", "customer")],
    "orders": [("me", "orders"), ("order",)],
    "loyalty": [("me", "loyalty")],
}


def nulled(data: Any, path: tuple[str, ...]) -> Any:
    """`data` with the field at `path` null wherever it occurs (lists are walked through)."""
    if isinstance(data, list):
        return [nulled(item, path) for item in data]
    if not isinstance(data, dict):
        return data
    name, *rest = path
    if not rest:
        return {**data, name: None}
    return {**data, name: nulled(data[name], tuple(rest))}


def values_at(data: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if isinstance(data, list):
        for item in data:
            yield from values_at(item, path)
    elif isinstance(data, dict):
        if len(path) == 1:
            yield data[path[0]]
        else:
            yield from values_at(data[path[0]], path[1:])


def field_path(error: dict[str, Any]) -> tuple[str, ...]:
    return tuple(part for part in error["path"] if isinstance(part, str))


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


async def ask(backoffice, seeded_url, ledger_url, variables) -> Reply:
    """EVERY_DOMAIN through a gateway of its own, so that no cached answer hides an outage."""
    # Timeouts well above a loaded test machine's latency: an outage here is a 503, and a
    # slow answer must not pass for one (or turn into SOURCE_TIMEOUT).
    timeouts = {f"GATEWAY_SOURCES__{name.upper()}__TIMEOUT": "3" for name in SERVED_BY}
    settings = http_settings(seeded_url, ledger_url, backoffice.url, **timeouts)
    async with serve(create_app(settings, clock=CLOCK), settings) as api:
        return await api.query(
            EVERY_DOMAIN, variables, role="customer", customer_id=DEMO_CUSTOMER_ID
        )


@pytest.mark.parametrize("source", sorted(SERVED_BY))
async def test_a_source_outage_nulls_only_the_fields_that_source_serves(
    backoffice, seeded_url, ledger_url, monkeypatch, source
):
    # given: the page as it reads with every source up
    monkeypatch.setenv("TEST_CRM_TOKEN", live.CRM_TOKEN)
    monkeypatch.setenv("TEST_LOYALTY_TOKEN", live.LOYALTY_TOKEN)
    variables = {"store": to_global_id("Location", HOME_STORE_ID), "order": "?"}
    first = await ask(backoffice, seeded_url, ledger_url, variables)
    variables["order"] = first.data["me"]["orders"]["edges"][0]["node"]["number"]
    healthy = await ask(backoffice, seeded_url, ledger_url, variables)
    assert healthy.errors is None, healthy.errors
    for path in SERVED_BY[source]:
        assert any(value is not None for value in values_at(healthy.data, path)), path

    # when
    backoffice.set_faults(systems=[source], outage=True)
    degraded = await ask(backoffice, seeded_url, ledger_url, variables)

    # then: the same answer, with only this source's fields null, each with its error
    expected = healthy.data
    for path in SERVED_BY[source]:
        expected = nulled(expected, path)
    assert degraded.data == expected
    assert degraded.errors
    assert {e["extensions"]["code"] for e in degraded.errors} == {"SOURCE_UNAVAILABLE"}
    assert {e["extensions"]["source"] for e in degraded.errors} == {source}
    assert {field_path(e) for e in degraded.errors} <= set(SERVED_BY[source])
