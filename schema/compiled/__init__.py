"""Compiled execution of known operations: each one planned once, then run without the walk.

`CompiledExecutionContext` is the execution context `schema.build_schema(compiled=True)`
hands Strawberry; graphql-core keeps parsing, validation and everything the plan does not
cover, and stays the reference the differential tests in `tests/compiled/` compare with.
"""

from schema.compiled.cache import PlanCache
from schema.compiled.context import CompiledExecutionContext, plan_cache

__all__ = ["CompiledExecutionContext", "PlanCache", "plan_cache"]
