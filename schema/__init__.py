"""The public GraphQL schema: `build_schema()` assembles the domains with their safeguards."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, MaskErrors, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult

from resolvers.errors import GatewayError
from schema.compiled import CompiledExecutionContext
from schema.documents import DocumentGuard, DocumentLimits, Documents
from schema.execution import FastAttributeExecutionContext
from schema.operations import OneOperationOrAName
from schema.root import Mutation, Query
from schema.scalars import SCALARS
from schema.warming import WarmLoads

logger = logging.getLogger("gateway.errors")


#: graphql-core's messages for a request whose operation cannot be picked (GetOperation()).
_OPERATION_RESOLUTION = ("Must provide operation name", "Unknown operation named")
#: graphql-core's messages for variables the client sent that their types refuse
#: (CoerceVariableValues()), including values nested past the interpreter's recursion.
_VARIABLE_COERCION = ("Variable '$", "Variable values are nested too deeply")
#: A suggestion as graphql-core words it (`did_you_mean`): " Did you mean 'a' or 'b'?",
#: " Did you mean the enum value 'X'?", " Did you mean to use an inline fragment on 'T'?".
#: Names cannot hold "?", so the suggestion ends at the first one.
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def _error_code(error: GraphQLError) -> str:
    if isinstance(error.original_error, GatewayError):
        return error.original_error.code
    if isinstance(error.original_error, GraphQLError) or error.message.startswith(
        _VARIABLE_COERCION
    ):
        # graphql-core's variable coercion (CoerceVariableValues()): the client sent a
        # value its declared type refuses; the scalar's own error is the original.
        return "BAD_USER_INPUT"
    if error.original_error is None:
        # Raised by graphql-core itself: the document is malformed or invalid.
        if error.message.startswith(_OPERATION_RESOLUTION):
            return "OPERATION_RESOLUTION_FAILURE"
        return (
            "GRAPHQL_PARSE_FAILED"
            if "Syntax Error" in error.message
            else "GRAPHQL_VALIDATION_FAILED"
        )
    return "INTERNAL_SERVER_ERROR"


REQUEST_TIMEOUT = "REQUEST_TIMEOUT"


class GatewaySchema(strawberry.Schema):
    """A Schema that codes every error, logs the unexpected ones, and bounds each request.

    `deadline_seconds` is how long one operation may take, parse to response.

    An unexpected error also carries the request id (`extensions.requestId`), which
    survives masking, so that support finds its log line. With suggestions off, no
    error suggests a name ("Did you mean ...?"): not a field's, as Strawberry's
    `disable_field_suggestions` alone would do, nor an argument's, type's, enum
    value's or input field's.
    """

    def __init__(self, *args: Any, deadline_seconds: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline_seconds = deadline_seconds

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        if self.deadline_seconds is None:
            return await super().execute(*args, **kwargs)
        try:
            async with asyncio.timeout(self.deadline_seconds):
                return await super().execute(*args, **kwargs)
        except TimeoutError:
            # Source calls have timeouts of their own; this bounds the request as a whole.
            # The fetches it started run on for the requests that joined them (shielded).
            error = GraphQLError(
                f"The request did not complete within {self.deadline_seconds:g} s.",
                extensions={"code": REQUEST_TIMEOUT},
            )
            return ExecutionResult(data=None, errors=[error])

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        request_id = "-"
        if execution_context is not None and execution_context.context is not None:
            request_id = getattr(execution_context.context, "request_id", "-")
        for error in errors:
            if self.config.disable_field_suggestions:
                error.message = _SUGGESTION.sub("", error.message)
            extensions = error.extensions or {}
            code = extensions.get("code") or _error_code(error)
            error.extensions = {"code": code, **extensions}
            if code == "INTERNAL_SERVER_ERROR":
                error.extensions["requestId"] = request_id
                logger.error(
                    "unexpected error in %s (request %s)",
                    ".".join(map(str, error.path or [])) or "request",
                    request_id,
                    exc_info=error.original_error,
                )


class CodedMaskErrors(MaskErrors):
    """Strawberry's masking, keeping the code and request id that say what to look up."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        kept = {key: (error.extensions or {}).get(key) for key in ("code", "requestId")}
        masked.extensions = {key: value for key, value in kept.items() if value is not None}
        return masked


class SourceCallsExtension(SchemaExtension):
    """Adds a summary of the request's source calls to the response `extensions` (dev aid)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        trace = getattr(context, "trace", None)
        return {"sourceCalls": trace.summary()} if trace is not None else {}


def _is_unexpected(error: GraphQLError) -> bool:
    # process_errors has run: the code says whether the client may read the message.
    return (error.extensions or {}).get("code") == "INTERNAL_SERVER_ERROR"


def build_schema(
    *,
    introspection: bool = True,
    mask_errors: bool = False,
    field_suggestions: bool = True,
    documents: Documents | None = None,
    deadline_seconds: float | None = None,
    debug_source_calls: bool = False,
    compiled: bool = True,
) -> strawberry.Schema:
    """The schema with its documents and their limits, a deadline; masking for production.

    `documents` is shared by all requests (and by the whole-response cache, which is given
    the same object); by default one with the default limits. `compiled` runs each known
    operation from a plan compiled once (`schema.compiled`); without it, graphql-core
    walks the document on every request (the reference the compiled plans are tested on).
    """
    known = documents or Documents(DocumentLimits())
    # Factories, not instances: Strawberry builds a fresh extension per request.
    extensions: list[Any] = [
        lambda: DocumentGuard(known),
        OneOperationOrAName,  # before WarmLoads: a refused request warms nothing
        WarmLoads,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    if debug_source_calls:
        extensions.append(SourceCallsExtension)
    if mask_errors:
        extensions.append(
            lambda: CodedMaskErrors(
                should_mask_error=_is_unexpected,
                error_message="Unexpected error; it has been logged with the request id.",
            )
        )
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not field_suggestions, scalar_map=SCALARS
        ),
        execution_context_class=(
            CompiledExecutionContext if compiled else FastAttributeExecutionContext
        ),
        deadline_seconds=deadline_seconds,
    )
