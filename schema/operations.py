"""Which operation of a document runs: the one the request names, as GetOperation() says.

The GraphQL spec (Execution, GetOperation()) makes a document with several operations and
no `operationName` a request error. Strawberry instead hands graphql-core the name of the
document's first operation, so the first one would silently run; this extension refuses
such a request before anything executes, with the error graphql-core itself would give.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension


class OneOperationOrAName(SchemaExtension):
    """Refuses a document of several operations when the request names none of them."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        # The name the request gave; `operation_name` falls back to the first operation's.
        named = execution._provided_operation_name
        if document is not None and named is None and execution.result is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                # A result set before execution is what Strawberry returns instead of executing.
                execution.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            "Must provide operation name if query contains multiple operations.",
                            extensions={"code": "OPERATION_RESOLUTION_FAILURE"},
                        )
                    ],
                )
        yield
