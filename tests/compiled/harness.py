"""Run one GraphQL document through graphql-core's execution and the compiled one, and compare.

Each run gets a fresh request context (its own DataLoaders and trace) over the same
runtime and seeded back office, so both executions answer from the same data.
Errors are compared as graphql-core formats them, sorted by path: graphql-core's order
follows the order fields complete in, which concurrency may change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import strawberry

from connectors.trace import SourceTrace
from gateway.auth import RequestDefaults
from gateway.bootstrap import Runtime
from gateway.context import build_context
from resolvers.context import RequestContext
from resolvers.viewer import ANONYMOUS, Viewer
from schema import build_schema
from schema.compiled import plan_cache
from tests.api import CLOCK

#: A customer of the seeded demo retailer, for the fields only a customer may read.
CUSTOMER = Viewer(role="customer", subject="cu00001", customer_id="cu00001")
ADMIN = Viewer(role="admin", subject="admin")


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
            trace=SourceTrace(),
            clock=CLOCK,
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
