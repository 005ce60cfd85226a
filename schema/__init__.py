"""The public GraphQL schema: `build_schema()` assembles the domains with their safeguards."""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
    query_depth_limiter,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_validator
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from resolvers.errors import GatewayError
from schema.common import UserError
from schema.execution import FastAttributeExecutionContext
from schema.root import Query
from schema.warming import WarmLoads

logger = logging.getLogger("gateway.errors")


def _error_code(error: GraphQLError) -> str:
    if isinstance(error.original_error, GatewayError):
        return error.original_error.code
    if error.original_error is None:
        # Raised by graphql-core itself: the document is malformed or invalid.
        return (
            "GRAPHQL_PARSE_FAILED"
            if "Syntax Error" in error.message
            else "GRAPHQL_VALIDATION_FAILED"
        )
    return "INTERNAL_SERVER_ERROR"


class GatewaySchema(strawberry.Schema):
    """A Schema that gives every error a stable code and logs only the unexpected ones."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        request_id = "-"
        if execution_context is not None and execution_context.context is not None:
            request_id = getattr(execution_context.context, "request_id", "-")
        for error in errors:
            code = _error_code(error)
            error.extensions = {"code": code, **(error.extensions or {})}
            if code == "INTERNAL_SERVER_ERROR":
                logger.error(
                    "unexpected error in %s (request %s)",
                    ".".join(map(str, error.path or [])) or "request",
                    request_id,
                    exc_info=error.original_error,
                )


class SourceCallsExtension(SchemaExtension):
    """Adds a summary of the request's source calls to the response `extensions` (dev aid)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        trace = getattr(context, "trace", None)
        return {"sourceCalls": trace.summary()} if trace is not None else {}


def _is_unexpected(error: GraphQLError) -> bool:
    return error.original_error is not None and not isinstance(error.original_error, GatewayError)


def build_schema(
    *,
    introspection: bool = True,
    mask_errors: bool = False,
    field_suggestions: bool = True,
    max_depth: int = 15,
    max_aliases: int = 30,
    max_tokens: int = 5000,
    debug_source_calls: bool = False,
) -> strawberry.Schema:
    """The schema with parse/validation caches and abuse limits; masking for production."""
    # Factories, not instances: Strawberry builds a fresh extension per request. The parse
    # and validation caches live at module level, so they are shared by all requests; the
    # limit rules are built once here because the validation cache keys on the rule
    # classes (QueryDepthLimiter would make a new class, hence a cache miss, per request).
    limits = (
        query_depth_limiter.create_validator(max_depth, should_ignore=None),
        max_aliases_validator(max_aliases),
    )
    extensions: list[Any] = [
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(list(limits)),
        lambda: ValidationCache(maxsize=512),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        WarmLoads,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    if debug_source_calls:
        extensions.append(SourceCallsExtension)
    if mask_errors:
        extensions.append(
            lambda: MaskErrors(
                should_mask_error=_is_unexpected,
                error_message="Unexpected error; it has been logged with the request id.",
            )
        )
    return GatewaySchema(
        query=Query,
        types=[UserError],  # used by the mutation payloads; part of the contract already
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not field_suggestions),
        execution_context_class=FastAttributeExecutionContext,
    )
