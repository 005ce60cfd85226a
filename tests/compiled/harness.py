"""Run one GraphQL document through graphql-core's execution and the compiled one, and compare.

Each run gets a fresh request context (its own DataLoaders and trace) over the same
runtime and seeded back office, with a clock that stands still, so both executions
answer from the same data at the same instant.
Errors are compared as graphql-core formats them, sorted by path: graphql-core's order
follows the order fields complete in, which concurrency may change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import strawberry

from connectors.trace import Recorder
from gateway.auth import RequestDefaults
from gateway.bootstrap import Runtime
from gateway.context import build_context
from kernel.clock import FixedClock
from resolvers.context import RequestContext
from resolvers.viewer import ANONYMOUS, Viewer
from schema import build_schema
from schema.compiled import plan_cache
from tests.api import NOW

#: A customer of the seeded demo retailer, for the fields only a customer may read.
CUSTOMER = Viewer(role="customer", subject="cu00001", customer_id="cu00001")
ADMIN = Viewer(role="admin", subject="admin")

#: One instant for both executions (and the runtime they share): answers carry "now".
STILL = FixedClock(NOW)


@dataclass(frozen=True)
class Outcome:
    """One execution's answer, comparable: data, and errors sorted by path then message."""

    data: Any
    errors: list[dict[str, Any]]

    @classmethod
    def of(cls, result: Any) -> Outcome:
        errors = [
            {
                "message": e.message,
                "path": e.path,
                "locations": [[loc.line, loc.column] for loc in e.locations or ()],
                "extensions": e.extensions,
            }
            for e in result.errors or ()
        ]
        errors.sort(key=lambda e: json.dumps([e["path"], e["message"]], default=str))
        return cls(result.data, errors)


class Pair:
    """The same schema twice: graphql-core's execution (reference) and the compiled one."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.reference = build_schema(compiled=False)
        self.compiled = build_schema(compiled=True)

    def context(self, viewer: Viewer = ANONYMOUS) -> RequestContext:
        defaults = RequestDefaults(channel="WEB", locale="en", store_id=None)
        return build_context(
            request_id="differential",
            viewer=viewer,
            defaults=defaults,
            sources=self.runtime.sources,
            rules=self.runtime.rules,
            recorder=Recorder(),
            clock=STILL,
            ledger=self.runtime.ledger,
            outbox=self.runtime.outbox_worker.dispatcher,
        )

    async def run(
        self,
        schema: strawberry.Schema,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        viewer: Viewer = ANONYMOUS,
        operation_name: str | None = None,
    ) -> Outcome:
        result = await schema.execute(
            document,
            variable_values=dict(variables or {}),
            context_value=self.context(viewer),
            operation_name=operation_name,
        )
        return Outcome.of(result)

    async def both(
        self,
        document: str,
        variables: Mapping[str, Any] | None = None,
        *,
        viewer: Viewer = ANONYMOUS,
        operation_name: str | None = None,
    ) -> tuple[Outcome, Outcome]:
        """The reference's outcome and the compiled one's, for the same request."""
        args = {"viewer": viewer, "operation_name": operation_name}
        expected = await self.run(self.reference, document, variables, **args)  # type: ignore[arg-type]
        got = await self.run(self.compiled, document, variables, **args)  # type: ignore[arg-type]
        return expected, got

    @property
    def stats(self) -> Any:
        """How often the compiled schema compiled, reused or fell back (to check it ran)."""
        return plan_cache(self.compiled._schema).stats


#: What the seeded data holds, found by querying it.
SEEDS = """
{
  products(first: 8) { edges { node { id sku variants { id sku gtin } } } }
  locations(first: 6) { id code }
  me { id orders(first: 3) { edges { node { id number } } } }
}
"""


@dataclass(frozen=True)
class Seeds:
    """Ids and strings of the seeded retailer; `by_kind["ID:variant"]` one of a kind."""

    ids: list[str]
    strings: list[str]
    by_kind: dict[str, Any]


async def seeds(pair: Pair) -> Seeds:
    """Ids, SKUs, GTINs, location codes and order numbers of the seeded retailer."""
    outcome = await pair.run(pair.reference, SEEDS, viewer=CUSTOMER)
    assert not outcome.errors, outcome.errors
    data = outcome.data
    me = data["me"]
    products = [edge["node"] for edge in data["products"]["edges"]]
    variants = [variant for product in products for variant in product["variants"]]
    orders = [edge["node"] for edge in me["orders"]["edges"]]
    locations = data["locations"]
    by_kind = {
        "ID:product": products[0]["id"],
        "ID:variant": variants[0]["id"],
        "ID:location": locations[0]["id"],
        "ID:customer": me["id"],
        "ID:order": orders[0]["id"],
        "ID:": products[0]["id"],
        "String:sku": variants[0]["sku"],
        "String:gtin": variants[0]["gtin"],
        "String:order": orders[0]["number"],
        "String:location": locations[0]["code"],
        "String:search": products[0]["sku"],
        "String:": products[0]["sku"],
    }
    ids = [me["id"], *(p["id"] for p in products), *(v["id"] for v in variants)]
    ids += [*(o["id"] for o in orders), *(loc["id"] for loc in locations)]
    strings = [*(p["sku"] for p in products), *(v["sku"] for v in variants)]
    strings += [*(v["gtin"] for v in variants), *(o["number"] for o in orders)]
    strings += [loc["code"] for loc in locations]
    return Seeds(ids, strings, by_kind)
